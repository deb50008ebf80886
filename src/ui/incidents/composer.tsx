// The composer: message kind (which picks the template), recipients, text, the required-disclosure
// checklist (computed from the incident's disclosures with the same rules the server applies, so
// what is missing shows at once, and completed by the server's preview), each recipient's copy as
// the server renders it in their language, past occurrences for the initial notice, and the
// four-eyes approval the severity may need.
import { Alert, Anchor, Button, Checkbox, Group, List, NativeSelect, Stack, Text, Textarea, TextInput, ThemeIcon } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMemo, useState, type FormEvent } from 'react';
import { missingDisclosures, type DisclosureField } from '../../domain/messages/message-requirements';
import { findPolicy } from '../../domain/sla/sla-clock';
import { EMPTY_DISCLOSURES } from '../../domain/types';
import { useCommunications, usePastOccurrences, useSlaPolicies, useTemplates, useUsers } from '../api/queries';
import type { Client, Incident, MessageKind, Severity, SlaPolicyRow, Template } from '../api/types';
import { formatDateTime, KIND_WORDS } from '../app/format';
import { useSession } from '../app/session';
import { AnchorLink, ProblemAlert, Section, useNow } from '../app/ui-kit';
import { approverWords, byLanguage, languageName } from './message-copy';
import { MessagePreview, useCommunicationPreview } from './message-preview';
import { useIncidentCommand } from './use-incident-command';

export const FIELD_WORDS: Record<DisclosureField, string> = {
  impactSummary: 'Impact: what clients experience',
  dataLoss: 'Whether data was lost',
  dataExposure: 'Whether third parties could access data',
  nextUpdateAt: 'Next update time, in the future',
  expectedResolutionAt: 'Expected resolution (or next update) time, in the future',
  remediation: 'Remediation: what prevents a repeat',
  body: 'The message text (the analysis itself)',
};

/** Every item a message of this kind is checked for: what the same rules find missing from nothing. */
function requiredFields(kind: MessageKind, opts: { now: string; severity: Severity; hasUpdateCadence: boolean }): DisclosureField[] {
  return missingDisclosures(kind, EMPTY_DISCLOSURES, { ...opts, body: null });
}

/** The kind a person most likely wants next. */
function suggestedKind(i: Incident): MessageKind {
  if (i.affectedClients.some((c) => !c.met.initial)) return 'initial';
  if (i.techState !== 'resolved') return 'update';
  const resolvedAt = i.resolvedAt ?? '';
  if (i.affectedClients.some((c) => !c.met.resolution || c.met.resolution < resolvedAt)) return 'resolution';
  return 'rca';
}

/** Why a client cannot get a message of this kind now, or null when it can. */
function ineligibility(i: Incident, c: Incident['affectedClients'][number], kind: MessageKind): string | null {
  const resolvedAt = i.resolvedAt ?? '';
  switch (kind) {
    case 'initial':
      return c.sent.initial ? 'already got the initial notice' : null;
    case 'update':
      if (i.techState === 'resolved') return 'resolved: send the resolution notice';
      return c.met.initial ? null : 'needs the initial notice first';
    case 'resolution':
      if (i.techState !== 'resolved') return 'not resolved yet';
      return c.sent.resolution && c.sent.resolution >= resolvedAt ? 'already got the resolution notice' : null;
    case 'rca':
      if (i.techState !== 'resolved') return 'not resolved yet';
      if (c.sent.rca) return 'already got the RCA';
      return c.met.resolution && c.met.resolution >= resolvedAt ? null : 'needs the resolution notice first';
  }
}

/** Four-eyes: whether the policy of any recipient's tier at this severity needs a second person's approval (the server's rule). */
export function needsApproval(policies: SlaPolicyRow[], tiers: string[], severity: Severity): boolean {
  const rows = policies.filter((p) => p.severity === severity);
  return tiers.some((tier) => (rows.find((r) => r.tier === tier) ?? rows.find((r) => r.tier === '*'))?.requiresApproval ?? false);
}

/** "e-mail: English v2, German v1 · chat: English v1": the templates a kind of message is filled from. */
function templatesFor(kind: MessageKind, templates: Template[]): string {
  const of = (channel: string) =>
    templates
      .filter((t) => t.kind === kind && t.channel === channel)
      .sort(byLanguage)
      .map((t) => `${languageName(t.language)} v${t.currentVersion}`)
      .join(', ');
  return [`e-mail: ${of('email') || 'none'}`, `chat and webhooks: ${of('chat') || 'none'}`].join(' · ');
}

interface SendBody {
  kind: MessageKind;
  clientIds: string[];
  subject: string | null;
  body: string | null;
}

