// The public status page, decided per incident: what is published there (its own title and Markdown
// text, written for everyone; never a client's message), publishing an entry, and withdrawing the
// incident from the page. For the Incident Manager, the Communication Lead or an admin (as the server decides).
import { Alert, Anchor, Button, Group, List, NativeSelect, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { usePublicUpdates } from '../api/queries';
import type { Incident, TechState } from '../api/types';
import { formatDateTime, TECH_STATE_WORDS } from '../app/format';
import { useSession } from '../app/session';
import { ProblemAlert, Section } from '../app/ui-kit';
import { useIncidentCommand } from './use-incident-command';

const TEMPLATE_MARKUP = /\{\{|\{%/;
const STATES = Object.entries(TECH_STATE_WORDS).map(([value, label]) => ({ value, label }));

export function PublicStatusPanel({ incident: i }: { incident: Incident }) {
  const session = useSession();
  const entries = usePublicUpdates(i.key);
  const isPublished = !!i.publishedAt;
  const [title, setTitle] = useState(i.publicTitle ?? i.title);
  const [body, setBody] = useState('');
  const [state, setState] = useState<TechState>(i.techState);
  const [reason, setReason] = useState('');
  const publish = useIncidentCommand<{ title: string; body: string; state: TechState }>(i.key, 'public-updates', 'Published to the public status page.');
  const withdraw = useIncidentCommand<{ reason: string }>(i.key, 'public-updates/withdrawal', 'Taken off the public status page.');
  if (i.stage === 'reported' || i.stage === 'internal') return null;
  const mayPublish = session.isAdmin || session.user.id === i.roles.incidentManagerId || session.user.id === i.roles.communicationLeadId;
  const shown = (entries.data ?? []).filter((e) => !e.withdrawnAt);
  const hasMarkup = TEMPLATE_MARKUP.test(title) || TEMPLATE_MARKUP.test(body);

  return (
    <Section
      title="Public status page"
      id="public-status"
      actions={
        <Anchor href={`/status#${i.key}`} target="_blank" size="sm">
          Open the public page
        </Anchor>
      }
    >
      <Stack gap="sm">
        {isPublished ? (
          <Text size="sm">
            On the public status page since {formatDateTime(i.publishedAt!)} as “{i.publicTitle}”.
          </Text>
        ) : (
          <Text size="sm">
            Not on the public status page. Messages to clients never appear there: publish a text written for everyone.
          </Text>
        )}
        {shown.length > 0 && (
          <List size="sm" spacing={4} aria-label="Published entries, oldest first">
            {shown.map((e) => (
              <List.Item key={e.id}>
                <Text size="sm" span fw={600}>
                  {TECH_STATE_WORDS[e.state]} · {formatDateTime(e.at)}
                </Text>{' '}
                <Text size="sm" span>
                  {e.body}
                </Text>
              </List.Item>
            ))}
          </List>
        )}
        {i.stage === 'closed' || !session.isWriter ? null : !mayPublish ? (
          <Text size="sm" c="dimmed">
            Publishing is for the Incident Manager, the Communication Lead or an admin.
          </Text>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              publish.mutate({ title, body, state }, { onSuccess: () => setBody('') });
            }}
          >
            <Stack gap="sm">
              <TextInput label="Public title" description="Shown to everyone; name no client" value={title} onChange={(e) => setTitle(e.currentTarget.value)} maxLength={200} required />
              <Textarea
                label="Public text"
                description="Markdown, shown to everyone exactly as written (no template variables)"
                autosize
                minRows={3}
                value={body}
                onChange={(e) => setBody(e.currentTarget.value)}
                required
              />
              <NativeSelect label="State it announces" data={STATES} value={state} onChange={(e) => setState(e.currentTarget.value as TechState)} />
              {hasMarkup && <Alert color="yellow">The public text is shown as written: remove the template markup ({'{{ … }}'} or {'{% … %}'}).</Alert>}
              <Group>
                <Button type="submit" loading={publish.isPending} disabled={!title.trim() || !body.trim() || hasMarkup}>
                  {isPublished ? 'Publish update' : 'Publish'}
                </Button>
              </Group>
              <ProblemAlert error={publish.error} />
            </Stack>
          </form>
        )}
        {isPublished && mayPublish && session.isWriter && (
          <Stack gap="xs">
            <Textarea label="Reason for withdrawing" autosize minRows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
            <Button variant="default" color="red" w="fit-content" loading={withdraw.isPending} disabled={!reason.trim()} onClick={() => withdraw.mutate({ reason }, { onSuccess: () => setReason('') })}>
              Withdraw from the public page
            </Button>
            <ProblemAlert error={withdraw.error} />
          </Stack>
        )}
      </Stack>
    </Section>
  );
}
