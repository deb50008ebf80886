// The triage queue: alert groups that did not open an incident on their own, mail from unknown
// senders, flagged public reports. Promote one to an incident (its alerts, mail and attachments move
// with it), or dismiss it with the reason.
import { Badge, Button, Group, MultiSelect, NativeSelect, Paper, SegmentedControl, SimpleGrid, Skeleton, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useMemo, useState, type FormEvent } from 'react';
import { api, qs } from '../api/http';
import { byId, useApiMutation, useClients, useComponents } from '../api/queries';
import type { Client, Component, Page, Severity } from '../api/types';
import { formatDateTime, SEVERITY_WORDS } from '../app/format';
import { useSession } from '../app/session';
import { AnchorLink, PageTitle, ProblemAlert, Section } from '../app/ui-kit';

type TriageStatus = 'open' | 'promoted' | 'dismissed';

interface TriageItem {
  id: string;
  kind: 'alert_group' | 'email' | 'public_report';
  status: TriageStatus;
  title: string;
  description: string | null;
  clientId: string | null;
  sender: string | null;
  reason: string | null;
  data: { senderAuthentication?: string } & Record<string, unknown>;
  incidentId: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  createdAt: string;
}

const KIND_WORDS: Record<TriageItem['kind'], string> = { alert_group: 'Alerts', email: 'E-mail', public_report: 'Public report' };
const KEY = ['triage'] as const;
const REASON_WORDS: Record<string, string> = {
  rule: 'a routing rule of the integration sends these alerts to triage',
  spam_guard: 'the public report form flagged it as possible spam',
  unknown_sender: 'the sender is not a contact of any client',
  unknown_sender_reply: 'a reply from an address that is not a contact',
  ambiguous_sender: 'the sender is a contact of more than one client',
  unauthenticated_sender: 'the mail did not prove it comes from the domain of its From address (SPF, DKIM, DMARC), so anyone may have written it',
  too_large: 'the mail is larger than the intake takes; it was left in the mailbox',
};

export function TriagePage() {
  const [status, setStatus] = useState<TriageStatus>('open');
  const items = useQuery({ queryKey: [...KEY, status], queryFn: () => api.get<Page<TriageItem>>(`/triage${qs({ status, limit: 200 })}`) });
  const components = useComponents();
  const clients = useClients();
  const clientsById = useMemo(() => byId(clients.data), [clients.data]);
  const list = items.data?.items ?? [];
  return (
    <Stack>
      <PageTitle>Triage</PageTitle>
      <Text size="sm" c="dimmed" maw={760}>
        What came in but did not open an incident by itself: alert groups routed here, e-mail from unknown senders, public reports that need a look. Promote what is real; dismiss the rest with a
        reason.
      </Text>
      <Section
        title={status === 'open' ? `Waiting (${items.data ? list.length : '…'})` : status === 'promoted' ? 'Promoted' : 'Dismissed'}
        id="triage"
        actions={
          <SegmentedControl
            size="xs"
            value={status}
            onChange={(v) => setStatus(v as TriageStatus)}
            aria-label="Show items"
            data={[
              { value: 'open', label: 'Waiting' },
              { value: 'promoted', label: 'Promoted' },
              { value: 'dismissed', label: 'Dismissed' },
            ]}
          />
        }
      >
        <ProblemAlert error={items.error} title="Could not load the queue" />
        {items.isPending ? (
          <Skeleton h={120} />
        ) : list.length === 0 ? (
          <Text size="sm" c="dimmed">
            {status === 'open' ? 'Nothing waits for triage.' : 'None.'}
          </Text>
        ) : (
          <Stack gap="sm">
            {list.map((item) => (
              <TriageCard key={item.id} item={item} components={components.data ?? []} clients={clientsById} />
            ))}
          </Stack>
        )}
      </Section>
    </Stack>
  );
}

