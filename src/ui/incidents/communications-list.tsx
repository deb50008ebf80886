// Messages sent on the incident, each with its recipients and what became of each delivery.
import { Badge, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useCommunications } from '../api/queries';
import type { Client, Communication, User } from '../api/types';
import { formatDateTime, KIND_WORDS } from '../app/format';
import { Section } from '../app/ui-kit';

const DELIVERY_COLOR: Record<string, string> = { sent: 'teal', delivered: 'teal', queued: 'blue', pending: 'blue', retrying: 'orange', failed: 'red', dead: 'red', bounced: 'red' };

export function CommunicationsList({ incidentKey, clients, users }: { incidentKey: string; clients: Map<string, Client>; users: Map<string, User> }) {
  const comms = useCommunications(incidentKey);
  const items = [...(comms.data ?? [])].reverse();
  return (
    <Section title="Messages sent" id="communications">
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">
          No client message yet.
        </Text>
      ) : (
        <Stack gap="sm">
          {items.map((c) => (
            <CommunicationCard key={c.id} communication={c} clients={clients} users={users} />
          ))}
        </Stack>
      )}
    </Section>
  );
}

export function CommunicationCard({ communication: c, clients, users }: { communication: Communication; clients: Map<string, Client>; users?: Map<string, User> }) {
  return (
    <Paper withBorder p="sm" data-communication={c.kind}>
      <Stack gap={6}>
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Group gap="xs">
            <Badge variant="light">{KIND_WORDS[c.kind]}</Badge>
            {c.status && c.status !== 'sent' && (
              <Badge variant="outline" color="orange">
                {c.status.replaceAll('_', ' ')}
              </Badge>
            )}
            <Text size="sm" fw={600}>
              {c.subject}
            </Text>
          </Group>
          <Text size="xs" c="dimmed">
            {formatDateTime(c.createdAt)}
            {c.createdBy && users ? ` by ${users.get(c.createdBy)?.name ?? 'a user'}` : ''}
          </Text>
        </Group>
        <Table.ScrollContainer minWidth={420}>
          <Table striped withTableBorder fz="xs" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>To</Table.Th>
                <Table.Th>Client</Table.Th>
                <Table.Th>Channel</Table.Th>
                <Table.Th>Result</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {c.recipients.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>
                    {r.toName ? `${r.toName} <${r.to}>` : r.to}
                  </Table.Td>
                  <Table.Td>{clients.get(r.clientId)?.name ?? '—'}</Table.Td>
                  <Table.Td>{r.channel === 'outbox' ? 'local outbox' : r.channel}</Table.Td>
                  <Table.Td>
                    <Badge size="xs" color={DELIVERY_COLOR[r.status] ?? 'gray'} variant="light">
                      {r.status}
                    </Badge>{' '}
                    {r.sentAt ? formatDateTime(r.sentAt) : ''}
                    {r.status !== 'sent' && r.result ? (
                      <Text size="xs" c="red">
                        {r.result}
                      </Text>
                    ) : null}
                    {r.status !== 'sent' && (r.attempts ?? 0) > 0 ? (
                      <Text size="xs" c="dimmed">
                        {r.attempts} attempt{r.attempts === 1 ? '' : 's'}
                        {r.nextAttemptAt ? `, next ${formatDateTime(r.nextAttemptAt)}` : ''}
                      </Text>
                    ) : null}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {c.recipients[0] && (
          <details>
            <summary>
              <Text span size="xs">
                Show the text {c.recipients.length > 1 ? `(as sent to ${c.recipients[0].toName ?? c.recipients[0].to})` : ''}
              </Text>
            </summary>
            <div className="message-text">{c.recipients[0].text}</div>
          </details>
        )}
      </Stack>
    </Paper>
  );
}
