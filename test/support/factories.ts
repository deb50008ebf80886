// Factories that build catalog data and incidents through the API, as a user would.
import { expect } from 'vitest';
import type { Caller } from './test-app.js';

let n = 0;
const unique = () => `${Date.now().toString(36)}${(++n).toString(36)}`;

export async function buildComponent(admin: Caller, name = `Component ${unique()}`) {
  const res = await admin.post('/api/v1/components', { name });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; name: string; status: string };
}

export async function buildClient(
  admin: Caller,
  opts: { name?: string; tier?: string; componentIds?: string[]; contacts?: { name: string; email: string; language?: string }[] } = {},
) {
  const u = unique();
  const res = await admin.post('/api/v1/clients', { name: opts.name ?? `Client ${u}`, slug: `client-${u}`, tier: opts.tier ?? 'standard', componentIds: opts.componentIds ?? [] });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const contacts = [];
  for (const c of opts.contacts ?? [{ name: `Contact ${u}`, email: `contact-${u}@client.example` }]) {
    const added = await admin.post(`/api/v1/clients/${res.body.id}/contacts`, c);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    contacts.push(added.body as { id: string; email: string; name: string });
  }
  return { ...(res.body as { id: string; name: string; slug: string }), contacts };
}

export async function buildIncident(caller: Caller, body: Record<string, unknown> = {}) {
  const res = await caller.post('/api/v1/incidents', { title: `Incident ${unique()}`, description: 'Something broke.', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; key: string; stage: string };
}

export const fullDisclosures = (now = Date.now()) => ({
  impactSummary: 'Logins fail for about half of the users.',
  dataLoss: { level: 'none', details: null },
  dataExposure: { level: 'none', details: null, isPersonalData: false },
  expectedResolutionAt: new Date(now + 4 * 3600_000).toISOString(),
  nextUpdateAt: new Date(now + 20 * 60_000).toISOString(),
  remediation: 'Add a canary stage to the login service rollout.',
});

/** An incident classified as affecting the clients that use `componentId`, with complete disclosures. */
export async function buildAffectedIncident(admin: Caller, componentId: string, severity = 'SEV2') {
  const incident = await buildIncident(admin);
  const c = await admin.post(`/api/v1/incidents/${incident.id}/classification`, {
    severity,
    impacts: [{ componentId, status: 'major_outage' }],
    isClientAffected: true,
    reason: 'Clients cannot log in.',
  });
  expect(c.status, JSON.stringify(c.body)).toBe(200);
  const d = await admin.post(`/api/v1/incidents/${incident.id}/disclosures`, fullDisclosures());
  expect(d.status, JSON.stringify(d.body)).toBe(200);
  return d.body as { id: string; key: string; affectedClients: { clientId: string }[] };
}
