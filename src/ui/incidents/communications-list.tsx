// Messages on the incident: those waiting for a second person's approval (with what approving would
// send, and the approve and reject buttons for the Incident Manager or Communication Lead who did not
// write it), those not approved, and those sent, each with its delivery counts and its deliveries and
// their results, read a page at a time (a message can have thousands).
import { Alert, Anchor, Badge, Button, Group, Paper, Stack, Text, Textarea } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/http';
import { keys, useCommunicationRecipients, useCommunications } from '../api/queries';
import type { Client, Communication, Incident, RecipientCounts, User } from '../api/types';
import { formatDateTime, KIND_WORDS } from '../app/format';
import { useSession } from '../app/session';
import { MessageText, ProblemAlert, Section } from '../app/ui-kit';
import { approverWords, CHANNEL_WORDS, MessageCopy } from './message-copy';
import { MessagePreview, useCommunicationPreview } from './message-preview';

const DELIVERY_COLOR: Record<string, string> = { sent: 'teal', delivered: 'teal', queued: 'blue', pending: 'blue', retrying: 'orange', failed: 'red', dead: 'red', bounced: 'red' };

export function CommunicationsList({ incident, clients, users }: { incident: Incident; clients: Map<string, Client>; users: Map<string, User> }) {
  const comms = useCommunications(incident.key);
  const items = [...(comms.data ?? [])].reverse();
  const hasSent = items.some((c) => c.status === 'sent');
  return (
    <Section
      title="Messages"
      id="communications"
      actions={
        hasSent && (
          <Anchor href={`/api/v1/incidents/${encodeURIComponent(incident.key)}/deliveries?format=csv`} size="xs" download>
            Delivery proof (CSV)
          </Anchor>
        )
      }
    >
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">
          No client message yet.
        </Text>
      ) : (
        <Stack gap="sm">
          {items.map((c) =>
            c.status === 'pending_approval' ? (
              <PendingCard key={c.id} communication={c} incident={incident} clients={clients} users={users} />
            ) : (
              <CommunicationCard key={c.id} incidentKey={incident.key} communication={c} clients={clients} users={users} />
            ),
          )}
        </Stack>
      )}
    </Section>
  );
}

const userName = (users: Map<string, User> | undefined, id: string | null | undefined) => (id ? (users?.get(id)?.name ?? 'a user') : 'nobody');

function CardHeader({ communication: c, users }: { communication: Communication; users?: Map<string, User> | undefined }) {
  return (
    <Group justify="space-between" gap="xs" wrap="wrap">
      <Group gap="xs" wrap="wrap" style={{ minWidth: 0 }}>
        <Badge variant="light">{KIND_WORDS[c.kind]}</Badge>
        {c.status === 'pending_approval' && (
          <Badge variant="filled" color="orange">
            waiting for approval
          </Badge>
        )}
        {c.status === 'rejected' && (
          <Badge variant="outline" color="red">
            not approved
          </Badge>
        )}
        {c.subject && (
          <Text size="sm" fw={600} style={{ wordBreak: 'break-word' }}>
            {c.subject}
          </Text>
        )}
      </Group>
      <Text size="xs" c="dimmed">
        {formatDateTime(c.sentAt ?? c.createdAt)}
        {c.createdBy && users ? ` by ${userName(users, c.createdBy)}` : ''}
      </Text>
    </Group>
  );
}

