// Opens an incident for something that came in without a logged-in user: a monitoring alert group,
// a client contact's e-mail, the public report form, or a triage item a person promoted. The same
// lifecycle start as a report through the API; the timeline names where it came from.
import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { components, incidentComponents, incidentEvents, incidents } from '../../db/schema.js';
import { newIncident } from '../../domain/incident/lifecycle.js';
import type { ComponentImpact, ImpactStatus, Severity, Source } from '../../domain/types.js';
import { recomputeComponentStatuses } from '../catalog/components.js';

export interface IntakeIncidentInput {
  title: string;
  description: string;
  source: Source;
  /** The client that reported it (e-mail, report form); null for monitoring. */
  reporterClientId: string | null;
  /** Who reported it: a user (a promotion) or null. */
  reporterId?: string | null;
  /** Shown as the actor of the first timeline event: "Alice Park <alice@acme.example> (e-mail)". */
  actorLabel: string;
  severity?: Severity | null;
  componentIds?: string[];
  impact?: ImpactStatus;
  /** Extra facts for the first timeline event (integration, group key, triage item…). */
  intake: Record<string, unknown>;
  now: Date;
}

export interface IntakeIncident {
  id: string;
  number: number;
  key: string;
}

export async function openIntakeIncident(tx: Db, input: IntakeIncidentInput): Promise<IntakeIncident> {
  // Components removed since a rule named them are left out rather than failing the intake.
  const wanted = [...new Set(input.componentIds ?? [])];
  const known = wanted.length ? new Set((await tx.select({ id: components.id }).from(components).where(inArray(components.id, wanted))).map((c) => c.id)) : new Set<string>();
  const impacts: ComponentImpact[] = wanted.filter((id) => known.has(id)).sort().map((componentId) => ({ componentId, status: input.impact ?? 'partial_outage' }));
  const id = randomUUID();
  const { state, events } = newIncident({ id, source: input.source, reportedAt: input.now.toISOString(), reporterClientId: input.reporterClientId, impacts });
  const clientIds = input.reporterClientId ? [input.reporterClientId] : [];
  const [row] = await tx
    .insert(incidents)
    .values({
      id,
      title: input.title.slice(0, 200),
      description: input.description.slice(0, 20_000),
      source: input.source,
      reporterId: input.reporterId ?? null,
      reporterClientId: input.reporterClientId,
      reportedClientIds: clientIds,
      stage: state.stage,
      techState: state.techState,
      // A suggestion from the routing rules; classification confirms or changes it.
      severity: input.severity ?? null,
      disclosures: state.disclosures,
      reportedAt: input.now,
      updatedAt: input.now,
    })
    .returning({ number: incidents.number });
  if (impacts.length) {
    // A new incident is live (see migration 0010).
    await tx.insert(incidentComponents).values(impacts.map((i) => ({ incidentId: id, ...i, isLive: true })));
    await recomputeComponentStatuses(tx, impacts.map((i) => i.componentId), input.now, id);
  }
  await tx.insert(incidentEvents).values({
    incidentId: id,
    at: input.now,
    actorId: input.reporterId ?? null,
    actorLabel: input.actorLabel.slice(0, 500),
    type: events[0]!.type,
    data: { ...events[0]!.data, title: input.title, clientIds, severity: input.severity ?? null, intake: input.intake },
  });
  const number = Number(row!.number);
  return { id, number, key: `INC-${number}` };
}

/** Appends one timeline event with a free actor label (intake events have no user behind them). */
export async function appendIntakeEvent(tx: Db, incidentId: string, type: string, data: Record<string, unknown>, actorLabel: string, at: Date): Promise<void> {
  await tx.insert(incidentEvents).values({ incidentId, at, actorId: null, actorLabel: actorLabel.slice(0, 500), type, data });
  await tx.update(incidents).set({ updatedAt: at }).where(inArray(incidents.id, [incidentId]));
}
