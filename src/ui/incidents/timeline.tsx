// The append-only timeline, newest first, every event in words; and adding a note to it.
import { Button, Group, Stack, Text, Textarea, Timeline as MantineTimeline } from '@mantine/core';
import { useState } from 'react';
import { useTimeline } from '../api/queries';
import type { Client, Component, Incident, MessageKind, TechState, TimelineEvent, User } from '../api/types';
import { formatDateTime, KIND_WORDS, TECH_STATE_WORDS } from '../app/format';
import { useSession } from '../app/session';
import { ProblemAlert, Section } from '../app/ui-kit';
import { useIncidentCommand } from './use-incident-command';

interface Names {
  client: (id: unknown) => string;
  user: (id: unknown) => string;
  component: (id: unknown) => string;
}

const ROLE_WORDS: Record<string, string> = { incidentManager: 'Incident Manager', communicationLead: 'Communication Lead', technicalTeam: 'Technical team' };

function describe(e: TimelineEvent, n: Names): { title: string; detail?: string } {
  const d = e.data as Record<string, unknown>;
  const kind = (k: unknown) => KIND_WORDS[k as MessageKind] ?? String(k);
  const list = (ids: unknown, f: (id: unknown) => string) => (Array.isArray(ids) && ids.length ? ids.map(f).join(', ') : 'none');
  switch (e.type) {
    case 'incident.reported': {
      const suggested = Array.isArray(d.suggestedImpacts) ? (d.suggestedImpacts as { componentId: string; status: string }[]).map((x) => `${n.component(x.componentId)} ${x.status.replaceAll('_', ' ')}`).join(', ') : '';
      return { title: `Reported (${String(d.source ?? 'internal')})`, detail: [typeof d.title === 'string' ? d.title : '', suggested ? `Suggested impact (not applied until classified): ${suggested}` : ''].filter(Boolean).join(' · ') || undefined };
    }
    case 'incident.classified':
    case 'incident.reclassified': {
      const a = (d.after ?? {}) as Record<string, unknown>;
      const impacts = Array.isArray(a.impacts) ? (a.impacts as { componentId: string; status: string }[]).map((x) => `${n.component(x.componentId)} ${x.status.replaceAll('_', ' ')}`).join(', ') : '';
      return {
        title: `${e.type === 'incident.classified' ? 'Classified' : 'Reclassified'} ${String(a.severity ?? '')}: clients ${a.isClientAffected ? 'affected' : 'not affected'}`,
        detail: [impacts, a.isClientAffected ? `Clients: ${list(a.clientIds, n.client)}` : '', d.reason ? `Reason: ${String(d.reason)}` : ''].filter(Boolean).join(' · '),
      };
    }
    case 'clients.adjusted':
      return { title: 'Affected clients changed', detail: `Now: ${list(d.after, n.client)}` };
    case 'state.changed':
      return { title: `${TECH_STATE_WORDS[d.from as TechState] ?? d.from} → ${TECH_STATE_WORDS[d.to as TechState] ?? d.to}`, detail: d.note ? String(d.note) : undefined };
    case 'incident.reopened':
      return { title: 'Reopened', detail: d.note ? String(d.note) : undefined };
    case 'disclosures.updated':
      return { title: `Disclosures updated (version ${String(d.version)})` };
    case 'role.assigned': {
      const after = d.after;
      return { title: `${ROLE_WORDS[String(d.role)] ?? String(d.role)}: ${Array.isArray(after) ? list(after, n.user) : after ? n.user(after) : 'unassigned'}` };
    }
    case 'communication.sent':
      return { title: `${kind(d.kind)} sent`, detail: `To ${list(d.clientIds, n.client)}` };
    case 'communication.approval_requested':
      return { title: `${kind(d.kind)} waits for approval`, detail: `To ${list(d.clientIds, n.client)}` };
    case 'communication.approved':
      return { title: 'Message approved and sent', detail: d.note ? String(d.note) : undefined };
    case 'communication.rejected':
      return { title: 'Message not approved', detail: d.note ? String(d.note) : undefined };
    case 'delivery.failed':
      return { title: `Delivery to ${String(d.to ?? 'a recipient')} failed`, detail: `${n.client(d.clientId)} · ${String(d.channel ?? '')} · after ${String(d.attempts ?? '?')} attempts: ${String(d.error ?? '')}` };
    case 'endpoint.disabled':
      return { title: `An endpoint of ${n.client(d.clientId)} was disabled`, detail: d.reason ? `It answered ${String(d.reason)}` : undefined };
    case 'obligation.reminder':
      return { title: `Reminder: ${kind(d.kind).toLowerCase()} to ${n.client(d.clientId)} due ${formatDateTime(String(d.dueAt))}`, detail: `Told ${list(d.notifiedUserIds, n.user)}` };
    case 'obligation.escalated':
      return { title: `Escalated: ${kind(d.kind).toLowerCase()} to ${n.client(d.clientId)} is overdue`, detail: `Told ${list(d.notifiedUserIds, n.user)}` };
    case 'obligation.breached':
      return { title: `Missed: ${kind(d.kind).toLowerCase()} to ${n.client(d.clientId)} was due ${formatDateTime(String(d.dueAt))}` };
    case 'obligation.opened':
      return { title: `${kind(d.kind)} owed to ${n.client(d.clientId)}`, detail: `Due ${formatDateTime(String(d.dueAt))}` };
    case 'obligation.met':
      return { title: `${kind(d.kind)} to ${n.client(d.clientId)} given ${d.isOnTime ? 'on time' : 'late'}` };
    case 'obligation.rescheduled':
      return { title: `${kind(d.kind)} to ${n.client(d.clientId)} now due ${formatDateTime(String(d.after))}` };
    case 'obligation.cancelled':
      return { title: `${kind(d.kind)} to ${n.client(d.clientId)} no longer owed` };
    case 'obligation.waived':
      return { title: `${kind(d.kind)} to ${n.client(d.clientId)} waived`, detail: `Reason: ${String(d.reason)}` };
    case 'incident.documented':
      return { title: 'Internal summary written', detail: String(d.after ?? '') };
    case 'incident.closed':
      return { title: 'Closed' };
    case 'publication.published':
      return { title: `${d.isFirst ? 'Published' : 'Public update published'} (${TECH_STATE_WORDS[d.state as TechState] ?? String(d.state)}): ${String(d.title ?? '')}`, detail: String(d.body ?? '') };
    case 'publication.withdrawn':
      return { title: 'Withdrawn from the public status page', detail: `Reason: ${String(d.reason ?? '')}` };
    case 'note.added':
      return { title: 'Note', detail: String(d.text ?? '') };
    case 'alerts.firing':
      return { title: `${String(d.count)} alert(s) firing (${String(d.integration ?? 'monitoring')})`, detail: [Array.isArray(d.alerts) ? d.alerts.join(', ') : '', `${String(d.firing)} of ${String(d.total)} firing in the group`, d.truncatedAlerts ? `${String(d.truncatedAlerts)} more not sent by the monitor` : ''].filter(Boolean).join(' · ') };
    case 'alerts.resolved':
      return { title: `${String(d.count)} alert(s) resolved (${String(d.integration ?? 'monitoring')})`, detail: [Array.isArray(d.alerts) ? d.alerts.join(', ') : '', `${String(d.firing)} of ${String(d.total)} still firing`].filter(Boolean).join(' · ') };
    case 'resolve.suggested':
      return { title: 'Every alert has resolved: consider resolving', detail: String(d.reason ?? '') };
    case 'email.received':
      return { title: `E-mail from ${String(d.from)}`, detail: `${String(d.subject ?? '')}\n${String(d.text ?? '')}` };
    case 'email.attachments':
      return { title: `Attachments kept: ${Array.isArray(d.attachments) ? d.attachments.map((x: { filename: string }) => x.filename).join(', ') || 'none' : 'none'}` };
    default:
      return { title: e.type, detail: JSON.stringify(d) };
  }
}

