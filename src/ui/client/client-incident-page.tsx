// A client user's view of one incident: its state, the impact on their services, and every message
// and RCA their organisation received.
import { Anchor, Badge, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import { useCommunicationRecipients, useComponents, useCommunications, useIncident } from '../api/queries';
import type { ClientIncident, Communication } from '../api/types';
import { COMPONENT_STATUS_WORDS, formatDateTime, KIND_WORDS } from '../app/format';
import { useSession } from '../app/session';
import { ProblemAlert, Section, SeverityBadge, TechStateBadge } from '../app/ui-kit';
import { MessageCopy } from '../incidents/message-copy';

export function ClientIncidentPage({ incidentKey }: { incidentKey: string }) {
  const incident = useIncident<ClientIncident>(incidentKey);
  const comms = useCommunications(incidentKey);
  const components = useComponents();
  const i = incident.data;
  if (incident.isError) return <ProblemAlert error={incident.error} title={`Could not load ${incidentKey}`} />;
  if (!i) return <Skeleton h={200} />;
  const messages = [...(comms.data ?? [])].filter((m) => m.status === 'sent').reverse();
  return (
    <Stack maw={860}>
      <Anchor component={Link} to="/" size="sm">
        ← Your incidents
      </Anchor>
      <Group gap="xs">
        <Text fw={700} c="dimmed" size="lg">
          {i.key}
        </Text>
        {i.severity && <SeverityBadge severity={i.severity} size="lg" />}
        <TechStateBadge state={i.techState} size="lg" />
        <Badge variant="outline" color="gray" size="lg">
          {i.stage === 'closed' ? 'Closed' : 'Open'}
        </Badge>
      </Group>
      <Title order={1} size="h2">
        {i.title}
      </Title>
      {i.description && <Text className="pre-wrap">{i.description}</Text>}
      <Text size="xs" c="dimmed">
        Reported {formatDateTime(i.reportedAt)}
        {i.resolvedAt ? ` · resolved ${formatDateTime(i.resolvedAt)}` : ''}
        {i.closedAt ? ` · closed ${formatDateTime(i.closedAt)}` : ''}
      </Text>
      {i.impacts.length > 0 && (
        <Section title="Your services">
          <Stack gap={4}>
            {i.impacts.map((x) => (
              <Text key={x.componentId} size="sm">
                {components.data?.find((c) => c.id === x.componentId)?.name ?? 'Service'}: <b>{COMPONENT_STATUS_WORDS[x.status]}</b>
              </Text>
            ))}
          </Stack>
        </Section>
      )}
      <Section title="Messages to you" id="messages">
        {messages.length === 0 ? (
          <Text size="sm" c="dimmed">
            {i.isAffectingYou ? 'No message yet: the first notice comes soon.' : 'We are looking into your report.'}
          </Text>
        ) : (
          <Stack gap="sm">
            {messages.map((m) => (
              <Paper key={m.id} withBorder p="sm" data-communication={m.kind}>
                <Group justify="space-between" gap="xs" mb={6}>
                  <Group gap="xs">
                    <Badge variant="light">{KIND_WORDS[m.kind]}</Badge>
                    <Text size="sm" fw={600}>
                      {m.subject}
                    </Text>
                  </Group>
                  <Text size="xs" c="dimmed">
                    {formatDateTime(m.sentAt ?? m.createdAt)}
                  </Text>
                </Group>
                <ClientCopy incidentKey={incidentKey} message={m} />
              </Paper>
            ))}
          </Stack>
        )}
      </Section>
    </Stack>
  );
}

/** The copy addressed to this person where there is one, else the first e-mail to their organisation (from the first page of its copies). */
function ClientCopy({ incidentKey, message: m }: { incidentKey: string; message: Communication }) {
  const { user } = useSession();
  const pages = useCommunicationRecipients(incidentKey, m.id, 200, m.recipientCounts.total > 0);
  const copies = pages.data?.pages[0]?.items ?? [];
  const copy = copies.find((r) => r.to.toLowerCase() === user.email.toLowerCase()) ?? copies.find((r) => r.channel === 'email' || r.channel === 'outbox') ?? copies[0];
  return copy ? <MessageCopy copy={copy} label={`To ${copy.toName ?? copy.to}`} isSubjectHidden isChannelShown={false} /> : null;
}
