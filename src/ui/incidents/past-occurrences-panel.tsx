// Earlier incidents of each affected client on the same components, with their RCAs: what the
// initial notice lists, and what a responder checks for a pattern.
import { Stack, Text } from '@mantine/core';
import type { Client, Incident } from '../api/types';
import { Section } from '../app/ui-kit';
import { PastOccurrences } from './composer';

/** More clients than this would mean one request each on every visit; the composer shows the rest. */
const MAX_CLIENTS = 12;

export function PastOccurrencesPanel({ incident: i, clients }: { incident: Incident; clients: Map<string, Client> }) {
  if (!i.affectedClients.length || !i.impacts.length) return null;
  const shown = i.affectedClients.slice(0, MAX_CLIENTS);
  return (
    <Section title="Past occurrences" id="past-occurrences">
      <Stack gap={6}>
        {shown.map((c) => (
          <PastOccurrences key={c.clientId} incidentKey={i.key} clientId={c.clientId} clientName={clients.get(c.clientId)?.name ?? 'A client'} />
        ))}
        {i.affectedClients.length > MAX_CLIENTS && (
          <Text size="xs" c="dimmed">
            And {i.affectedClients.length - MAX_CLIENTS} more clients: choose them in the composer to see theirs.
          </Text>
        )}
      </Stack>
    </Section>
  );
}
