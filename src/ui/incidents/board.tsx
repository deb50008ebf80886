// The incidents board: open incidents first (most urgent deadline on top), both tracks, the next
// obligation with a live countdown, the roles; filters by client, component, severity and state.
import { Badge, Box, Button, Group, Paper, Select, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { byId, useClients, useComponents, useIncidents, useUsers, type IncidentFilters } from '../api/queries';
import type { Client, Incident, User } from '../api/types';
import { formatDateTime, KIND_WORDS, SEVERITY_COLOR, STAGE_WORDS, TECH_STATE_WORDS } from '../app/format';
import { useSession } from '../app/session';
import { AnchorLink, Countdown, PageTitle, ProblemAlert, SeverityBadge, TechStateBadge } from '../app/ui-kit';

const SEVERITY_OPTIONS = ['SEV1', 'SEV2', 'SEV3', 'SEV4'].map((s) => ({ value: s, label: s }));
const STATE_OPTIONS = Object.entries(TECH_STATE_WORDS).map(([value, label]) => ({ value, label }));

/** Most urgent first: the nearest deadline, then the worst severity, then the newest. */
function byUrgency(a: Incident, b: Incident): number {
  const due = (i: Incident) => (i.nextObligation ? Date.parse(i.nextObligation.dueAt) : Infinity);
  const sev = (i: Incident) => (i.severity ? Number(i.severity.slice(3)) : 0);
  return due(a) - due(b) || sev(a) - sev(b) || Date.parse(b.reportedAt) - Date.parse(a.reportedAt);
}

export function Board() {
  const { isWriter } = useSession();
  const [filters, setFilters] = useState<IncidentFilters>({});
  const clients = useClients();
  const components = useComponents();
  const users = useUsers();
  const open = useIncidents({ ...filters, stage: 'open' });
  const closed = useIncidents({ ...filters, stage: 'closed' }, 15);
  const clientsById = useMemo(() => byId(clients.data), [clients.data]);
  const usersById = useMemo(() => byId(users.data), [users.data]);
  const openItems = useMemo(() => [...(open.data?.items ?? [])].sort(byUrgency), [open.data]);
  const set = (k: keyof IncidentFilters) => (v: string | null) => setFilters((f) => ({ ...f, [k]: v ?? undefined }));
  const hasFilters = Object.values(filters).some(Boolean);

  return (
    <Stack>
      <PageTitle
        actions={
          isWriter && (
            <Button component={Link} to="/report">
              Report an incident
            </Button>
          )
        }
      >
        Incidents
      </PageTitle>
      <Paper withBorder p="sm" component="form" role="search" aria-label="Filter incidents" onSubmit={(e) => e.preventDefault()}>
        <SimpleGrid cols={{ base: 2, md: 4 }} spacing="xs">
          <Select label="Client" placeholder="All clients" clearable searchable data={(clients.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={filters.clientId ?? null} onChange={set('clientId')} />
          <Select label="Component" placeholder="All components" clearable searchable data={(components.data ?? []).map((c) => ({ value: c.id, label: c.name }))} value={filters.componentId ?? null} onChange={set('componentId')} />
          <Select label="Severity" placeholder="All severities" clearable data={SEVERITY_OPTIONS} value={filters.severity ?? null} onChange={set('severity')} />
          <Select label="Technical state" placeholder="All states" clearable data={STATE_OPTIONS} value={filters.techState ?? null} onChange={set('techState')} />
        </SimpleGrid>
        {hasFilters && (
          <Button variant="subtle" size="xs" mt="xs" onClick={() => setFilters({})}>
            Clear filters
          </Button>
        )}
      </Paper>

      <section aria-labelledby="open-heading">
        <Group justify="space-between" mb="xs">
          <Title order={2} size="h4" id="open-heading">
            Open {open.data ? `(${openItems.length})` : ''}
          </Title>
          <Text size="xs" c="dimmed">
            Nearest deadline first
          </Text>
        </Group>
        <ProblemAlert error={open.error} title="Could not load incidents" />
        {open.isPending ? (
          <Skeleton h={88} />
        ) : openItems.length === 0 ? (
          <Paper withBorder p="lg">
            <Text c="dimmed">{hasFilters ? 'No open incident matches these filters.' : 'No open incidents. All quiet.'}</Text>
          </Paper>
        ) : (
          <Stack gap="xs" data-testid="open-incidents">
            {openItems.map((i) => (
              <IncidentRow key={i.id} incident={i} clients={clientsById} users={usersById} />
            ))}
          </Stack>
        )}
      </section>

      <section aria-labelledby="closed-heading">
        <Title order={2} size="h4" id="closed-heading" mb="xs">
          Recently closed
        </Title>
        {closed.data && closed.data.items.length === 0 ? (
          <Text c="dimmed" size="sm">
            None yet.
          </Text>
        ) : (
          <Stack gap="xs">
            {(closed.data?.items ?? []).map((i) => (
              <IncidentRow key={i.id} incident={i} clients={clientsById} users={usersById} />
            ))}
          </Stack>
        )}
      </section>
    </Stack>
  );
}

function IncidentRow({ incident: i, clients, users }: { incident: Incident; clients: Map<string, Client>; users: Map<string, User> }) {
  const name = (id: string | null) => (id ? (users.get(id)?.name ?? 'someone') : null);
  const team = i.roles.technicalTeamIds.map((id) => name(id)).filter(Boolean);
  const clientNames = i.affectedClients.map((c) => clients.get(c.clientId)?.name ?? 'a client');
  return (
    <Paper
      withBorder
      p="sm"
      className="incident-row"
      // A closed row is not faded: faded text would fall below 4.5:1 contrast. It sits under "Recently closed".
      style={{ ['--severity-color' as string]: i.severity ? `var(--mantine-color-${SEVERITY_COLOR[i.severity]}-filled)` : undefined }}
      data-incident={i.key}
    >
      <Stack gap={4}>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Group gap={6} wrap="wrap">
            <Text span c="dimmed" fw={700} size="sm">
              {i.key}
            </Text>
            <SeverityBadge severity={i.severity} />
            <TechStateBadge state={i.techState} />
            {i.stage !== 'reported' && (
              <Badge variant="outline" color="gray">
                {STAGE_WORDS[i.stage]}
              </Badge>
            )}
          </Group>
          <Box visibleFrom="sm">
            <NextOwed incident={i} clients={clients} />
          </Box>
        </Group>
        <AnchorLink to="/incidents/$key" params={{ key: i.key }} fw={600} size="md">
          {i.title}
        </AnchorLink>
        <Box hiddenFrom="sm">
          <NextOwed incident={i} clients={clients} />
        </Box>
        {clientNames.length > 0 && (
          <Text size="xs" c="dimmed">
            Affects {clientNames.length <= 4 ? clientNames.join(', ') : `${clientNames.slice(0, 4).join(', ')} and ${clientNames.length - 4} more`}
          </Text>
        )}
        <Text size="xs" c="dimmed">
          IM: {name(i.roles.incidentManagerId) ?? 'unassigned'} · Comms: {name(i.roles.communicationLeadId) ?? 'unassigned'} · Team: {team.length ? team.join(', ') : 'none'} · reported{' '}
          {formatDateTime(i.reportedAt)}
        </Text>
      </Stack>
    </Paper>
  );
}

/** What the incident owes next, with a live countdown; or why nothing is. */
function NextOwed({ incident: i, clients }: { incident: Incident; clients: Map<string, Client> }) {
  const next = i.nextObligation;
  if (next) {
    return (
      <Text size="sm" data-testid="next-obligation">
        {KIND_WORDS[next.kind]}
        {i.affectedClients.length > 1 ? ` to ${clients.get(next.clientId)?.name ?? 'a client'}` : ''}: <Countdown dueAt={next.dueAt} />
      </Text>
    );
  }
  if (i.stage === 'closed') {
    return (
      <Text size="xs" c="dimmed">
        Closed {formatDateTime(i.closedAt)}
      </Text>
    );
  }
  if (i.stage === 'reported') {
    return (
      <Text size="sm" c="red" fw={600}>
        Needs classification
      </Text>
    );
  }
  return (
    <Text size="xs" c="dimmed">
      Nothing owed to clients now
    </Text>
  );
}
