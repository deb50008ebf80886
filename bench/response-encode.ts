// What parsing answers through their zod schemas would cost: one staff incident (two affected clients,
// open obligations, full disclosures) written by fastify-type-provider-zod's serializerCompiler (which
// encodes through the schema, then stringifies) against plain JSON.stringify. `npx tsx bench/response-encode.ts`
import { randomUUID } from 'node:crypto';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { Incident } from '../src/http/response-schemas/incidents.js';

const at = new Date('2026-11-23T17:52:00.000Z').toISOString();
const client = () => ({ clientId: randomUUID(), tier: 'gold', source: 'derived' as const, addedAt: at, sent: { initial: at }, met: { initial: at }, promisedNextUpdateAt: at });
const obligation = (clientId: string) => ({ id: randomUUID(), kind: 'update' as const, clientId, dueAt: at, status: 'open' as const, createdAt: at, closedAt: null, metByCommunicationId: null, waiver: null, isOverdue: false });
const clients = [client(), client()];
const obligations = clients.map((c) => obligation(c.clientId));
const incident = {
  id: randomUUID(),
  key: 'INC-1042',
  title: 'Customer portal unavailable',
  description: 'Logins fail with a 502 for every client on the EU cluster.',
  source: 'internal',
  reporterId: randomUUID(),
  reporterClientId: null,
  reportedClientIds: [],
  stage: 'active',
  techState: 'identified',
  severity: 'SEV2',
  decision: { isClientAffected: true, by: randomUUID(), at, reason: 'Both clients use the portal.' },
  impacts: [{ componentId: randomUUID(), status: 'major_outage' }],
  affectedClients: clients,
  disclosures: {
    impactSummary: 'The portal is down.',
    dataLoss: { level: 'none', details: null },
    dataExposure: { level: 'none', details: null, isPersonalData: false },
    expectedResolutionAt: at,
    nextUpdateAt: at,
    remediation: 'Fail over to the standby cluster.',
  },
  disclosureVersion: 3,
  roles: { incidentManagerId: randomUUID(), communicationLeadId: randomUUID(), technicalTeamIds: [randomUUID()] },
  obligations,
  nextObligation: obligations[0],
  internalSummary: null,
  reportedAt: at,
  classifiedAt: at,
  resolvedAt: null,
  reopenedAt: null,
  closedAt: null,
  updatedAt: at,
};

const throughZod = serializerCompiler({ schema: Incident, method: 'POST', url: '/api/v1/incidents/:id/state', httpStatus: '200' } as Parameters<typeof serializerCompiler>[0]);
if (throughZod(incident) !== JSON.stringify(incident)) throw new Error('The schema changes the incident: it does not describe it.');

const ITERATIONS = 5_000;
function perCallMicros(write: (v: unknown) => string): number {
  for (let i = 0; i < 1_000; i++) write(incident);
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) write(incident);
  return Number(process.hrtime.bigint() - start) / 1_000 / ITERATIONS;
}
const plain = perCallMicros(JSON.stringify);
const zod = perCallMicros(throughZod as (v: unknown) => string);
console.log(`JSON.stringify: ${plain.toFixed(1)} µs per incident`);
console.log(`zod encode + JSON.stringify: ${zod.toFixed(1)} µs per incident (+${(zod - plain).toFixed(1)} µs, ${(zod / plain).toFixed(1)}×)`);
