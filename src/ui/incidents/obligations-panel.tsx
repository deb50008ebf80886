// What clients are owed: every obligation with its deadline (live countdown), how it was met, and the
// Incident Manager's waiver with a written reason.
import { Badge, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useObligations } from '../api/queries';
import type { Client, Incident, ObligationRecord } from '../api/types';
import { formatDateTime, KIND_WORDS } from '../app/format';
import { useSession } from '../app/session';
import { Countdown, ProblemAlert, Section } from '../app/ui-kit';
import { useIncidentCommand } from './use-incident-command';

const STATUS_COLOR = { open: 'blue', met: 'teal', waived: 'gray', cancelled: 'gray' } as const;

export function ObligationsPanel({ incident: i, clients }: { incident: Incident; clients: Map<string, Client> }) {
  const all = useObligations(i.key);
  const items = all.data ?? [];
  const open = items.filter((o) => o.status === 'open').sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  const closed = items.filter((o) => o.status !== 'open').sort((a, b) => Date.parse(b.closedAt ?? b.dueAt) - Date.parse(a.closedAt ?? a.dueAt));
  const clientName = (id: string) => clients.get(id)?.name ?? 'a client';
  return (
    <Section title="Obligations to clients" id="obligations">
      {items.length === 0 ? (
        <Text size="sm" c="dimmed">
          {i.stage === 'reported' ? 'Obligations start when the incident is classified as affecting clients.' : 'None.'}
        </Text>
      ) : (
        <Stack gap="xs">
          {open.map((o) => (
            <OpenObligation key={o.id} incident={i} obligation={o} clientName={clientName(o.clientId)} />
          ))}
          {closed.length > 0 && (
            <details>
              <summary>
                <Text span size="sm">
                  {closed.length} fulfilled, waived or cancelled
                </Text>
              </summary>
              <Stack gap={4} mt={6}>
                {closed.map((o) => (
                  <Text key={o.id} size="sm">
                    <Badge size="xs" color={STATUS_COLOR[o.status]} variant="light" mr={6}>
                      {o.status}
                    </Badge>
                    {KIND_WORDS[o.kind]} · {clientName(o.clientId)} · due {formatDateTime(o.dueAt)}
                    {o.status === 'met' && (o.wasOnTime ? ' · on time' : ' · late')}
                    {o.waiver ? ` · “${o.waiver.reason}”` : ''}
                  </Text>
                ))}
              </Stack>
            </details>
          )}
        </Stack>
      )}
    </Section>
  );
}

function OpenObligation({ incident: i, obligation: o, clientName }: { incident: Incident; obligation: ObligationRecord; clientName: string }) {
  const session = useSession();
  const [isWaiving, setWaiving] = useState(false);
  const [reason, setReason] = useState('');
  const waive = useIncidentCommand<{ reason: string; obligationId: string }>(i.key, (b) => `obligations/${b.obligationId}/waiver`, 'Obligation waived.');
  const isIncidentManager = i.roles.incidentManagerId === session.user.id;
  return (
    <Stack gap={4} data-obligation={o.kind}>
      <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
        <div>
          <Text size="sm">
            <b>{KIND_WORDS[o.kind]}</b> to {clientName}
          </Text>
          <Text size="xs" c="dimmed">
            due {formatDateTime(o.dueAt)}
          </Text>
        </div>
        <Group gap={4} wrap="nowrap">
          <Countdown dueAt={o.dueAt} />
          {isIncidentManager && !isWaiving && (
            <Button size="compact-xs" variant="subtle" onClick={() => setWaiving(true)} aria-label={`Waive the ${KIND_WORDS[o.kind].toLowerCase()} to ${clientName}`}>
              Waive
            </Button>
          )}
        </Group>
      </Group>
      {isWaiving && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            waive.mutate({ obligationId: o.id, reason }, { onSuccess: () => setWaiving(false) });
          }}
        >
          <Group gap="xs" align="flex-end" wrap="wrap">
            <TextInput label="Reason for waiving (on the record)" required value={reason} onChange={(e) => setReason(e.currentTarget.value)} style={{ flex: 1, minWidth: 200 }} />
            <Button type="submit" size="sm" color="orange" loading={waive.isPending} disabled={!reason.trim()}>
              Waive
            </Button>
            <Button size="sm" variant="default" onClick={() => setWaiving(false)}>
              Cancel
            </Button>
          </Group>
          <ProblemAlert error={waive.error} />
        </form>
      )}
    </Stack>
  );
}