export function Composer({ incident: i, clients }: { incident: Incident; clients: Map<string, Client> }) {
  const session = useSession();
  const now = useNow(5_000);
  const policies = useSlaPolicies();
  const [kindChoice, setKind] = useState<MessageKind | null>(null);
  const kind = kindChoice ?? suggestedKind(i);
  const eligibleIds = i.affectedClients.filter((c) => !ineligibility(i, c, kind)).map((c) => c.clientId);
  const [chosen, setChosen] = useState<string[] | null>(null);
  const recipients = (chosen ?? eligibleIds).filter((id) => eligibleIds.includes(id));
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const send = useIncidentCommand<SendBody>(i.key, 'communications');
  const templates = useTemplates(session.isStaff);
  const users = useUsers();
  const comms = useCommunications(i.key);
  const [debouncedSubject] = useDebouncedValue(subject.trim(), 400);
  const [debouncedBody] = useDebouncedValue(body.trim(), 400);
  const previewInput = { kind, clientIds: recipients, subject: debouncedSubject || null, body: debouncedBody || null };
  const preview = useCommunicationPreview(i.key, previewInput, i.stage === 'active' && session.isWriter);
  const isPreviewCurrent = !!preview.data && !preview.isPlaceholderData && debouncedBody === body.trim() && debouncedSubject === subject.trim();

  const severity = i.severity ?? 'SEV4';
  const tiers = i.affectedClients.filter((c) => recipients.includes(c.clientId)).map((c) => c.tier);
  const hasUpdateCadence = tiers.some((tier) => findPolicy(policies.data ?? [], tier, severity).updateEveryMinutes !== null);
  const missing = useMemo(
    () => missingDisclosures(kind, i.disclosures, { now: new Date(now).toISOString(), severity, hasUpdateCadence, body: body || null }),
    [kind, i.disclosures, now, severity, hasUpdateCadence, body],
  );
  // The server's word where it is about what is on screen now: it may know more (a stale disclosure, another refusal).
  const refusal = isPreviewCurrent ? preview.data!.refusal : null;
  const serverMissing = refusal?.code === 'missing_disclosures' ? (refusal.missing.filter((m) => m in FIELD_WORDS) as DisclosureField[]) : [];
  const allMissing = [...missing, ...serverMissing.filter((m) => !missing.includes(m))];
  const otherRefusal = refusal && refusal.code !== 'missing_disclosures' ? refusal : null;
  const required = requiredFields(kind, { now: new Date(now).toISOString(), severity, hasUpdateCadence });
  const checklist = [...required, ...allMissing.filter((m) => !required.includes(m))];
  const clientName = (id: string) => clients.get(id)?.name ?? 'a client';
  const isApprovalNeeded = preview.data && !preview.isPlaceholderData ? preview.data.requiresApproval : needsApproval(policies.data ?? [], tiers, i.peakSeverity ?? severity);
  const approvers = approverWords(i.roles, session.user.id, (id) => users.data?.find((u) => u.id === id)?.name ?? 'someone');
  const waiting = (comms.data ?? []).filter((c) => c.status === 'pending_approval' && c.kind === kind);
  const kindWords = KIND_WORDS[kind].toLowerCase();
  const clientCount = `${recipients.length} ${recipients.length === 1 ? 'client' : 'clients'}`;

  if (i.stage !== 'active') return null;
  if (!session.isWriter) return null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate(
      { kind, clientIds: recipients, subject: subject.trim() || null, body: body.trim() || null },
      {
        onSuccess: (res) => {
          const status = 'communication' in res ? (res as { communication?: { status?: string } }).communication?.status : undefined;
          notifications.show({
            color: 'teal',
            message: status === 'pending_approval' ? 'Submitted: the message waits for a second person’s approval.' : 'Message sent.',
          });
          setBody('');
          setSubject('');
          setKind(null);
          setChosen(null);
        },
      },
    );
  };

  return (
    <Section title="Write to clients" id="composer">
      <form onSubmit={submit} aria-label="Message to clients">
        <Stack gap="sm">
          <NativeSelect
            label="Message kind"
            data={(['initial', 'update', 'resolution', 'rca'] as const).map((k) => ({ value: k, label: KIND_WORDS[k] }))}
            value={kind}
            onChange={(e) => {
              setKind(e.currentTarget.value as MessageKind);
              setChosen(null);
            }}
          />
          <Text size="xs" c="dimmed" mt={-6} data-testid="composer-templates">
            Filled from the {kindWords} templates in each contact’s language ({templatesFor(kind, templates.data ?? [])}).{' '}
            <AnchorLink to="/templates" size="xs">
              Edit templates
            </AnchorLink>
          </Text>
          <Checkbox.Group label="Recipients" description="Affected clients this message may go to; every contact of each gets a copy" value={recipients} onChange={setChosen}>
            <Stack gap={6} mt={6}>
              {i.affectedClients.map((c) => {
                const why = ineligibility(i, c, kind);
                return (
                  <Checkbox
                    key={c.clientId}
                    value={c.clientId}
                    disabled={!!why}
                    label={
                      <>
                        {clientName(c.clientId)}{' '}
                        <Text span size="xs" c="dimmed">
                          ({c.tier}; {why ?? (Object.keys(c.sent).length ? `got ${Object.keys(c.sent).map((k) => KIND_WORDS[k as MessageKind].toLowerCase()).join(', ')}` : 'nothing sent yet')})
                        </Text>
                      </>
                    }
                  />
                );
              })}
            </Stack>
          </Checkbox.Group>
          <TextInput label="Subject" description="Optional: empty gives the standard subject" value={subject} onChange={(e) => setSubject(e.currentTarget.value)} />
          <Textarea
            label={kind === 'rca' ? 'Root-cause analysis' : 'Message'}
            description={kind === 'rca' ? 'What happened, why, and what changes' : 'Your words; the required statements are added below them'}
            autosize
            minRows={kind === 'rca' ? 5 : 3}
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
          />
          <div role="group" aria-labelledby="checklist-heading" data-testid="disclosure-checklist">
            <Text fw={600} size="sm" id="checklist-heading">
              Required in this message {allMissing.length ? `— ${allMissing.length} missing` : '— complete'}
            </Text>
            <List spacing={2} size="sm" mt={4} center>
              {checklist.map((f) => {
                const isMissing = allMissing.includes(f);
                return (
                  <List.Item
                    key={f}
                    data-missing={isMissing || undefined}
                    icon={
                      <ThemeIcon size={18} radius="xl" color={isMissing ? 'red' : 'teal'} aria-hidden>
                        <span style={{ fontSize: 11, fontWeight: 700 }}>{isMissing ? '✕' : '✓'}</span>
                      </ThemeIcon>
                    }
                  >
                    <Text span size="sm" c={isMissing ? 'red' : undefined} fw={isMissing ? 600 : undefined}>
                      {FIELD_WORDS[f]}
                      {isMissing ? ' — missing' : ''}
                    </Text>
                  </List.Item>
                );
              })}
            </List>
            {allMissing.some((m) => m !== 'body') && (
              <Text size="xs" mt={4}>
                <Anchor href="#disclosures">Fill in the disclosures</Anchor> to complete the message.
              </Text>
            )}
          </div>
          {kind === 'initial' && recipients.length > 0 && (
            <Stack gap={4}>
              <Text fw={600} size="sm">
                Past occurrences (listed in the initial notice)
              </Text>
              {recipients.map((id) => (
                <PastOccurrences key={id} incidentKey={i.key} clientId={id} clientName={clientName(id)} />
              ))}
            </Stack>
          )}
          {otherRefusal && (
            <Alert color="red" title="The server would refuse this message" role="alert">
              <Text size="sm">{otherRefusal.message}</Text>
              {otherRefusal.missing.length > 0 && (
                <Text size="sm">{otherRefusal.missing.map((m) => FIELD_WORDS[m as DisclosureField] ?? clients.get(m)?.name ?? m).join(', ')}</Text>
              )}
            </Alert>
          )}
          {recipients.length > 0 && <MessagePreview preview={preview.data} isFetching={preview.isFetching} clients={clients} />}
          {isApprovalNeeded && recipients.length > 0 && (
            <Alert color="orange" variant="light" title="Needs a second person’s approval" data-testid="approval-needed">
              {approvers ? (
                <Text size="sm">
                  The SLA policy for {severity} asks for four eyes: after you submit it, {approvers} approves it, and only then is it sent. You cannot approve your own message.
                </Text>
              ) : (
                <Text size="sm" fw={600}>
                  The SLA policy for {severity} asks for four eyes, and nobody can approve it yet: assign an Incident Manager or a Communication Lead other than you.
                </Text>
              )}
            </Alert>
          )}
          {waiting.length > 0 && (
            <Text size="sm" c="orange">
              {waiting.length === 1 ? 'One' : waiting.length} {kindWords} already {waiting.length === 1 ? 'waits' : 'wait'} for approval: see <Anchor href="#communications">Messages</Anchor>.
            </Text>
          )}
          <ProblemAlert error={send.error} title="Not sent" missingWords={(m) => FIELD_WORDS[m as DisclosureField] ?? clients.get(m)?.name ?? m} />
          <Group gap="sm">
            <Button type="submit" loading={send.isPending} disabled={allMissing.length > 0 || recipients.length === 0 || !!otherRefusal}>
              {isApprovalNeeded ? `Submit ${kindWords} for approval (${clientCount})` : `Send ${kindWords} to ${clientCount}`}
            </Button>
            {allMissing.length > 0 && (
              <Text size="sm" c="red">
                Complete the missing items to send.
              </Text>
            )}
          </Group>
        </Stack>
      </form>
    </Section>
  );
}

export function PastOccurrences({ incidentKey, clientId, clientName }: { incidentKey: string; clientId: string; clientName: string }) {
  const past = usePastOccurrences(incidentKey, clientId);
  return (
    <Text size="sm" component="div">
      <b>{clientName}:</b>{' '}
      {past.isPending ? (
        '…'
      ) : !past.data?.length ? (
        'none.'
      ) : (
        <List size="sm">
          {past.data.map((p) => (
            <List.Item key={p.incidentId}>
              {p.key} ({formatDateTime(p.reportedAt)}): {p.title}
              {p.rcaUrl ? (
                <>
                  {' '}
                  —{' '}
                  <AnchorLink to="/incidents/$key" params={{ key: p.key }}>
                    RCA sent
                  </AnchorLink>
                </>
              ) : (
                ' — no RCA sent'
              )}
            </List.Item>
          ))}
        </List>
      )}
    </Text>
  );
}
