// The plain-text client message: the author's words, then every statement a client is owed.
import type { ComponentStatus, Disclosures, MessageKind, TechState } from '../types.js';

export interface PastOccurrence {
  incidentId: string;
  key: string;
  title: string;
  reportedAt: string;
  rcaUrl: string | null;
}

export interface MessageInput {
  kind: MessageKind;
  incidentKey: string;
  title: string;
  techState: TechState;
  clientName: string;
  contactName: string;
  components: { name: string; status: ComponentStatus }[];
  disclosures: Disclosures;
  resolvedAt: string | null;
  body: string | null;
  pastOccurrences: PastOccurrence[] | null;
}

const STATUS_WORDS: Record<ComponentStatus, string> = {
  operational: 'operational',
  degraded_performance: 'degraded (slower than usual)',
  partial_outage: 'partly unavailable',
  major_outage: 'down',
  under_maintenance: 'under maintenance',
};

const KIND_WORDS: Record<MessageKind, string> = {
  initial: 'Incident notice',
  update: 'Incident update',
  resolution: 'Resolved',
  rca: 'Root-cause analysis',
};

const LEVEL_WORDS = { none: 'No', suspected: 'Possibly (under investigation)', confirmed: 'Yes' } as const;

const when = (iso: string | null) => (iso ? `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'not yet known');

export function defaultSubject(input: Pick<MessageInput, 'kind' | 'incidentKey' | 'title'>): string {
  return `[${KIND_WORDS[input.kind]}] ${input.incidentKey}: ${input.title}`;
}

export function renderPlainMessage(input: MessageInput): string {
  const d = input.disclosures;
  const lines: string[] = [`Dear ${input.contactName},`, ''];
  if (input.body?.trim()) lines.push(input.body.trim(), '');
  lines.push(`Incident ${input.incidentKey} — ${input.title}`, `Status: ${input.techState}`, '');
  lines.push('Impact on your services');
  if (input.components.length) for (const c of input.components) lines.push(`  - ${c.name}: ${STATUS_WORDS[c.status]}`);
  if (d.impactSummary) lines.push(`  ${d.impactSummary}`);
  lines.push('');
  if (d.dataLoss) lines.push(`Data lost: ${LEVEL_WORDS[d.dataLoss.level]}${d.dataLoss.details ? ` — ${d.dataLoss.details}` : ''}`);
  if (d.dataExposure) {
    lines.push(
      `Data possibly accessible to unintended third parties: ${LEVEL_WORDS[d.dataExposure.level]}${d.dataExposure.details ? ` — ${d.dataExposure.details}` : ''}`,
    );
    if (d.dataExposure.level !== 'none' && d.dataExposure.isPersonalData) lines.push('  Personal data is involved.');
  }
  lines.push('');
  if (input.kind === 'initial' || input.kind === 'update') {
    lines.push(`Expected resolution: ${when(d.expectedResolutionAt)}`, `Next update from us: ${when(d.nextUpdateAt)}`);
  } else {
    lines.push(`Resolved at: ${when(input.resolvedAt)}`);
  }
  if (d.remediation) lines.push('', 'What we are doing so this does not happen again', `  ${d.remediation}`);
  if (input.pastOccurrences) {
    lines.push('', 'Earlier incidents affecting you on these services (last 12 months)');
    if (input.pastOccurrences.length === 0) lines.push('  None.');
    for (const p of input.pastOccurrences) {
      lines.push(`  - ${p.key} (${p.reportedAt.slice(0, 10)}): ${p.title}${p.rcaUrl ? ` — root-cause analysis: ${p.rcaUrl}` : ''}`);
    }
  }
  lines.push('', `This message was sent to ${input.clientName}.`);
  return lines.join('\n');
}
