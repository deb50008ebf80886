// What a client user sees first: their organisation's incidents, open first.
import { Badge, Button, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import { useIncidents } from '../api/queries';
import type { ClientIncident } from '../api/types';
import { formatDateTime } from '../app/format';
import { AnchorLink, PageTitle, ProblemAlert, SeverityBadge, TechStateBadge } from '../app/ui-kit';

export function ClientHome() {
  const incidents = useIncidents<ClientIncident>({}, 100);
  const items = incidents.data?.items ?? [];
  const open = items.filter((i) => i.stage === 'open');
  const closed = items.filter((i) => i.stage === 'closed');
  return (
    <Stack>
      <PageTitle
        actions={
          <Button component={Link} to="/report">
            Report an incident
          </Button>
        }
      >
        Your incidents
      </PageTitle>
      <ProblemAlert error={incidents.error} title="Could not load incidents" />
      {incidents.isPending ? (
        <Skeleton h={80} />
      ) : (
        <>
          <section aria-labelledby="client-open">
            <Title order={2} size="h4" id="client-open" mb="xs">
              Open ({open.length})
            </Title>
            {open.length === 0 ? (
              <Text c="dimmed">Nothing open that affects you.</Text>
            ) : (
              <Stack gap="xs" data-testid="client-incidents">
                {open.map((i) => (
                  <ClientIncidentRow key={i.id} incident={i} />
                ))}
              </Stack>
            )}
          </section>
          <section aria-labelledby="client-closed">
            <Title order={2} size="h4" id="client-closed" mb="xs">
              Closed
            </Title>
            {closed.length === 0 ? (
              <Text c="dimmed">None.</Text>
            ) : (
              <Stack gap="xs">
                {closed.map((i) => (
                  <ClientIncidentRow key={i.id} incident={i} />
                ))}
              </Stack>
            )}
          </section>
        </>
      )}
    </Stack>
  );
}

function ClientIncidentRow({ incident: i }: { incident: ClientIncident }) {
  return (
    <Paper withBorder p="sm" data-incident={i.key}>
      <Group justify="space-between" gap="xs" wrap="wrap">
        <AnchorLink to="/incidents/$key" params={{ key: i.key }} fw={600}>
          <Text span c="dimmed" fw={700} mr={6}>
            {i.key}
          </Text>
          {i.title}
        </AnchorLink>
        <Group gap={4}>
          {i.severity && <SeverityBadge severity={i.severity} />}
          <TechStateBadge state={i.techState} />
          {i.isReportedByYou && (
            <Badge variant="outline" color="gray">
              Reported by you
            </Badge>
          )}
        </Group>
      </Group>
      <Text size="xs" c="dimmed" mt={4}>
        Reported {formatDateTime(i.reportedAt)}
        {i.resolvedAt ? ` · resolved ${formatDateTime(i.resolvedAt)}` : ''}
      </Text>
    </Paper>
  );
}
