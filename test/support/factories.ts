// Factories for test data: catalog and incidents built through the API, as a user would (a Caller),
// or through the service verbs with a Ctx, for the service-tier tests (the `…Through(ctx)` ones).
import type { Db } from '../../src/db/open.js';
import type { Actor, Disclosures, InstallRole, Severity } from '../../src/domain/types.js';
import { insertUser } from '../../src/services/auth/users.js';
import { createComponent } from '../../src/services/catalog/components.js';
import { addContact, createClient } from '../../src/services/clients/clients.js';
import type { Ctx } from '../../src/services/context.js';
import { classifyIncident } from '../../src/services/incidents/classify-incident.js';
import { updateDisclosures } from '../../src/services/incidents/incident-commands.js';
import { reportIncident } from '../../src/services/incidents/report-incident.js';
import { expectBody } from './http-assertions.js';
import type { Caller } from './test-app.js';

let n = 0;
const unique = () => `${Date.now().toString(36)}${(++n).toString(36)}`;

export async function buildComponent(admin: Caller, name = `Component ${unique()}`) {
  return expectBody<{ id: string; name: string; status: string }>(admin.post('/api/v1/components', { name }), 201);
}

export async function buildClient(
  admin: Caller,
  opts: { name?: string; tier?: string; componentIds?: string[]; contacts?: { name: string; email: string; language?: string }[] } = {},
) {
  const u = unique();
  const client = await expectBody<{ id: string; name: string; slug: string }>(
    admin.post('/api/v1/clients', { name: opts.name ?? `Client ${u}`, slug: `client-${u}`, tier: opts.tier ?? 'standard', componentIds: opts.componentIds ?? [] }),
    201,
  );
  const contacts = [];
  for (const c of opts.contacts ?? [{ name: `Contact ${u}`, email: `contact-${u}@client.example` }]) {
    contacts.push(await expectBody<{ id: string; email: string; name: string }>(admin.post(`/api/v1/clients/${client.id}/contacts`, c), 201));
  }
  return { ...client, contacts };
}

export async function buildIncident(caller: Caller, body: Record<string, unknown> = {}) {
  return expectBody<{ id: string; key: string; stage: string }>(caller.post('/api/v1/incidents', { title: `Incident ${unique()}`, description: 'Something broke.', ...body }), 201);
}

export const fullDisclosures = (now = Date.now()): Disclosures => ({
  impactSummary: 'Logins fail for about half of the users.',
  dataLoss: { level: 'none', details: null },
  dataExposure: { level: 'none', details: null, isPersonalData: false },
  expectedResolutionAt: new Date(now + 4 * 3600_000).toISOString(),
  nextUpdateAt: new Date(now + 20 * 60_000).toISOString(),
  remediation: 'Add a canary stage to the login service rollout.',
});

/** A classification: the clients that use `componentId` are affected (it is down). */
const affectingClassification = (componentId: string, severity: string) => ({
  severity: severity as Severity,
  impacts: [{ componentId, status: 'major_outage' as const }],
  isClientAffected: true,
  reason: 'Clients cannot log in.',
});

/** An incident classified as affecting the clients that use `componentId`, with complete disclosures. */
export async function buildAffectedIncident(admin: Caller, componentId: string, severity = 'SEV2') {
  const incident = await buildIncident(admin);
  await expectBody(admin.post(`/api/v1/incidents/${incident.id}/classification`, affectingClassification(componentId, severity)));
  return expectBody<{ id: string; key: string; affectedClients: { clientId: string }[] }>(admin.post(`/api/v1/incidents/${incident.id}/disclosures`, fullDisclosures()));
}

/** A user of `role` (a client user needs `clientId`), as the actor a verb is called with. */
export async function buildActor(tx: Db, role: InstallRole, opts: { clientId?: string; name?: string } = {}): Promise<Actor> {
  const u = unique();
  const name = opts.name ?? `${role} ${u}`;
  const email = `${role}-${u}@example.test`;
  const row = await insertUser(tx, { email, name, role, clientId: opts.clientId ?? null }, new Date());
  return { userId: row.id, role, clientId: row.clientId, label: `${name} <${email}>` };
}

/** A component and a client of `tier` using it, with one contact; `ctx` must be an admin's. */
export async function buildCatalogThrough(ctx: Ctx, opts: { tier?: string; componentId?: string } = {}) {
  const u = unique();
  const componentId = opts.componentId ?? (await createComponent(ctx, { name: `Component ${u}` })).id;
  const client = await createClient(ctx, { name: `Client ${u}`, slug: `client-${u}`, tier: opts.tier ?? 'standard', componentIds: [componentId] });
  const contact = await addContact(ctx, client.id, { name: `Contact ${u}`, email: `contact-${u}@client.example` });
  return { componentId, clientId: client.id, contactId: contact.id };
}

/** An incident reported through the verbs, classified as affecting the clients that use `componentId`. */
export async function buildAffectedIncidentThrough(ctx: Ctx, componentId: string, opts: { severity?: Severity; isDisclosed?: boolean } = {}) {
  const reported = await reportIncident(ctx, { title: `Incident ${unique()}`, description: 'Something broke.' });
  const classified = await classifyIncident(ctx, reported.id, affectingClassification(componentId, opts.severity ?? 'SEV2'));
  // Complete disclosures unless told otherwise: what an initial notice needs.
  return opts.isDisclosed === false ? classified : updateDisclosures(ctx, reported.id, fullDisclosures(ctx.now.getTime()));
}
