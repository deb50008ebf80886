// The local outbox: every copy Herald "sent" when no SMTP is configured, newest first.
import { Badge, Button, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { byId, useClients, useOutbox } from '../api/queries';
import { formatDateTime } from '../app/format';
import { AnchorLink, MessageText, PageTitle, ProblemAlert } from '../app/ui-kit';

export function OutboxPage() {
  const [to, setTo] = useState('');
  const [filterTo, setFilterTo] = useState<string | undefined>(undefined);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors.at(-1) ?? null;
  const outbox = useOutbox({ to: filterTo }, cursor);
  const clients = useClients();
  const clientsById = byId(clients.data);
  return (
    <Stack>
      <PageTitle>Local outbox</PageTitle>
      <Text size="sm" c="dimmed">
        With no SMTP server configured, Herald keeps every message here instead of e-mailing it: one entry per recipient.
      </Text>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setFilterTo(to.trim() || undefined);
          setCursors([null]);
        }}
      >
        <Group align="flex-end" gap="xs">
          <TextInput label="Recipient address" type="email" placeholder="someone@client.example" value={to} onChange={(e) => setTo(e.currentTarget.value)} style={{ flex: 1, maxWidth: 360 }} />
          <Button type="submit" variant="default">
            Filter
          </Button>
        </Group>
      </form>
      <ProblemAlert error={outbox.error} />
      {outbox.data?.items.length === 0 && <Text c="dimmed">Nothing sent yet.</Text>}
      {(outbox.data?.items ?? []).map((r) => (
        <Paper key={r.id} withBorder p="sm" data-outbox-to={r.to}>
          <Group justify="space-between" gap="xs" wrap="wrap">
            <Text size="sm" fw={600}>
              {r.subject}
            </Text>
            <Text size="xs" c="dimmed">
              {formatDateTime(r.sentAt ?? r.createdAt)}
            </Text>
          </Group>
          <Text size="sm">
            To {r.toName ? `${r.toName} <${r.to}>` : r.to} · {clientsById.get(r.clientId)?.name ?? 'client'}{' '}
            <Badge size="xs" variant="light" color={r.status === 'sent' ? 'teal' : 'gray'}>
              {r.status}
            </Badge>{' '}
            {r.incidentId && (
              <>
                ·{' '}
                <AnchorLink to="/incidents/$key" params={{ key: r.incidentId }} size="sm">
                  open the incident
                </AnchorLink>
              </>
            )}
          </Text>
          <details>
            <summary>
              <Text span size="xs">
                Show the message
              </Text>
            </summary>
            <MessageText label={`The message to ${r.to}`}>{r.text}</MessageText>
          </details>
        </Paper>
      ))}
      <Group>
        {cursors.length > 1 && (
          <Button variant="default" onClick={() => setCursors(cursors.slice(0, -1))}>
            Newer
          </Button>
        )}
        {outbox.data?.nextCursor && (
          <Button variant="default" onClick={() => setCursors([...cursors, outbox.data!.nextCursor])}>
            Older
          </Button>
        )}
      </Group>
    </Stack>
  );
}