function TriageCard({ item, components, clients }: { item: TriageItem; components: Component[]; clients: Map<string, Client> }) {
  const { isWriter } = useSession();
  const [action, setAction] = useState<null | 'promote' | 'dismiss'>(null);
  return (
    <Paper withBorder p="sm" data-triage={item.id} data-status={item.status}>
      <Stack gap={6}>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Group gap={6} wrap="wrap">
            <Badge variant="light">{KIND_WORDS[item.kind]}</Badge>
            {item.clientId && (
              <Badge variant="outline" color="gray">
                {clients.get(item.clientId)?.name ?? 'a client'}
              </Badge>
            )}
          </Group>
          <Text size="xs" c="dimmed">
            {formatDateTime(item.createdAt)}
            {item.sender ? ` · from ${item.sender}` : ''}
          </Text>
        </Group>
        <Text fw={600} style={{ wordBreak: 'break-word' }}>
          {item.title}
        </Text>
        {item.description && (
          <Text size="sm" className="pre-wrap" lineClamp={8}>
            {item.description}
          </Text>
        )}
        {item.reason && (
          <Text size="xs" c="dimmed">
            Here because {REASON_WORDS[item.reason] ?? item.reason.replaceAll('_', ' ')}.
          </Text>
        )}
        {item.reason === 'unauthenticated_sender' && item.data.senderAuthentication && (
          <Text size="xs" c="dimmed">
            Sender check: {item.data.senderAuthentication}.
          </Text>
        )}
        {item.status !== 'open' && (
          <Text size="sm">
            {item.status === 'promoted' ? 'Promoted' : 'Dismissed'} {formatDateTime(item.decidedAt)}
            {item.decisionNote ? `: ${item.decisionNote}` : ''}
            {item.incidentId && (
              <>
                {' '}
                — <IncidentLink id={item.incidentId} />
              </>
            )}
          </Text>
        )}
        {isWriter && item.status === 'open' && (
          <Group gap="xs">
            <Button size="compact-sm" variant={action === 'promote' ? 'filled' : 'light'} onClick={() => setAction((a) => (a === 'promote' ? null : 'promote'))} aria-expanded={action === 'promote'}>
              Promote to incident
            </Button>
            <Button size="compact-sm" color="gray" variant={action === 'dismiss' ? 'filled' : 'light'} onClick={() => setAction((a) => (a === 'dismiss' ? null : 'dismiss'))} aria-expanded={action === 'dismiss'}>
              Dismiss
            </Button>
          </Group>
        )}
        {action === 'promote' && <PromoteForm item={item} components={components} clients={clients} />}
        {action === 'dismiss' && <DismissForm item={item} onDone={() => setAction(null)} />}
      </Stack>
    </Paper>
  );
}

/** The incident an item became, by its key. */
function IncidentLink({ id }: { id: string }) {
  const incident = useQuery({ queryKey: ['incident', id], queryFn: () => api.get<{ key: string }>(`/incidents/${id}`) });
  if (!incident.data) return <span>the incident</span>;
  return (
    <AnchorLink to="/incidents/$key" params={{ key: incident.data.key }} size="sm">
      {incident.data.key}
    </AnchorLink>
  );
}

function PromoteForm({ item, components, clients }: { item: TriageItem; components: Component[]; clients: Map<string, Client> }) {
  const navigate = useNavigate();
  const [title, setTitle] = useState(item.title.slice(0, 200));
  const [severity, setSeverity] = useState<'' | Severity>('');
  const [componentIds, setComponentIds] = useState<string[]>([]);
  const [clientId, setClientId] = useState(item.clientId ?? '');
  const [note, setNote] = useState('');
  const promote = useApiMutation(
    (b: Record<string, unknown>) => api.post<{ incident: { key: string } }>(`/triage/${item.id}/promotion`, b),
    [KEY, ['incidents']],
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    promote.mutate(
      { title: title.trim(), ...(severity && { severity }), ...(componentIds.length && { componentIds }), clientId: clientId || null, note: note.trim() || null },
      {
        onSuccess: (res) => {
          notifications.show({ color: 'teal', message: `${res.incident.key} opened.` });
          void navigate({ to: '/incidents/$key', params: { key: res.incident.key } });
        },
      },
    );
  };
  return (
    <form onSubmit={submit} aria-label="Promote to an incident">
      <Stack gap="xs">
        <TextInput label="Incident title" required value={title} onChange={(e) => setTitle(e.currentTarget.value)} />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          <NativeSelect
            label="Severity (optional)"
            value={severity}
            onChange={(e) => setSeverity(e.currentTarget.value as typeof severity)}
            data={[{ value: '', label: 'Decide when classifying' }, ...(['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const).map((s) => ({ value: s, label: SEVERITY_WORDS[s] }))]}
          />
          <NativeSelect
            label="Reported by client (optional)"
            value={clientId}
            onChange={(e) => setClientId(e.currentTarget.value)}
            data={[{ value: '', label: 'No client' }, ...[...clients.values()].sort((a, b) => a.name.localeCompare(b.name)).map((c) => ({ value: c.id, label: c.name }))]}
          />
        </SimpleGrid>
        <MultiSelect label="Components (optional)" searchable data={components.map((c) => ({ value: c.id, label: c.name }))} value={componentIds} onChange={setComponentIds} />
        <TextInput label="Note for the timeline (optional)" value={note} onChange={(e) => setNote(e.currentTarget.value)} />
        <ProblemAlert error={promote.error} title="Not promoted" />
        <Button type="submit" size="xs" w="fit-content" loading={promote.isPending} disabled={!title.trim()}>
          Open the incident
        </Button>
      </Stack>
    </form>
  );
}

function DismissForm({ item, onDone }: { item: TriageItem; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const dismiss = useApiMutation((b: { reason: string }) => api.post<TriageItem>(`/triage/${item.id}/dismissal`, b), [KEY]);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        dismiss.mutate({ reason: reason.trim() }, { onSuccess: () => (notifications.show({ color: 'teal', message: 'Dismissed.' }), onDone()) });
      }}
      aria-label="Dismiss"
    >
      <Stack gap="xs">
        <Textarea label="Why it is not an incident" required autosize minRows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
        <ProblemAlert error={dismiss.error} title="Not dismissed" />
        <Group gap="xs">
          <Button type="submit" size="xs" color="gray" loading={dismiss.isPending} disabled={!reason.trim()}>
            Dismiss it
          </Button>
          <Button size="xs" variant="default" onClick={onDone}>
            Keep it
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
