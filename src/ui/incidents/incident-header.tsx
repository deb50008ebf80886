// The top of the incident page: key, title, both tracks, roles (assign yourself in one click), and
// moving the technical state.
import { Badge, Button, Group, MultiSelect, NativeSelect, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import { TECH_TRANSITIONS } from '../../domain/incident/lifecycle';
import type { Incident, TechState, User } from '../api/types';
import { formatDateTime, KIND_WORDS, STAGE_WORDS, TECH_STATE_WORDS } from '../app/format';
import { useSession } from '../app/session';
import { Countdown, ProblemAlert, Section, SeverityBadge, TechStateBadge } from '../app/ui-kit';
import { useIncidentCommand } from './use-incident-command';

export function IncidentHeader({ incident: i, users }: { incident: Incident; users: Map<string, User> }) {
  const next = i.nextObligation;
  return (
    <Stack gap={6}>
      <Group gap="xs" wrap="wrap">
        <Text fw={700} c="dimmed" size="lg">
          {i.key}
        </Text>
        <SeverityBadge severity={i.severity} size="lg" />
        <TechStateBadge state={i.techState} size="lg" />
        <Badge variant="outline" size="lg" color={i.stage === 'reported' ? 'red' : 'gray'}>
          {STAGE_WORDS[i.stage]}
        </Badge>
      </Group>
      <Title order={1} size="h2">
        {i.title}
      </Title>
      {i.description && (
        <Text className="pre-wrap" size="sm">
          {i.description}
        </Text>
      )}
      <Text size="xs" c="dimmed">
        Reported {formatDateTime(i.reportedAt)}
        {i.reporterId ? ` by ${users.get(i.reporterId)?.name ?? 'a user'}` : ''} · {SOURCE_WORDS[i.source]}
        {i.resolvedAt ? ` · resolved ${formatDateTime(i.resolvedAt)}` : ''}
        {i.closedAt ? ` · closed ${formatDateTime(i.closedAt)}` : ''}
      </Text>
      {next && (
        <Text size="sm">
          Next owed: <b>{KIND_WORDS[next.kind]}</b> <Countdown dueAt={next.dueAt} />
        </Text>
      )}
    </Stack>
  );
}

const SOURCE_WORDS = { client: 'from a client', internal: 'internal report', monitoring: 'from monitoring' } as const;

const ROLE_LABELS = { incidentManagerId: 'Incident Manager', communicationLeadId: 'Communication Lead' } as const;

export function RolesPanel({ incident: i, users }: { incident: Incident; users: Map<string, User> }) {
  const session = useSession();
  const me = session.user.id;
  const assign = useIncidentCommand<Record<string, unknown>>(i.key, 'roles', 'Roles updated.');
  const [isEditing, setEditing] = useState(false);
  const isOpen = i.stage !== 'closed';
  const canEdit = session.isWriter && isOpen;
  const staff = [...users.values()].filter((u) => (u.role === 'admin' || u.role === 'member') && !u.isDisabled).map((u) => ({ value: u.id, label: u.name }));
  const name = (id: string | null) => (id ? (users.get(id)?.name ?? 'someone') : 'unassigned');
  const isOnTeam = i.roles.technicalTeamIds.includes(me);
  // The Incident Manager role is taken freely only while nobody holds it; then its holder or an admin hands it over.
  const mayChange = (role: keyof typeof ROLE_LABELS) => role !== 'incidentManagerId' || !i.roles.incidentManagerId || i.roles.incidentManagerId === me || session.user.role === 'admin';

  return (
    <Section title="Roles" id="roles" actions={canEdit && <Button variant="subtle" size="xs" onClick={() => setEditing((e) => !e)}>{isEditing ? 'Done' : 'Change roles'}</Button>}>
      <Stack gap="xs">
        {(Object.keys(ROLE_LABELS) as (keyof typeof ROLE_LABELS)[]).map((role) => (
          <Group key={role} justify="space-between" gap="xs" wrap="wrap">
            <Text size="sm">
              <Text span c="dimmed" size="sm">
                {ROLE_LABELS[role]}:
              </Text>{' '}
              <b>{name(i.roles[role])}</b>
              {i.roles[role] === me ? ' (you)' : ''}
            </Text>
            {canEdit && i.roles[role] !== me && mayChange(role) && (
              <Button size="compact-sm" variant="light" loading={assign.isPending} onClick={() => assign.mutate({ [role]: me })} aria-label={`Assign me as ${ROLE_LABELS[role]}`}>
                Assign me
              </Button>
            )}
          </Group>
        ))}
        <Group justify="space-between" gap="xs" wrap="wrap">
          <Text size="sm">
            <Text span c="dimmed" size="sm">
              Technical team:
            </Text>{' '}
            <b>{i.roles.technicalTeamIds.length ? i.roles.technicalTeamIds.map(name).join(', ') : 'none'}</b>
          </Text>
          {canEdit && (
            <Button
              size="compact-sm"
              variant="light"
              loading={assign.isPending}
              onClick={() => assign.mutate({ technicalTeamIds: isOnTeam ? i.roles.technicalTeamIds.filter((id) => id !== me) : [...i.roles.technicalTeamIds, me] })}
            >
              {isOnTeam ? 'Leave the team' : 'Join the team'}
            </Button>
          )}
        </Group>
        {isEditing && canEdit && (
          <Stack gap="xs">
            {(Object.keys(ROLE_LABELS) as (keyof typeof ROLE_LABELS)[]).map((role) => (
              <NativeSelect
                key={role}
                label={ROLE_LABELS[role]}
                data={[{ value: '', label: 'Unassigned' }, ...staff]}
                value={i.roles[role] ?? ''}
                disabled={!mayChange(role)}
                description={mayChange(role) ? undefined : 'Handed over by the Incident Manager or an admin'}
                onChange={(e) => assign.mutate({ [role]: e.currentTarget.value || null })}
              />
            ))}
            <MultiSelect label="Technical team" data={staff} value={i.roles.technicalTeamIds} onChange={(ids) => assign.mutate({ technicalTeamIds: ids })} searchable />
          </Stack>
        )}
        <ProblemAlert error={assign.error} />
      </Stack>
    </Section>
  );
}

const MOVE_WORDS: Record<TechState, string> = { investigating: 'Back to investigating', identified: 'Cause identified', monitoring: 'Fix deployed: monitoring', resolved: 'Resolve' };

export function TechStatePanel({ incident: i }: { incident: Incident }) {
  const { isWriter } = useSession();
  const [note, setNote] = useState('');
  const move = useIncidentCommand<{ state: TechState; note: string | null }>(i.key, 'state');
  if (!isWriter || i.stage === 'closed') return null;
  const isReopen = i.techState === 'resolved';
  const targets = TECH_TRANSITIONS[i.techState];
  return (
    <Section title="Technical state" id="technical-state">
      <Stack gap="xs">
        <Text size="sm">
          Now: <b>{TECH_STATE_WORDS[i.techState]}</b>
        </Text>
        <TextInput
          label={isReopen ? 'Why reopen? (required)' : 'Note for the timeline (optional)'}
          value={note}
          onChange={(e) => setNote(e.currentTarget.value)}
          placeholder={isReopen ? 'The error rate is back up' : 'What changed'}
        />
        <Group gap="xs" wrap="wrap">
          {targets.map((to) => (
            <Button
              key={to}
              size="xs"
              variant={to === 'resolved' ? 'filled' : 'default'}
              color={to === 'resolved' ? 'teal' : undefined}
              loading={move.isPending && move.variables?.state === to}
              disabled={isReopen && !note.trim()}
              onClick={() => move.mutate({ state: to, note: note.trim() || null }, { onSuccess: () => setNote('') })}
            >
              {isReopen ? 'Reopen' : MOVE_WORDS[to]}
            </Button>
          ))}
        </Group>
        <ProblemAlert error={move.error} />
      </Stack>
    </Section>
  );
}
