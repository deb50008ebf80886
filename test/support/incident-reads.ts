// Reading an incident's timeline and obligations through the API, as the console does.
import { expectBody } from './http-assertions.js';
import type { Caller } from './test-app.js';

export interface TimelineEvent {
  seq: number;
  at: string;
  actorId: string | null;
  actor: string;
  type: string;
  data: any;
}

export interface ObligationView {
  id: string;
  kind: string;
  clientId: string;
  dueAt: string;
  status: string;
  createdAt: string;
  closedAt: string | null;
  metByCommunicationId: string | null;
  waiver: { by: string; reason: string } | null;
  isOverdue: boolean;
  wasOnTime: boolean | null;
}

/** The incident's timeline, oldest first (up to 200 events, more than any test writes). */
export async function timelineOf(caller: Caller, incidentId: string): Promise<TimelineEvent[]> {
  return (await expectBody(caller.get(`/api/v1/incidents/${incidentId}/timeline?order=asc&limit=200`))).items;
}

/** Every obligation of the incident, open and closed. */
export async function obligationsOf(caller: Caller, incidentId: string): Promise<ObligationView[]> {
  return (await expectBody(caller.get(`/api/v1/incidents/${incidentId}/obligations`))).items;
}
