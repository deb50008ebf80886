// Reading an incident's timeline and obligations through the API, as the console does.
import type { getTimeline, listObligations } from '../../src/services/incidents/read-incidents.js';
import { expectBody } from './http-assertions.js';
import type { Caller } from './test-app.js';

/** A timeline event as the API presents it (the service's own shape), its data open to any reading. */
export type TimelineEvent = Omit<Awaited<ReturnType<typeof getTimeline>>['items'][number], 'data'> & { data: any };

/** An obligation as the API presents it; the waiver is stored as JSON, this is its shape. */
export type ObligationView = Omit<Awaited<ReturnType<typeof listObligations>>['items'][number], 'waiver'> & { waiver: { by: string; reason: string } | null };

/** The incident's timeline, oldest first (up to 200 events, more than any test writes). */
export async function timelineOf(caller: Caller, incidentId: string): Promise<TimelineEvent[]> {
  return (await expectBody(caller.get(`/api/v1/incidents/${incidentId}/timeline?order=asc&limit=200`))).items;
}

/** Every obligation of the incident, open and closed (up to 200, more than any test makes). */
export async function obligationsOf(caller: Caller, incidentId: string): Promise<ObligationView[]> {
  return (await expectBody(caller.get(`/api/v1/incidents/${incidentId}/obligations?limit=200`))).items;
}
