// The demo's story, told through the service verbs (the same rules as the API): a catalog, clients with
// contacts, a closed incident with its RCA, an internal one, an active one whose initial notice lists
// the closed one as a past occurrence (published to the public status page), a scheduled maintenance
// window and a monitoring integration.
import type { Actor } from '../domain/types.js';
import { createComponent, createGroup } from '../services/catalog/components.js';
import { addContact, createClient } from '../services/clients/clients.js';
import { sendCommunication, type SendInput } from '../services/communications/send-communication.js';
import type { Ctx } from '../services/context.js';
import { assignRoles, classifyIncident } from '../services/incidents/classify-incident.js';
import { changeTechState, closeIncident, documentIncident, updateDisclosures } from '../services/incidents/incident-commands.js';
import { publishIncident } from '../services/incidents/publish-incident.js';
import { reportIncident } from '../services/incidents/report-incident.js';
import { createIntegration, type IntegrationRow } from '../services/intake/integrations.js';
import { createMaintenance } from '../services/maintenance/maintenance-commands.js';
import { rotateStatusLink } from '../services/status-pages/status-links.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface DemoActors {
  /** Sets up the catalog, clients and integrations (admin-only verbs). */
  admin: Actor;
  /** Works the incidents, as a member on call would. */
  onCall: Actor;
}

export interface DemoStory {
  clients: { slug: string; name: string }[];
  active: { id: string; key: string; title: string };
  closed: { id: string; key: string; title: string };
  maintenanceKey: string;
  /** Acme's private status page, opened without an account (the secret is shown only here). */
  acmeStatusUrl: string;
  integration: IntegrationRow;
  componentCount: number;
}

