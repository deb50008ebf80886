// Maintenance windows: planned changes (clients are told in advance, per their tier's notice
// schedule) and emergency changes (justified, communicated at once). List, schedule, reschedule, cancel.
import { Badge, Button, Checkbox, Group, MultiSelect, NativeSelect, Paper, SegmentedControl, SimpleGrid, Skeleton, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { api, qs } from '../api/http';
import { byId, useApiMutation, useClients, useComponents } from '../api/queries';
import type { Client, Component, Page } from '../api/types';
import { formatDateTime, fromLocalInput, toLocalInput } from '../app/format';
import { useSession } from '../app/session';
import { PageTitle, ProblemAlert, Section } from '../app/ui-kit';

type MaintenanceState = 'scheduled' | 'in_progress' | 'completed' | 'cancelled';

interface MaintenanceWindow {
  id: string;
  key: string;
  title: string;
  description: string;
  kind: 'planned' | 'emergency';
  justification: string | null;
  isInternal: boolean;
  state: MaintenanceState;
  startsAt: string;
  endsAt: string;
  componentIds: string[];
  clientIds: string[];
  cancelReason: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

const STATE_WORDS: Record<MaintenanceState, string> = { scheduled: 'Scheduled', in_progress: 'In progress', completed: 'Completed', cancelled: 'Cancelled' };
const STATE_COLOR: Record<MaintenanceState, string> = { scheduled: 'blue', in_progress: 'orange', completed: 'teal', cancelled: 'gray' };
const KEY = ['maintenance'] as const;

export function MaintenancePage() {
  const { isWriter } = useSession();
  const [state, setState] = useState<'' | MaintenanceState>('');
  const windows = useQuery({ queryKey: [...KEY, state], queryFn: () => api.get<Page<MaintenanceWindow>>(`/maintenance${qs({ state, limit: 200 })}`) });
  const components = useComponents();
  const clients = useClients();
  const clientsById = useMemo(() => byId(clients.data), [clients.data]);
  const items = [...(windows.data?.items ?? [])].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  return (
    <Stack>
      <PageTitle>Maintenance</PageTitle>
      <Text size="sm" c="dimmed" maw={760}>
        Planned changes are announced to the clients that use their components ahead of time, as each client tier’s notice schedule says; emergency changes need a justification and are
        announced at once. Moving or cancelling a window tells the clients already told.
      </Text>
      {isWriter && <NewWindow components={components.data ?? []} />}
      <Section
        title="Windows"
        id="windows"
        actions={
          <SegmentedControl
            size="xs"
            value={state}
            onChange={(v) => setState(v as typeof state)}
            aria-label="Show windows"
            data={[
              { value: '', label: 'All' },
              { value: 'scheduled', label: 'Scheduled' },
              { value: 'in_progress', label: 'In progress' },
              { value: 'completed', label: 'Done' },
              { value: 'cancelled', label: 'Cancelled' },
            ]}
          />
        }
      >
        <ProblemAlert error={windows.error} title="Could not load the windows" />
        {windows.isPending ? (
          <Skeleton h={120} />
        ) : items.length === 0 ? (
          <Text size="sm" c="dimmed">
            {state ? 'No window in this state.' : 'No maintenance window yet.'}
          </Text>
        ) : (
          <Stack gap="sm">
            {items.map((w) => (
              <WindowCard key={w.id} window={w} components={components.data ?? []} clients={clientsById} />
            ))}
          </Stack>
        )}
      </Section>
    </Stack>
  );
}

function WindowCard({ window: w, components, clients }: { window: MaintenanceWindow; components: Component[]; clients: Map<string, Client> }) {
  const { isWriter } = useSession();
  const [action, setAction] = useState<null | 'reschedule' | 'cancel'>(null);
  const names = w.componentIds.map((id) => components.find((c) => c.id === id)?.name ?? 'a component');
  const clientNames = w.clientIds.map((id) => clients.get(id)?.name ?? 'a client');
  return (
    <Paper withBorder p="sm" data-maintenance={w.key} data-state={w.state}>
      <Stack gap={6}>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Group gap={6} wrap="wrap">
            <Text span c="dimmed" fw={700} size="sm">
              {w.key}
            </Text>
            <Badge color={STATE_COLOR[w.state]} variant="light">
              {STATE_WORDS[w.state]}
            </Badge>
            {w.kind === 'emergency' && (
              <Badge color="red" variant="filled">
                Emergency
              </Badge>
            )}
            {w.isInternal && (
              <Badge color="gray" variant="outline">
                Internal
              </Badge>
            )}
          </Group>
          <Text size="sm" fw={600} style={{ fontVariantNumeric: 'tabular-nums' }}>
            {formatDateTime(w.startsAt)} – {formatDateTime(w.endsAt)}
          </Text>
        </Group>
        <Text fw={600}>{w.title}</Text>
        {w.description && (
          <Text size="sm" className="pre-wrap">
            {w.description}
          </Text>
        )}
        {w.justification && (
          <Text size="sm">
            <Text span c="dimmed" size="sm">
              Why it cannot wait:
            </Text>{' '}
            {w.justification}
          </Text>
        )}
        <Text size="xs" c="dimmed">
          Components: {names.length ? names.join(', ') : 'none'} · Clients: {clientNames.length ? clientNames.join(', ') : 'none'}
        </Text>
        {w.state === 'cancelled' && w.cancelReason && (
          <Text size="sm" c="dimmed">
            Cancelled: {w.cancelReason}
          </Text>
        )}
        {isWriter && w.state === 'scheduled' && (
          <Group gap="xs">
            <Button size="compact-sm" variant={action === 'reschedule' ? 'filled' : 'light'} onClick={() => setAction((a) => (a === 'reschedule' ? null : 'reschedule'))} aria-expanded={action === 'reschedule'}>
              Reschedule
            </Button>
            <Button size="compact-sm" color="red" variant={action === 'cancel' ? 'filled' : 'light'} onClick={() => setAction((a) => (a === 'cancel' ? null : 'cancel'))} aria-expanded={action === 'cancel'}>
              Cancel window
            </Button>
          </Group>
        )}
        {action === 'reschedule' && <RescheduleForm window={w} onDone={() => setAction(null)} />}
        {action === 'cancel' && <CancelForm window={w} onDone={() => setAction(null)} />}
      </Stack>
    </Paper>
  );
}

function RescheduleForm({ window: w, onDone }: { window: MaintenanceWindow; onDone: () => void }) {
  const [startsAt, setStartsAt] = useState(toLocalInput(w.startsAt));
  const [endsAt, setEndsAt] = useState(toLocalInput(w.endsAt));
  const [note, setNote] = useState('');
  const move = useApiMutation((b: { startsAt: string | null; endsAt: string | null; note: string | null }) => api.post<MaintenanceWindow>(`/maintenance/${w.key}/reschedule`, b), [KEY]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    move.mutate(
      { startsAt: fromLocalInput(startsAt), endsAt: fromLocalInput(endsAt), note: note.trim() || null },
      { onSuccess: () => (notifications.show({ color: 'teal', message: `${w.key} moved.` }), onDone()) },
    );
  };
  return (
    <form onSubmit={submit} aria-label={`Reschedule ${w.key}`}>
      <Stack gap="xs">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="xs">
          <TextInput type="datetime-local" label="New start" required value={startsAt} onChange={(e) => setStartsAt(e.currentTarget.value)} />
          <TextInput type="datetime-local" label="New end" required value={endsAt} onChange={(e) => setEndsAt(e.currentTarget.value)} />
          <TextInput label="Why it moves (optional)" value={note} onChange={(e) => setNote(e.currentTarget.value)} />
        </SimpleGrid>
        <ProblemAlert error={move.error} title="Not moved" />
        <Group gap="xs">
          <Button type="submit" size="xs" loading={move.isPending}>
            Move the window
          </Button>
          <Button size="xs" variant="default" onClick={onDone}>
            Keep it
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function CancelForm({ window: w, onDone }: { window: MaintenanceWindow; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const cancel = useApiMutation((b: { reason: string }) => api.post<MaintenanceWindow>(`/maintenance/${w.key}/cancel`, b), [KEY]);
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        cancel.mutate({ reason: reason.trim() }, { onSuccess: () => (notifications.show({ color: 'teal', message: `${w.key} cancelled.` }), onDone()) });
      }}
      aria-label={`Cancel ${w.key}`}
    >
      <Stack gap="xs">
        <Textarea label="Why it is cancelled (clients already told read it)" required autosize minRows={2} value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
        <ProblemAlert error={cancel.error} title="Not cancelled" />
        <Group gap="xs">
          <Button type="submit" size="xs" color="red" loading={cancel.isPending} disabled={!reason.trim()}>
            Cancel the window
          </Button>
          <Button size="xs" variant="default" onClick={onDone}>
            Keep it
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function NewWindow({ components }: { components: Component[] }) {
  const [isOpen, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [kind, setKind] = useState<'planned' | 'emergency'>('planned');
  const [justification, setJustification] = useState('');
  const [componentIds, setComponentIds] = useState<string[]>([]);
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [isInternal, setInternal] = useState(false);
  const create = useApiMutation((b: Record<string, unknown>) => api.post<MaintenanceWindow>('/maintenance', b), [KEY]);
  if (!isOpen) {
    return (
      <Button w="fit-content" onClick={() => setOpen(true)}>
        Schedule maintenance
      </Button>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(
      {
        title,
        description,
        kind,
        justification: kind === 'emergency' ? justification.trim() || null : null,
        componentIds,
        startsAt: fromLocalInput(startsAt),
        endsAt: fromLocalInput(endsAt),
        isInternal,
      },
      {
        onSuccess: (w) => {
          notifications.show({ color: 'teal', message: `${w.key} scheduled.` });
          setOpen(false);
          setTitle('');
          setDescription('');
          setJustification('');
          setComponentIds([]);
        },
      },
    );
  };
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} aria-label="New maintenance window">
      <Stack gap="xs">
        <Text fw={600}>New maintenance window</Text>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          <TextInput label="Title" required value={title} onChange={(e) => setTitle(e.currentTarget.value)} placeholder="Database upgrade" />
          <NativeSelect
            label="Kind"
            value={kind}
            onChange={(e) => setKind(e.currentTarget.value as typeof kind)}
            data={[
              { value: 'planned', label: 'Planned: announced ahead' },
              { value: 'emergency', label: 'Emergency: announced at once' },
            ]}
          />
        </SimpleGrid>
        <Textarea label="What clients should know" autosize minRows={2} value={description} onChange={(e) => setDescription(e.currentTarget.value)} />
        {kind === 'emergency' && <Textarea label="Why it cannot wait" required autosize minRows={2} value={justification} onChange={(e) => setJustification(e.currentTarget.value)} />}
        <MultiSelect label="Components" required searchable data={components.map((c) => ({ value: c.id, label: c.name }))} value={componentIds} onChange={setComponentIds} />
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
          <TextInput type="datetime-local" label={kind === 'emergency' ? 'Start (empty: now)' : 'Start'} required={kind === 'planned'} value={startsAt} onChange={(e) => setStartsAt(e.currentTarget.value)} />
          <TextInput type="datetime-local" label="End" required value={endsAt} onChange={(e) => setEndsAt(e.currentTarget.value)} />
        </SimpleGrid>
        <Checkbox label="Internal only: no client is told" checked={isInternal} onChange={(e) => setInternal(e.currentTarget.checked)} />
        <ProblemAlert error={create.error} title="Not scheduled" />
        <Group gap="xs">
          <Button type="submit" loading={create.isPending} disabled={!title.trim() || componentIds.length === 0}>
            {kind === 'emergency' ? 'Record the emergency change' : 'Schedule'}
          </Button>
          <Button variant="default" onClick={() => setOpen(false)}>
            Close
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