export function IncidentTimeline({ incident: i, clients, users, components }: { incident: Incident; clients: Map<string, Client>; users: Map<string, User>; components: Component[] }) {
  const timeline = useTimeline(i.key);
  const { isWriter } = useSession();
  const [note, setNote] = useState('');
  const addNote = useIncidentCommand<{ text: string }>(i.key, 'notes');
  const names: Names = {
    client: (id) => clients.get(String(id))?.name ?? 'a client',
    user: (id) => users.get(String(id))?.name ?? 'someone',
    component: (id) => components.find((c) => c.id === id)?.name ?? 'a component',
  };
  const events = timeline.data?.items ?? [];
  return (
    <Section title="Timeline" id="timeline" actions={<Text size="xs" c="dimmed">Newest first</Text>}>
      {isWriter && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            addNote.mutate({ text: note }, { onSuccess: () => setNote('') });
          }}
        >
          <Stack gap={4} mb="md">
            <Textarea label="Add a note" autosize minRows={1} value={note} onChange={(e) => setNote(e.currentTarget.value)} />
            <Group>
              <Button type="submit" size="xs" variant="default" disabled={!note.trim()} loading={addNote.isPending}>
                Add note
              </Button>
            </Group>
            <ProblemAlert error={addNote.error} />
          </Stack>
        </form>
      )}
      <MantineTimeline bulletSize={12} lineWidth={2} active={-1}>
        {events.map((e) => {
          const { title, detail } = describe(e, names);
          return (
            <MantineTimeline.Item key={e.seq} title={<Text size="sm" fw={600}>{title}</Text>} data-event={e.type}>
              {detail && (
                <Text size="sm" className="pre-wrap">
                  {detail}
                </Text>
              )}
              <Text size="xs" c="dimmed">
                {formatDateTime(e.at)} · {e.actor.replace(/\s*<[^>]*>$/, '')}
              </Text>
            </MantineTimeline.Item>
          );
        })}
      </MantineTimeline>
      {timeline.data?.nextCursor && (
        <Text size="xs" c="dimmed" mt="xs">
          Older events are in the API: /api/v1/incidents/{i.key}/timeline
        </Text>
      )}
    </Section>
  );
}