/** A message held for four eyes: what approving sends, and the decision for those who may take it. */
function PendingCard({ communication: c, incident: i, clients, users }: { communication: Communication; incident: Incident; clients: Map<string, Client>; users: Map<string, User> }) {
  const session = useSession();
  const qc = useQueryClient();
  const [note, setNote] = useState('');
  const me = session.user.id;
  const isAuthor = c.createdBy === me;
  const mayDecide = session.isWriter && [i.roles.incidentManagerId, i.roles.communicationLeadId].includes(me) && !isAuthor;
  const approvers = approverWords(i.roles, c.createdBy, (id) => userName(users, id));
  const preview = useCommunicationPreview(i.key, { kind: c.kind, clientIds: c.clientIds, subject: c.subject || null, body: c.body || null });
  const decide = useMutation({
    mutationFn: (b: { isApproved: boolean; note: string | null }) => api.post<{ communication: Communication; incident: Incident }>(`/communications/${c.id}/approval`, b),
    onSuccess: async (res, b) => {
      qc.setQueryData(keys.incident(i.key), res.incident);
      notifications.show({ color: 'teal', message: b.isApproved ? 'Approved and sent.' : 'Not approved: the author is told.' });
      await Promise.all([qc.invalidateQueries({ queryKey: keys.incident(i.key) }), qc.invalidateQueries({ queryKey: ['incidents'] }), qc.invalidateQueries({ queryKey: ['outbox'] })]);
    },
  });
  return (
    <Paper withBorder p="sm" data-communication={c.kind} data-status={c.status} style={{ borderColor: 'var(--mantine-color-orange-filled)' }}>
      <Stack gap="xs">
        <CardHeader communication={c} users={users} />
        <Text size="sm">
          To {c.clientIds.map((id) => clients.get(id)?.name ?? 'a client').join(', ')}.{' '}
          {approvers ? `Nothing is sent until ${approvers} approves it.` : 'Nobody can approve it yet: assign an Incident Manager or a Communication Lead other than its author.'}
        </Text>
        {c.body && <MessageText label="The message as written">{c.body}</MessageText>}
        <MessagePreview preview={preview.data} isFetching={preview.isFetching} clients={clients} title="What approving sends" />
        {preview.data?.refusal && (
          <Alert color="red" title="Approving would be refused now">
            {preview.data.refusal.message}
          </Alert>
        )}
        {mayDecide ? (
          <Stack gap="xs" data-testid="approval-decision">
            <Textarea label="Note to the author (optional)" autosize minRows={1} value={note} onChange={(e) => setNote(e.currentTarget.value)} />
            <Group gap="xs">
              <Button color="teal" loading={decide.isPending && decide.variables?.isApproved} disabled={decide.isPending} onClick={() => decide.mutate({ isApproved: true, note: note.trim() || null })}>
                Approve and send
              </Button>
              <Button color="red" variant="outline" loading={decide.isPending && decide.variables?.isApproved === false} disabled={decide.isPending} onClick={() => decide.mutate({ isApproved: false, note: note.trim() || null })}>
                Reject
              </Button>
            </Group>
            <ProblemAlert error={decide.error} title="Not decided" />
          </Stack>
        ) : (
          <Text size="sm" c="dimmed" data-testid="approval-waiting">
            {isAuthor ? 'You wrote this message, so a second person must approve it.' : 'Only the Incident Manager or the Communication Lead of this incident may approve it.'}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

/** "3 copies: 2 sent, 1 retrying · 2 e-mails, 1 webhook". */
export function describeCounts(counts: RecipientCounts): string {
  const states = Object.entries(counts.byStatus)
    .sort(([, a], [, b]) => b - a)
    .map(([status, n]) => `${n} ${status}`);
  const channels = Object.entries(counts.byChannel)
    .sort(([, a], [, b]) => b - a)
    .map(([channel, n]) => `${n} ${CHANNEL_WORDS[channel] ?? channel}`);
  return `${counts.total} ${counts.total === 1 ? 'copy' : 'copies'}: ${states.join(', ')} · ${channels.join(', ')}`;
}

export function CommunicationCard({
  incidentKey,
  communication: c,
  clients,
  users,
}: {
  incidentKey: string;
  communication: Communication;
  clients: Map<string, Client>;
  users?: Map<string, User>;
}) {
  const [shownId, setShownId] = useState<string | null>(null);
  const hasCopies = c.recipientCounts.total > 0;
  const pages = useCommunicationRecipients(incidentKey, c.id, 50, hasCopies);
  const recipients = hasCopies ? (pages.data?.pages.flatMap((p) => p.items) ?? []) : [];
  return (
    <Paper withBorder p="sm" data-communication={c.kind} data-status={c.status}>
      <Stack gap={6}>
        <CardHeader communication={c} users={users} />
        {c.decidedAt && (
          <Text size="xs" c={c.status === 'rejected' ? 'red' : 'dimmed'}>
            {c.status === 'rejected' ? 'Not approved' : 'Approved'} by {userName(users, c.decidedBy)} {formatDateTime(c.decidedAt)}
            {c.decisionNote ? `: “${c.decisionNote}”` : ''}
          </Text>
        )}
        {c.status === 'rejected' && c.body && <MessageText label="The message not approved">{c.body}</MessageText>}
        {hasCopies && (
          <Text size="xs" c="dimmed" data-testid="delivery-counts">
            {describeCounts(c.recipientCounts)}
          </Text>
        )}
        <ProblemAlert error={pages.error} title="Could not load the deliveries" />
        {recipients.length > 0 && (
          <Stack gap={0} component="ul" className="delivery-list" aria-label="Deliveries">
            {recipients.map((r) => (
              <li key={r.id} data-delivery={r.status}>
                <Group justify="space-between" gap="xs" wrap="wrap" py={6}>
                  <div style={{ minWidth: 0, flex: '1 1 14rem' }}>
                    <Text size="sm" fw={600}>
                      {r.toName ?? r.to}
                    </Text>
                    <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                      {r.toName && r.toName !== r.to ? `${r.to} · ` : ''}
                      {clients.get(r.clientId)?.name ?? 'a client'} · {CHANNEL_WORDS[r.channel] ?? r.channel} · {r.language}
                    </Text>
                  </div>
                  <Group gap={6} wrap="nowrap">
                    <div style={{ textAlign: 'right' }}>
                      <Group gap={6} wrap="nowrap" justify="flex-end">
                        <Badge size="sm" color={DELIVERY_COLOR[r.status] ?? 'gray'} variant="light">
                          {r.status}
                        </Badge>
                        {r.sentAt && (
                          <Text span size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                            {formatDateTime(r.sentAt)}
                          </Text>
                        )}
                      </Group>
                      {r.result && !(r.status === 'sent' && r.channel === 'outbox') ? (
                        <Text size="xs" c={r.status === 'sent' ? 'dimmed' : 'red'} style={{ overflowWrap: 'anywhere' }}>
                          {r.result}
                        </Text>
                      ) : null}
                      {r.status !== 'sent' && (r.attempts ?? 0) > 0 ? (
                        <Text size="xs" c="dimmed">
                          {r.attempts} attempt{r.attempts === 1 ? '' : 's'}
                          {r.nextAttemptAt ? `, next ${formatDateTime(r.nextAttemptAt)}` : ''}
                        </Text>
                      ) : null}
                    </div>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      aria-expanded={shownId === r.id}
                      aria-label={`${shownId === r.id ? 'Hide' : 'Show'} the copy sent to ${r.toName ?? r.to}`}
                      onClick={() => setShownId((s) => (s === r.id ? null : r.id))}
                    >
                      {shownId === r.id ? 'Hide' : 'Show'}
                    </Button>
                  </Group>
                </Group>
                {shownId === r.id && (
                  <div style={{ paddingBottom: 'var(--mantine-spacing-sm)' }}>
                    <MessageCopy copy={r} />
                  </div>
                )}
              </li>
            ))}
          </Stack>
        )}
        {pages.hasNextPage && (
          <Group>
            <Button size="compact-xs" variant="subtle" loading={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>
              Show more deliveries ({recipients.length} of {c.recipientCounts.total} shown)
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