/** Writes the story in the caller's transaction; `base` gives the transaction, settings and `now`. */
export async function writeDemoStory(base: Omit<Ctx, 'actor'>, actors: DemoActors): Promise<DemoStory> {
  const { now } = base;
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * MINUTE_MS);
  const daysAgo = (days: number, minutes = 0) => new Date(now.getTime() - days * DAY_MS + minutes * MINUTE_MS);
  const as = (actor: Actor, when: Date): Ctx => ({ ...base, actor, now: when });
  const admin = (when: Date) => as(actors.admin, when);
  const onCall = (when: Date) => as(actors.onCall, when);

  // The catalog, as it was set up months ago.
  const setUp = admin(daysAgo(120));
  const platform = await createGroup(setUp, { name: 'Platform', position: 1 });
  const apps = await createGroup(setUp, { name: 'Applications', position: 2 });
  const api = await createComponent(setUp, { name: 'Public API', groupId: platform.id, position: 1 });
  const db = await createComponent(setUp, { name: 'Database cluster', groupId: platform.id, position: 2 });
  const mail = await createComponent(setUp, { name: 'E-mail delivery', groupId: platform.id, position: 3 });
  const portal = await createComponent(setUp, { name: 'Customer portal', groupId: apps.id, position: 1 });
  const billing = await createComponent(setUp, { name: 'Billing', groupId: apps.id, position: 2 });
  const acme = await createClient(setUp, { name: 'Acme Logistics', slug: 'acme', tier: 'enterprise', componentIds: [api.id, db.id, portal.id] });
  const globex = await createClient(setUp, { name: 'Globex Retail', slug: 'globex', tier: 'standard', componentIds: [portal.id, billing.id, mail.id] });
  const initech = await createClient(setUp, { name: 'Initech', slug: 'initech', tier: 'standard', componentIds: [api.id, mail.id] });
  await addContact(setUp, acme.id, { name: 'Alice Park', email: 'alice.park@acme.example', role: 'technical' });
  await addContact(setUp, acme.id, { name: 'Bernd Vogel', email: 'bernd.vogel@acme.example', role: 'executive', language: 'de' });
  await addContact(setUp, globex.id, { name: 'Grace Hall', email: 'grace.hall@globex.example', role: 'technical' });
  await addContact(setUp, initech.id, { name: 'Peter Gibbons', email: 'peter@initech.example', role: 'technical' });

  // A past incident that affected clients, carried through to the RCA: the later incident on the same
  // component lists it as a past occurrence, with a link to this RCA.
  const closed = await reportIncident(onCall(daysAgo(45)), {
    title: 'Public API returning errors',
    description: 'Error rate above 20% on the public API.',
    source: 'monitoring',
    impacts: [{ componentId: api.id, status: 'partial_outage' }],
  });
  const roles = { incidentManagerId: actors.onCall.userId, communicationLeadId: actors.admin.userId };
  await assignRoles(onCall(daysAgo(45, 1)), closed.id, roles);
  await classifyIncident(onCall(daysAgo(45, 3)), closed.id, { severity: 'SEV2', impacts: [{ componentId: api.id, status: 'partial_outage' }], isClientAffected: true, reason: 'API clients see failed requests.' });
  await updateDisclosures(onCall(daysAgo(45, 5)), closed.id, {
    impactSummary: 'About one in five API requests fail with a server error.',
    dataLoss: { level: 'none', details: null },
    dataExposure: { level: 'none', details: null, isPersonalData: false },
    nextUpdateAt: daysAgo(45, 60).toISOString(),
    expectedResolutionAt: daysAgo(45, 120).toISOString(),
  });
  await sendCommunication(onCall(daysAgo(45, 10)), closed.id, { kind: 'initial', body: 'We are investigating errors on the public API.' });
  await changeTechState(onCall(daysAgo(45, 40)), closed.id, { state: 'identified', note: 'A faulty load-balancer rule.' });
  await changeTechState(onCall(daysAgo(45, 70)), closed.id, { state: 'resolved', note: 'Rule rolled back.' });
  // A resolution notice says what is being done so that it does not happen again.
  await updateDisclosures(onCall(daysAgo(45, 75)), closed.id, { remediation: 'Load-balancer changes will go through a staged rollout with automatic rollback.' });
  await sendCommunication(onCall(daysAgo(45, 80)), closed.id, { kind: 'resolution', body: 'The API works normally again.' });
  await updateDisclosures(onCall(daysAgo(44)), closed.id, { remediation: 'Load-balancer changes now go through a staged rollout with automatic rollback.' });
  await sendCommunication(onCall(daysAgo(43)), closed.id, {
    kind: 'rca',
    body: 'Root cause: a load-balancer rule deployed to all regions at once sent part of the traffic to a drained pool. Detection took 3 minutes; rollback 30.',
  });
  await closeIncident(onCall(daysAgo(43, 10)), closed.id, {});

  // A past incident that turned out internal only: documented, never messaged, never on a status page.
  const internal = await reportIncident(onCall(daysAgo(20)), { title: 'Replica lag on a database follower', source: 'monitoring', impacts: [{ componentId: db.id, status: 'degraded_performance' }] });
  await classifyIncident(onCall(daysAgo(20, 5)), internal.id, {
    severity: 'SEV4',
    impacts: [{ componentId: db.id, status: 'degraded_performance' }],
    isClientAffected: false,
    reason: 'Reads are served by the primary; clients see no difference.',
  });
  await documentIncident(onCall(daysAgo(20, 30)), internal.id, 'A follower fell behind during a vacuum; it caught up on its own. No client traffic used it.');
  await closeIncident(onCall(daysAgo(20, 31)), internal.id, {});

  // The incident in progress: on the component of the closed one, so its initial notice lists that.
  const impacts = [{ componentId: api.id, status: 'degraded_performance' as const }];
  const active = await reportIncident(onCall(at(40)), { title: 'Slow responses from the public API', description: 'p95 latency above 3 s since 10 minutes.', source: 'monitoring', impacts });
  await assignRoles(onCall(at(38)), active.id, { ...roles, technicalTeamIds: [actors.onCall.userId] });
  await classifyIncident(onCall(at(36)), active.id, { severity: 'SEV2', impacts, isClientAffected: true, reason: 'API clients wait seconds for answers; some time out.' });
  await updateDisclosures(onCall(at(33)), active.id, {
    impactSummary: 'API requests take several seconds; some clients time out.',
    dataLoss: { level: 'none', details: null },
    dataExposure: { level: 'none', details: null, isPersonalData: false },
    nextUpdateAt: new Date(now.getTime() + 30 * MINUTE_MS).toISOString(),
    expectedResolutionAt: new Date(now.getTime() + 90 * MINUTE_MS).toISOString(),
  });
  // Clients see what they were sent; the public page shows only what is published to it, in words
  // written for everyone (no client's name, no contract detail), after each message.
  const tellClients = async (when: Date, input: SendInput, forEveryone: { title?: string; body: string }) => {
    await sendCommunication(onCall(when), active.id, input);
    await publishIncident(onCall(new Date(when.getTime() + MINUTE_MS)), active.id, forEveryone);
  };
  await tellClients(
    at(30),
    { kind: 'initial', body: 'We are investigating slow responses from the public API.' },
    { title: active.title, body: 'Some requests to the public API are slow or time out. We are investigating.' },
  );
  await changeTechState(onCall(at(12)), active.id, { state: 'identified', note: 'A database index rebuild holds locks the API waits on.' });
  await updateDisclosures(onCall(at(10)), active.id, { nextUpdateAt: new Date(now.getTime() + 50 * MINUTE_MS).toISOString() });
  await tellClients(
    at(8),
    { kind: 'update', body: 'We found the cause: maintenance work on the database holds locks the API waits on. We are stopping it.' },
    { body: 'We found the cause, maintenance work on the database, and are stopping it.' },
  );

  // Planned work next week, announced to the clients that use the component (public: in the calendar feed).
  const startsAt = new Date(now.getTime() + 7 * DAY_MS);
  startsAt.setUTCHours(2, 0, 0, 0);
  const maintenance = await createMaintenance(onCall(now), {
    title: 'Database cluster upgrade to PostgreSQL 18',
    description: 'The cluster moves to a new major version. Writes pause for up to five minutes during the switch-over.',
    componentIds: [db.id],
    startsAt: startsAt.toISOString(),
    endsAt: new Date(startsAt.getTime() + 2 * 60 * MINUTE_MS).toISOString(),
  });

  // A monitoring integration whose rule for billing checks says: let a person look first (triage).
  const integration = await createIntegration(admin(daysAgo(30)), {
    kind: 'generic',
    name: 'Uptime checks',
    slug: 'uptime-checks',
    groupKeyPath: 'labels.service',
    rules: [{ match: { service: 'billing' }, componentIds: [billing.id], severity: 'SEV3', impact: 'degraded_performance', action: 'triage' }],
    defaultSeverity: 'SEV3',
    defaultAction: 'open',
  });

  const link = await rotateStatusLink(admin(now), acme.id);
  return {
    clients: [acme, globex, initech].map((c) => ({ slug: c.slug, name: c.name })),
    active: { id: active.id, key: active.key, title: active.title },
    closed: { id: closed.id, key: closed.key, title: closed.title },
    maintenanceKey: maintenance.key,
    acmeStatusUrl: link.url,
    integration: integration.row,
    componentCount: 5,
  };
}
