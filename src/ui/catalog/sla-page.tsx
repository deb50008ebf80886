// SLA policies per client tier and severity: how soon each message is owed. Tier '*' applies to every
// tier without policies of its own.
import { Badge, Button, Checkbox, Group, NativeSelect, NumberInput, Paper, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { api } from '../api/http';
import { byId, keys, useApiMutation, useSlaPolicies, useUsers } from '../api/queries';
import type { Severity, SlaPolicyRow } from '../api/types';
import { useSession } from '../app/session';
import { PageTitle, ProblemAlert, Section, SeverityBadge } from '../app/ui-kit';

type PolicyFields = Pick<SlaPolicyRow, 'initialNoticeMinutes' | 'updateEveryMinutes' | 'resolutionNoticeMinutes' | 'rcaBusinessDays' | 'ownerId' | 'requiresApproval'>;

const minutes = (m: number | null) => (m === null ? 'none' : m >= 60 && m % 60 === 0 ? `${m / 60} h` : `${m} min`);

export function SlaPage() {
  const { isAdmin } = useSession();
  const policies = useSlaPolicies();
  const users = useUsers();
  const usersById = byId(users.data);
  const [editing, setEditing] = useState<string | null>(null);
  const tiers = [...new Set((policies.data ?? []).map((p) => p.tier))].sort((a, b) => (a === '*' ? -1 : b === '*' ? 1 : a.localeCompare(b)));
  return (
    <Stack>
      <PageTitle>SLA policies</PageTitle>
      <Text size="sm" c="dimmed">
        Deadlines per client tier and severity. Tier “*” applies to every tier without policies of its own.
      </Text>
      <ProblemAlert error={policies.error} />
      {tiers.map((tier) => (
        <Section key={tier} title={tier === '*' ? 'Every tier (*)' : `Tier ${tier}`}>
          <Table.ScrollContainer minWidth={560}>
            <Table verticalSpacing="xs" fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Severity</Table.Th>
                  <Table.Th>Initial notice within</Table.Th>
                  <Table.Th>Updates every</Table.Th>
                  <Table.Th>Resolution notice within</Table.Th>
                  <Table.Th>RCA within</Table.Th>
                  <Table.Th>Approval</Table.Th>
                  <Table.Th>Owner</Table.Th>
                  {isAdmin && <Table.Th />}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(policies.data ?? [])
                  .filter((p) => p.tier === tier)
                  .sort((a, b) => a.severity.localeCompare(b.severity))
                  .map((p) =>
                    editing === p.id ? (
                      <Table.Tr key={p.id}>
                        <Table.Td colSpan={8}>
                          <PolicyForm policy={p} onDone={() => setEditing(null)} />
                        </Table.Td>
                      </Table.Tr>
                    ) : (
                      <Table.Tr key={p.id}>
                        <Table.Td>
                          <SeverityBadge severity={p.severity} />
                        </Table.Td>
                        <Table.Td>{minutes(p.initialNoticeMinutes)}</Table.Td>
                        <Table.Td>{minutes(p.updateEveryMinutes)}</Table.Td>
                        <Table.Td>{minutes(p.resolutionNoticeMinutes)}</Table.Td>
                        <Table.Td>{p.rcaBusinessDays === null ? 'none' : `${p.rcaBusinessDays} business days`}</Table.Td>
                        <Table.Td>
                          {p.requiresApproval ? (
                            <Badge size="sm" color="orange" variant="light">
                              four eyes
                            </Badge>
                          ) : (
                            <Text span size="sm" c="dimmed">
                              none
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>{p.ownerId ? (usersById.get(p.ownerId)?.name ?? '—') : '—'}</Table.Td>
                        {isAdmin && (
                          <Table.Td>
                            <Button size="compact-xs" variant="subtle" onClick={() => setEditing(p.id)} aria-label={`Edit ${p.severity} for tier ${p.tier}`}>
                              Edit
                            </Button>
                          </Table.Td>
                        )}
                      </Table.Tr>
                    ),
                  )}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Section>
      ))}
      {isAdmin && <PolicyForm onDone={() => undefined} />}
    </Stack>
  );
}

function PolicyForm({ policy, onDone }: { policy?: SlaPolicyRow; onDone: () => void }) {
  const users = useUsers();
  const [tier, setTier] = useState('');
  const [severity, setSeverity] = useState<Severity>('SEV2');
  const [f, setF] = useState<PolicyFields>({
    initialNoticeMinutes: policy?.initialNoticeMinutes ?? 30,
    updateEveryMinutes: policy?.updateEveryMinutes ?? 60,
    resolutionNoticeMinutes: policy?.resolutionNoticeMinutes ?? 120,
    rcaBusinessDays: policy?.rcaBusinessDays ?? 5,
    ownerId: policy?.ownerId ?? null,
    requiresApproval: policy?.requiresApproval ?? false,
  });
  const save = useApiMutation(
    (b: PolicyFields & { tier?: string; severity?: Severity }) => (policy ? api.patch<SlaPolicyRow>(`/sla-policies/${policy.id}`, b) : api.post<SlaPolicyRow>('/sla-policies', b)),
    [keys.slaPolicies],
  );
  const num = (v: string | number) => (v === '' ? null : Number(v));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(policy ? f : { ...f, tier, severity }, { onSuccess: onDone });
  };
  const Wrapper = policy ? 'div' : Paper;
  return (
    <Wrapper {...(policy ? {} : { withBorder: true, p: 'md' })}>
      <form onSubmit={submit} aria-label={policy ? `Edit ${policy.severity} policy` : 'New policy'}>
        <Stack gap="xs">
          {!policy && <Text fw={600}>New policy for a tier</Text>}
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="xs">
            {!policy && <TextInput label="Tier" required value={tier} onChange={(e) => setTier(e.currentTarget.value)} />}
            {!policy && <NativeSelect label="Severity" data={['SEV1', 'SEV2', 'SEV3', 'SEV4']} value={severity} onChange={(e) => setSeverity(e.currentTarget.value as Severity)} />}
            <NumberInput label="Initial notice (min)" min={1} required value={f.initialNoticeMinutes} onChange={(v) => setF({ ...f, initialNoticeMinutes: num(v) ?? 1 })} />
            <NumberInput label="Update every (min, empty: none)" min={1} value={f.updateEveryMinutes ?? ''} onChange={(v) => setF({ ...f, updateEveryMinutes: num(v) })} />
            <NumberInput label="Resolution notice (min)" min={1} required value={f.resolutionNoticeMinutes} onChange={(v) => setF({ ...f, resolutionNoticeMinutes: num(v) ?? 1 })} />
            <NumberInput label="RCA (business days, empty: none)" min={1} value={f.rcaBusinessDays ?? ''} onChange={(v) => setF({ ...f, rcaBusinessDays: num(v) })} />
            <NativeSelect
              label="Owner"
              data={[{ value: '', label: 'Nobody' }, ...(users.data ?? []).filter((u) => u.role !== 'client').map((u) => ({ value: u.id, label: u.name }))]}
              value={f.ownerId ?? ''}
              onChange={(e) => setF({ ...f, ownerId: e.currentTarget.value || null })}
            />
          </SimpleGrid>
          <Checkbox
            label="Four eyes: client messages wait for a second person’s approval (the Incident Manager or Communication Lead, not the author)"
            checked={f.requiresApproval}
            onChange={(e) => setF({ ...f, requiresApproval: e.currentTarget.checked })}
          />
          <ProblemAlert error={save.error} />
          <Group gap="xs">
            <Button type="submit" size="xs" loading={save.isPending} disabled={!policy && !tier.trim()}>
              {policy ? 'Save' : 'Add policy'}
            </Button>
            {policy && (
              <Button size="xs" variant="default" onClick={onDone}>
                Cancel
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </Wrapper>
  );
}
