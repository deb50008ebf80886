// One incident, everything a person on call needs: both tracks, roles, the flow picture, the
// classification and disclosures, the composer, what was sent, the public status page, obligations
// and the timeline.
import { Anchor, Grid, Skeleton, Stack } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import { useMemo } from 'react';
import { byId, useClients, useComponents, useIncident, useUsers } from '../api/queries';
import { ProblemAlert } from '../app/ui-kit';
import { ClassificationForm } from './classification-form';
import { ClosePanel } from './close-panel';
import { CommunicationsList } from './communications-list';
import { Composer } from './composer';
import { DisclosuresForm } from './disclosures-form';
import { FlowPicture } from './flow-picture';
import { IncidentHeader, RolesPanel, TechStatePanel } from './incident-header';
import { ObligationsPanel } from './obligations-panel';
import { PastOccurrencesPanel } from './past-occurrences-panel';
import { PublicStatusPanel } from './public-status-panel';
import { IncidentTimeline } from './timeline';

export function IncidentPage({ incidentKey }: { incidentKey: string }) {
  const incident = useIncident(incidentKey);
  const components = useComponents();
  const clients = useClients();
  const users = useUsers();
  const clientsById = useMemo(() => byId(clients.data), [clients.data]);
  const usersById = useMemo(() => byId(users.data), [users.data]);
  const i = incident.data;

  if (incident.isError) return <ProblemAlert error={incident.error} title={`Could not load ${incidentKey}`} />;
  if (!i) return <Skeleton h={240} />;
  const componentList = components.data ?? [];
  const clientList = clients.data ?? [];
  return (
    <Stack gap="md">
      <Anchor component={Link} to="/" size="sm">
        ← All incidents
      </Anchor>
      <IncidentHeader incident={i} users={usersById} />
      <FlowPicture incident={i} />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="md">
            <ClassificationForm key={`${i.classifiedAt}-${i.stage}`} incident={i} components={componentList} clients={clientList} />
            <TechStatePanel incident={i} />
            {i.stage !== 'reported' && i.stage !== 'internal' && <DisclosuresForm key={i.disclosureVersion} incident={i} />}
            <Composer incident={i} clients={clientsById} />
            <CommunicationsList incident={i} clients={clientsById} users={usersById} />
            <PublicStatusPanel key={i.publishedAt ?? 'unpublished'} incident={i} />
            <ClosePanel incident={i} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="md">
            <RolesPanel incident={i} users={usersById} />
            <ObligationsPanel incident={i} clients={clientsById} />
            <PastOccurrencesPanel incident={i} clients={clientsById} />
            <IncidentTimeline incident={i} clients={clientsById} users={usersById} components={componentList} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
