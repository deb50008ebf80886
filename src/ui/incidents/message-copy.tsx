// One recipient's copy of a message: subject, and the HTML (in a sandboxed frame: no scripts, no
// forms, no access to the console) or the plain text, as the recipient gets it.
import { Badge, Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { MessageText } from '../app/ui-kit';

export const LANGUAGE_WORDS: Record<string, string> = { en: 'English', de: 'German' };
export const languageName = (code: string) => LANGUAGE_WORDS[code] ?? code;
/** English first (the fallback every contact gets when their language has no template), then by name. */
export const byLanguage = (a: { language: string }, b: { language: string }) => (a.language === 'en' ? -1 : b.language === 'en' ? 1 : languageName(a.language).localeCompare(languageName(b.language)));
export const CHANNEL_WORDS: Record<string, string> = { email: 'e-mail', outbox: 'local outbox', webhook: 'webhook', slack: 'Slack', teams: 'Teams' };

export interface Copy {
  to: string;
  toName: string | null;
  channel: string;
  language: string;
  subject: string | null;
  text: string;
  html?: string | null | undefined;
}

/** The HTML part in a frame that may not run scripts, submit forms, navigate the console or read it. */
export function HtmlFrame({ html, title }: { html: string; title: string }) {
  return <iframe className="message-frame" sandbox="" referrerPolicy="no-referrer" srcDoc={html} title={title} />;
}

export function MessageCopy({ copy, label, isSubjectHidden = false, isChannelShown = true }: { copy: Copy; label?: string; isSubjectHidden?: boolean; isChannelShown?: boolean }) {
  const hasHtml = !!copy.html;
  const [view, setView] = useState<'html' | 'text'>('html');
  const shown = hasHtml ? view : 'text';
  const who = copy.toName && copy.toName !== copy.to ? `${copy.toName} <${copy.to}>` : copy.to;
  return (
    <Stack gap={6} data-testid="message-copy" data-to={copy.to}>
      <Group gap="xs" justify="space-between" wrap="wrap">
        <Group gap={6} wrap="wrap">
          <Text size="sm" fw={600} style={{ wordBreak: 'break-word' }}>
            {label ?? who}
          </Text>
          {isChannelShown && (
            <Badge size="sm" variant="light" color="gray">
              {CHANNEL_WORDS[copy.channel] ?? copy.channel}
            </Badge>
          )}
          <Badge size="sm" variant="light" color="grape">
            {languageName(copy.language)}
          </Badge>
        </Group>
        {hasHtml && (
          <SegmentedControl
            size="xs"
            value={shown}
            onChange={(v) => setView(v as 'html' | 'text')}
            data={[
              { value: 'html', label: 'HTML' },
              { value: 'text', label: 'Plain text' },
            ]}
            aria-label="Show the copy as"
          />
        )}
      </Group>
      {copy.subject !== null && !isSubjectHidden && (
        <Text size="sm" style={{ wordBreak: 'break-word' }}>
          <Text span c="dimmed" size="sm">
            Subject:
          </Text>{' '}
          <span data-testid="copy-subject">{copy.subject}</span>
        </Text>
      )}
      {shown === 'html' && copy.html ? <HtmlFrame html={copy.html} title={`The e-mail to ${who}, as HTML`} /> : <MessageText label={`The e-mail to ${who}, as plain text`}>{copy.text}</MessageText>}
    </Stack>
  );
}

/** "Bruno Lee (Incident Manager) or Cleo Park (Communication Lead)": who may approve a message by `authorId`. */
export function approverWords(roles: { incidentManagerId: string | null; communicationLeadId: string | null }, authorId: string | null, nameOf: (id: string) => string): string | null {
  const found: { id: string; role: string }[] = [];
  if (roles.incidentManagerId && roles.incidentManagerId !== authorId) found.push({ id: roles.incidentManagerId, role: 'Incident Manager' });
  if (roles.communicationLeadId && roles.communicationLeadId !== authorId) found.push({ id: roles.communicationLeadId, role: 'Communication Lead' });
  if (found.length === 2 && found[0]!.id === found[1]!.id) return `${nameOf(found[0]!.id)} (Incident Manager and Communication Lead)`;
  return found.length ? found.map((f) => `${nameOf(f.id)} (${f.role})`).join(' or ') : null;
}
