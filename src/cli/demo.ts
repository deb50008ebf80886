// Demo data: a realistic catalog, clients with contacts, and a few past incidents with their RCAs.
import type { Database } from '../db/open.js';
import { clients } from '../db/schema.js';
import type { Actor } from '../domain/types.js';
import { insertUser } from '../services/auth/users.js';
import { ensureDefaultTemplates } from '../services/templates/templates.js';
import { createComponent, createGroup } from '../services/catalog/components.js';
import { addContact, createClient } from '../services/clients/clients.js';
import { sendCommunication } from '../services/communications/send-communication.js';
import type { Ctx } from '../services/context.js';
import { classifyIncident } from '../services/incidents/classify-incident.js';
import { changeTechState, closeIncident, documentIncident, updateDisclosures } from '../services/incidents/incident-commands.js';
import { reportIncident } from '../services/incidents/report-incident.js';

export async function loadDemo(database: Database, now: Date): Promise<string> {
  const existing = await database.db.select({ id: clients.id }).from(clients).limit(1);
  if (existing.length) return 'The database already has clients; the demo loads only into an empty catalog.';
  await ensureDefaultTemplates(database.db, now);
  return database.transaction(async (tx) => {
    const operator = await insertUser(tx, { email: 'oncall@demo.herald.local', name: 'Dana On-Call', role: 'member', password: 'demo-password-123' }, now);
    const actor: Actor = { userId: operator.id, role: 'admin', clientId: null, label: 'Dana On-Call' };
    const at = (daysAgo: number, minutes = 0) => new Date(now.getTime() - daysAgo * 86_400_000 + minutes * 60_000);
    const ctxAt = (d: Date): Ctx => ({ actor, tx, now: d, settings: { baseUrl: 'http://localhost:3000', pastOccurrenceMonths: 12, companyName: 'Herald', emailChannel: 'outbox', messageIdDomain: 'herald.local' } });
    const ctx = ctxAt(at(120));
    const platform = await createGroup(ctx, { name: 'Platform', position: 1 });
    const apps = await createGroup(ctx, { name: 'Applications', position: 2 });
    const api = await createComponent(ctx, { name: 'Public API', groupId: platform.id, position: 1 });
    const db = await createComponent(ctx, { name: 'Database cluster', groupId: platform.id, position: 2 });
    const mail = await createComponent(ctx, { name: 'E-mail delivery', groupId: platform.id, position: 3 });
    const portal = await createComponent(ctx, { name: 'Customer portal', groupId: apps.id, position: 1 });
    const billing = await createComponent(ctx, { name: 'Billing', groupId: apps.id, position: 2 });
    const acme = await createClient(ctx, { name: 'Acme Logistics', slug: 'acme', tier: 'enterprise', componentIds: [api.id, db.id, portal.id] });
    const globex = await createClient(ctx, { name: 'Globex Retail', slug: 'globex', tier: 'standard', componentIds: [portal.id, billing.id, mail.id] });
    const initech = await createClient(ctx, { name: 'Initech', slug: 'initech', tier: 'standard', componentIds: [api.id, mail.id] });
    await addContact(ctx, acme.id, { name: 'Alice Park', email: 'alice.park@acme.example', role: 'technical' });
    await addContact(ctx, acme.id, { name: 'Bernd Vogel', email: 'bernd.vogel@acme.example', role: 'executive', language: 'de' });
    await addContact(ctx, globex.id, { name: 'Grace Hall', email: 'grace.hall@globex.example', role: 'technical' });
    await addContact(ctx, initech.id, { name: 'Peter Gibbons', email: 'peter@initech.example', role: 'technical' });
    await insertUser(tx, { email: 'alice.park@acme.example', name: 'Alice Park', role: 'client', clientId: acme.id, password: 'demo-password-123' }, now);

    // A past incident that affected clients, carried through to the RCA.
    const start = at(45);
    const inc = await reportIncident(ctxAt(start), { title: 'Public API returning errors', description: 'Error rate above 20% on the public API.', source: 'monitoring', impacts: [{ componentId: api.id, status: 'partial_outage' }] });
    await classifyIncident(ctxAt(at(45, 3)), inc.id, { severity: 'SEV2', impacts: [{ componentId: api.id, status: 'partial_outage' }], isClientAffected: true, reason: 'API clients see failed requests.' });
    await updateDisclosures(ctxAt(at(45, 5)), inc.id, {
      impactSummary: 'About one in five API requests fail with a server error.',
      dataLoss: { level: 'none', details: null },
      dataExposure: { level: 'none', details: null, isPersonalData: false },
      nextUpdateAt: at(45, 60).toISOString(),
      expectedResolutionAt: at(45, 120).toISOString(),
    });
    await sendCommunication(ctxAt(at(45, 10)), inc.id, { kind: 'initial', body: 'We are investigating errors on the public API.' });
    await changeTechState(ctxAt(at(45, 40)), inc.id, { state: 'identified', note: 'A faulty load-balancer rule.' });
    await changeTechState(ctxAt(at(45, 70)), inc.id, { state: 'resolved', note: 'Rule rolled back.' });
    // A resolution notice says what is being done so that it does not happen again.
    await updateDisclosures(ctxAt(at(45, 75)), inc.id, { remediation: 'Load-balancer changes will go through a staged rollout with automatic rollback.' });
    await sendCommunication(ctxAt(at(45, 80)), inc.id, { kind: 'resolution', body: 'The API works normally again.' });
    await updateDisclosures(ctxAt(at(44)), inc.id, { remediation: 'Load-balancer changes now go through a staged rollout with automatic rollback.' });
    await sendCommunication(ctxAt(at(43)), inc.id, {
      kind: 'rca',
      body: 'Root cause: a load-balancer rule deployed to all regions at once sent part of the traffic to a drained pool. Detection took 3 minutes; rollback 30.',
    });
    await closeIncident(ctxAt(at(43, 10)), inc.id, {});

    // A past incident that turned out internal only.
    const internal = await reportIncident(ctxAt(at(20)), { title: 'Replica lag on a database follower', source: 'monitoring', impacts: [{ componentId: db.id, status: 'degraded_performance' }] });
    await classifyIncident(ctxAt(at(20, 5)), internal.id, { severity: 'SEV4', impacts: [{ componentId: db.id, status: 'degraded_performance' }], isClientAffected: false, reason: 'Reads are served by the primary; clients see no difference.' });
    await documentIncident(ctxAt(at(20, 30)), internal.id, 'A follower fell behind during a vacuum; it caught up on its own. No client traffic used it.');
    await closeIncident(ctxAt(at(20, 31)), internal.id, {});

    return `Demo loaded: 5 components, 3 clients, 2 past incidents. Staff login: oncall@demo.herald.local / demo-password-123; client login (Acme): alice.park@acme.example / demo-password-123.`;
  });
}
