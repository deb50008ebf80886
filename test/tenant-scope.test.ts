// "Nothing leaked" (DESIGN §7), tested over every route: a client user of organisation A walks every
// operation of the OpenAPI document, with the ids of A's objects and of B's, and must never see
// anything of B, never get a 5xx, never change B's data, and never learn more from B's ids than
// from ids that do not exist.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAffectedIncident, fullDisclosures } from './support/factories.js';
import { fillPath, loadOperations, pathParamKinds, queryEnumValues, queryParamKind, routeKey, STREAM_ROUTES, writeBodies, type BodyIds, type IdKind, type Operation } from './support/openapi-walk.js';
import { recipientsOf } from './support/recipients.js';
import { createTestApp, type Caller, type Response, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';

type Side = 'A' | 'B';
type IdValues = Record<IdKind, Record<Side, string[]>>;

interface Seed {
  tag: string;
  /** Every string that belongs to B and must never reach A. */
  markers: string[];
  bIds: string[];
  bKeys: string[];
  bEmails: string[];
  values: IdValues;
  bodyIds: Record<Side, BodyIds>;
  a: { user: Caller; clientId: string; incidentId: string; incidentTitle: string; reportedId: string; bothId: string; communicationId: string; bothCommunicationId: string; sharedComponentId: string; componentIds: string[]; contactIds: string[] };
  b: { user: Caller; clientId: string; incidentId: string; reportedId: string; communicationId: string; bothId: string; componentIds: string[]; contactIds: string[]; groupId: string; tokenIds: string[]; endpointIds: string[] };
}

const ok = (res: Response, what: string) => {
  expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
};

async function seed(t: TestApp): Promise<Seed> {
  const admin = t.admin;
  const tag = `zq${randomBytes(6).toString('hex')}`;
  const B = {
    name: `Bravo ${tag} Holdings`,
    slug: `bravo-${tag}`,
    contacts: [
      { name: `Bravo ${tag} Ops Lead`, email: `ops-${tag}@bravo.example` },
      { name: `Bravo ${tag} Executive`, email: `exec-${tag}@bravo.example`, role: 'executive' },
    ],
    component: `Bravo ${tag} Ledger`,
    idleComponent: `Bravo ${tag} Archive`,
    group: `Bravo ${tag} Backoffice`,
    reportedTitle: `Bravo ${tag} cannot export invoices`,
    reportedDescription: `Bravo ${tag} finance team sees timeouts`,
    onlyTitle: `Bravo ${tag} ledger outage`,
    onlyDescription: `Bravo ${tag} internal description`,
    impactSummary: `Bravo ${tag} ledger writes fail`,
    remediation: `Bravo ${tag} remediation plan`,
    subject: `Bravo ${tag} notice subject`,
    body: `Bravo ${tag} notice body`,
    userEmail: `portal-${tag}@bravo.example`,
    userName: `Bravo ${tag} Portal User`,
    tokenName: `Bravo ${tag} automation token`,
    endpoint: { kind: 'webhook', name: `Bravo ${tag} alerts hook`, url: `https://bravo-${tag}.example/hooks/herald` },
  };
  const markers = [B.name, B.slug, ...B.contacts.flatMap((c) => [c.name, c.email]), B.component, B.idleComponent, B.group, B.reportedTitle, B.reportedDescription, B.onlyTitle, B.onlyDescription, B.impactSummary, B.remediation, B.subject, B.body, B.userEmail, B.userName, B.tokenName, B.endpoint.name, B.endpoint.url, tag];

  // Catalog: A-only, shared and B-only components; a group used only by B.
  const groupA = ok(await admin.post('/api/v1/component-groups', { name: `Alpha ${tag.slice(0, 4)} group` }), 'group A');
  const groupB = ok(await admin.post('/api/v1/component-groups', { name: B.group }), 'group B');
  const comp = async (name: string, groupId: string | null) => ok(await admin.post('/api/v1/components', { name, groupId }), name).id as string;
  const compA = await comp(`Alpha ${tag.slice(0, 4)} portal`, groupA.id);
  const compShared = await comp(`Shared ${tag.slice(0, 4)} login`, null);
  const compB = await comp(B.component, groupB.id);
  const compBIdle = await comp(B.idleComponent, groupB.id);

  const clientA = ok(await admin.post('/api/v1/clients', { name: 'Alpha Corp', slug: `alpha-${tag.slice(0, 6)}`, componentIds: [compA, compShared] }), 'client A');
  const contactsA: string[] = [];
  for (const c of [{ name: 'Alpha Ops', email: 'ops@alpha.example' }, { name: 'Alpha CTO', email: 'cto@alpha.example', role: 'executive' }]) {
    contactsA.push(ok(await admin.post(`/api/v1/clients/${clientA.id}/contacts`, c), 'contact A').id as string);
  }
  const clientB = ok(await admin.post('/api/v1/clients', { name: B.name, slug: B.slug, tier: 'premium', componentIds: [compB, compShared, compBIdle] }), 'client B');
  const contactsB: string[] = [];
  for (const c of B.contacts) contactsB.push(ok(await admin.post(`/api/v1/clients/${clientB.id}/contacts`, c), 'contact B').id as string);

  // Endpoints first, so that the messages below are delivered to them too.
  const endpointA = ok(await admin.post(`/api/v1/clients/${clientA.id}/endpoints`, { kind: 'slack', name: 'Alpha Slack', url: 'https://hooks.alpha.example/slack' }), 'endpoint A');
  const endpointB = ok(await admin.post(`/api/v1/clients/${clientB.id}/endpoints`, B.endpoint), 'endpoint B');

  const aUser = await t.user('client', { clientId: clientA.id, email: 'portal@alpha.example', name: 'Alpha Portal User' });
  const bUser = await t.user('client', { clientId: clientB.id, email: B.userEmail, name: B.userName });
  const bToken = ok(await bUser.post('/api/v1/tokens', { name: B.tokenName }), 'B token');
  const aSpareToken = ok(await aUser.post('/api/v1/tokens', { name: 'Alpha spare token' }), 'A spare token');
  const tokens = ok(await admin.get('/api/v1/tokens'), 'tokens').items as { id: string; userId: string }[];
  const bTokenIds = tokens.filter((x) => x.userId === bUser.userId).map((x) => x.id);
  expect(bTokenIds).toContain(bToken.id);

  // B only: an incident on B's component with an initial notice that carries B's words.
  const incB = ok(await admin.post('/api/v1/incidents', { title: B.onlyTitle, description: B.onlyDescription }), 'incident B');
  ok(await admin.post(`/api/v1/incidents/${incB.id}/classification`, { severity: 'SEV2', impacts: [{ componentId: compB, status: 'major_outage' }], isClientAffected: true, reason: 'Ledger is down.' }), 'classify B');
  ok(await admin.post(`/api/v1/incidents/${incB.id}/disclosures`, { ...fullDisclosures(), impactSummary: B.impactSummary, remediation: B.remediation }), 'disclose B');
  const commB = ok(await admin.post(`/api/v1/incidents/${incB.id}/communications`, { kind: 'initial', subject: B.subject, body: B.body }), 'notice B').communication;
  // Reported by B's own client user.
  const incBReported = ok(await bUser.post('/api/v1/incidents', { title: B.reportedTitle, description: B.reportedDescription, impacts: [{ componentId: compB, status: 'partial_outage' }] }), 'B report');

  // A only, reported by staff and by A's client user.
  const incA = await buildAffectedIncident(admin, compA);
  const commA = ok(await admin.post(`/api/v1/incidents/${incA.id}/communications`, { kind: 'initial' }), 'notice A').communication;
  const incAReported = ok(await aUser.post('/api/v1/incidents', { title: 'Alpha dashboard is slow', description: 'Alpha sees slow pages', impacts: [{ componentId: compA, status: 'degraded_performance' }] }), 'A report');

  // Both: the shared component and B's component; B's copy of the notice lists B's past incident.
  const incBoth = ok(await admin.post('/api/v1/incidents', { title: 'Login trouble', description: 'Shared login fails.' }), 'incident both');
  ok(
    await admin.post(`/api/v1/incidents/${incBoth.id}/classification`, {
      severity: 'SEV2',
      impacts: [{ componentId: compShared, status: 'major_outage' }, { componentId: compB, status: 'partial_outage' }],
      isClientAffected: true,
      reason: 'Logins fail.',
    }),
    'classify both',
  );
  ok(await admin.post(`/api/v1/incidents/${incBoth.id}/disclosures`, fullDisclosures()), 'disclose both');
  const commBoth = ok(await admin.post(`/api/v1/incidents/${incBoth.id}/communications`, { kind: 'initial' }), 'notice both').communication;
  expect([...commBoth.clientIds].sort()).toEqual([clientA.id, clientB.id].sort());
  expect(JSON.stringify(commBoth.pastOccurrences), 'B copy lists B past incident').toContain(B.onlyTitle);

  const obligationsOf = async (id: string) => ok(await admin.get(`/api/v1/incidents/${id}/obligations`), 'obligations').items as { id: string; clientId: string | null }[];
  const oblA = [...(await obligationsOf(incA.id)), ...(await obligationsOf(incBoth.id)).filter((o) => o.clientId === clientA.id)];
  const oblB = [...(await obligationsOf(incB.id)), ...(await obligationsOf(incBoth.id)).filter((o) => o.clientId !== clientA.id)];
  expect(oblA.length).toBeGreaterThan(0);
  expect(oblB.length).toBeGreaterThan(0);
  const recipientsB = [...(await recipientsOf(admin, commB.id)), ...(await recipientsOf(admin, commBoth.id, { clientId: clientB.id }))].map((r) => r.id);
  expect(recipientsB.length).toBeGreaterThanOrEqual(4);
  const policies = (ok(await admin.get('/api/v1/sla-policies'), 'policies').items as { id: string }[]).map((p) => p.id);
  const templates = (ok(await admin.get('/api/v1/templates'), 'templates').items as { id: string }[]).map((p) => p.id);
  // Maintenance: A's own, one on a shared and a B component, and B's own (with B's words).
  const window = { startsAt: new Date(Date.now() + 4 * 86_400_000).toISOString(), endsAt: new Date(Date.now() + 4 * 86_400_000 + 3_600_000).toISOString() };
  const mntA = ok(await admin.post('/api/v1/maintenance', { title: 'Alpha portal upgrade', componentIds: [compA], ...window }), 'maintenance A');
  const mntBoth = ok(await admin.post('/api/v1/maintenance', { title: 'Login upgrade', componentIds: [compShared, compB], ...window }), 'maintenance both');
  const mntB = ok(await admin.post('/api/v1/maintenance', { title: `${B.onlyTitle} maintenance`, description: B.onlyDescription, componentIds: [compB], ...window }), 'maintenance B');

  // Intake (staff only): an integration, and a public report of each client held by the spam guard.
  const integration = ok(await admin.post('/api/v1/integrations', { kind: 'generic', name: 'Alpha uptime checks', slug: `checks-${tag.slice(0, 6)}` }), 'integration');
  const heldReport = async (clientId: string, title: string) => {
    const url = ok(await admin.post(`/api/v1/clients/${clientId}/report-link`, {}), 'report link').url as string;
    const res = await t.app.inject({ method: 'POST', url: new URL(url).pathname, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ title, description: title }) });
    expect(res.statusCode, res.body).toBe(202);
    const items = ok(await admin.get('/api/v1/triage?kind=public_report'), 'triage').items as { id: string; title: string }[];
    return items.find((i) => i.title === title)!.id;
  };
  const triageA = await heldReport(clientA.id, 'Alpha report without a form token');
  const triageB = await heldReport(clientB.id, `${B.reportedTitle} (report form)`);
  // A contact's e-mail with an attachment opens an incident of each client.
  const mailedAttachment = async (from: string, subject: string) => {
    const raw = [`From: ${from}`, 'To: incidents@herald.test', `Subject: ${subject}`, `Message-ID: <${subject.replace(/\W/g, '')}-${tag}@mail.example>`, 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', '', subject, '--b', 'Content-Type: text/plain; name="log.txt"', 'Content-Disposition: attachment; filename="log.txt"', '', 'log line', '--b--', ''].join('\r\n');
    const taken = await t.herald.intake.takeInMail(raw);
    expect(taken.outcome).toBe('incident');
    const id = (taken as { incidentId: string }).incidentId;
    return { incidentId: id, attachmentId: ok(await admin.get(`/api/v1/incidents/${id}/attachments`), 'attachments').items[0].id as string };
  };
  const mailA = await mailedAttachment('ops@alpha.example', 'Alpha exports fail');
  const mailB = await mailedAttachment(B.contacts[0]!.email, `${B.reportedTitle} by mail`);

  const withKeys = (...incs: { id: string; key: string }[]) => incs.flatMap((i) => [i.id, i.key]);
  const values: IdValues = {
    user: { A: [aUser.userId, admin.userId], B: [bUser.userId] },
    token: { A: [aSpareToken.id], B: bTokenIds },
    group: { A: [groupA.id], B: [groupB.id] },
    component: { A: [compA, compShared], B: [compB, compBIdle] },
    client: { A: [clientA.id], B: [clientB.id] },
    contact: { A: contactsA, B: contactsB },
    endpoint: { A: [endpointA.id], B: [endpointB.id] },
    policy: { A: policies.slice(0, 2), B: [] },
    template: { A: templates.slice(0, 2), B: [] },
    incident: { A: [...withKeys(incA, incBoth, incAReported), mailA.incidentId], B: [...withKeys(incB, incBReported), mailB.incidentId] },
    obligation: { A: oblA.map((o) => o.id), B: oblB.map((o) => o.id) },
    communication: { A: [commA.id, commBoth.id], B: [commB.id] },
    maintenance: { A: [mntA.id, mntBoth.id], B: [mntB.id] },
    tier: { A: ['premium'], B: [] },
    integration: { A: [integration.id], B: [] },
    triage: { A: [triageA], B: [triageB] },
    attachment: { A: [mailA.attachmentId], B: [mailB.attachmentId] },
  };
  const bKeys = [incB.key, incBReported.key];
  const bIds = [
    ...new Set([...Object.values(values).flatMap((v) => v.B.filter((x) => !bKeys.includes(x))), ...recipientsB]),
  ];
  return {
    tag,
    markers,
    bIds,
    bKeys,
    bEmails: [B.userEmail, ...B.contacts.map((c) => c.email)],
    values,
    bodyIds: {
      A: { clientId: clientA.id, componentId: compA, groupId: groupA.id, userId: aUser.userId, userEmail: 'portal@alpha.example', incidentId: incA.id, contactId: contactsA[0]! },
      B: { clientId: clientB.id, componentId: compB, groupId: groupB.id, userId: bUser.userId, userEmail: B.userEmail, incidentId: incB.id, contactId: contactsB[0]! },
    },
    a: {
      user: aUser,
      clientId: clientA.id,
      incidentId: incA.id,
      incidentTitle: (ok(await admin.get(`/api/v1/incidents/${incA.id}`), 'incident A') as { title: string }).title,
      reportedId: incAReported.id,
      bothId: incBoth.id,
      communicationId: commA.id,
      bothCommunicationId: commBoth.id,
      sharedComponentId: compShared,
      componentIds: [compA, compShared],
      contactIds: contactsA,
    },
    b: { user: bUser, clientId: clientB.id, incidentId: incB.id, reportedId: incBReported.id, communicationId: commB.id, bothId: incBoth.id, componentIds: [compB, compBIdle], contactIds: contactsB, groupId: groupB.id, tokenIds: bTokenIds, endpointIds: [endpointB.id] },
  };
}

interface Case {
  op: Operation;
  url: string;
  body: unknown;
}

function* cartesian(lists: [string, string[]][]): Generator<Record<string, string>> {
  if (!lists.length) {
    yield {};
    return;
  }
  const [first, ...rest] = lists;
  const [name, values] = first!;
  for (const v of values) for (const tail of cartesian(rest)) yield { [name]: v, ...tail };
}

/** Every request the walker makes for one operation: each id of A and of B in each slot, each plausible body. */
function casesFor(op: Operation, s: Seed): Case[] {
  const kinds = pathParamKinds(op.path);
  const all = (kind: IdKind) => [...s.values[kind].A, ...s.values[kind].B];
  const paths = [...cartesian(Object.entries(kinds).map(([name, kind]) => [name, all(kind)]))].map((v) => fillPath(op.path, v));
  const queries: string[] = [''];
  for (const q of op.queryParams) {
    const kind = queryParamKind(op, q.name);
    if (kind) for (const v of all(kind)) queries.push(`?${q.name}=${encodeURIComponent(v)}`);
    for (const v of queryEnumValues(op, q.name)) queries.push(`?${q.name}=${encodeURIComponent(v)}`);
  }
  if (op.path.endsWith('/outbox')) queries.push(...s.bEmails.map((e) => `?to=${encodeURIComponent(e)}`));
  const bodies = op.method === 'GET' ? [undefined] : [...writeBodies(op, s.bodyIds.A), ...writeBodies(op, s.bodyIds.B)];
  const seen = new Set<string>();
  const cases: Case[] = [];
  for (const p of paths) {
    for (const q of queries) {
      for (const body of bodies) {
        const sig = `${p}${q} ${JSON.stringify(body)}`;
        if (seen.has(sig)) continue;
        seen.add(sig);
        cases.push({ op, url: `${p}${q}`, body });
      }
    }
  }
  return cases;
}

describe.each(testBackends())('tenant scope on %s', (kind) => {
  let t: TestApp;
  let s: Seed;
  let ops: Operation[];
  beforeAll(async () => {
    // No delivery workers: B's deliveries must stay as seeded while A walks (and nothing calls out).
    t = await createTestApp(kind, { runsJobs: false });
    s = await seed(t);
    ops = await loadOperations(s.a.user);
  });
  afterAll(() => t?.close());

  /** B's identifiers a request names, each with a stand-in that does not exist. */
  const standIns = () => {
    const m = new Map<string, string>();
    s.bIds.forEach((id) => m.set(id, randomUUID()));
    s.bKeys.forEach((k, i) => m.set(k, `INC-${987654320 + i}`));
    s.bEmails.forEach((e, i) => m.set(e, `nobody-${i}@nowhere.example`));
    return m;
  };
  let stand: Map<string, string>;
  const keyPattern = (key: string) => new RegExp(`${key}(?!\\d)`, 'g');
  const replaceAll = (text: string, from: string, to: string) => (/^INC-\d+$/.test(from) ? text.replace(keyPattern(from), to) : text.split(from).join(to));
  const named = (text: string) => [...stand.keys()].filter((x) => (/^INC-\d+$/.test(x) ? keyPattern(x).test(text) : text.includes(x)));

  /** One request as A's client user; a route that does not answer in time fails the walk (a new stream route?). */
  const send = async (c: { method: string; url: string; body: unknown }) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${c.method} ${c.url} did not answer within 10 s; if it is a stream, list it in STREAM_ROUTES and test it over a socket`)), 10_000);
    });
    try {
      return await Promise.race([s.a.user.request(c.method, c.url, c.body), late]);
    } finally {
      clearTimeout(timer);
    }
  };
  const textOf = (r: Response) => `${typeof r.body === 'string' ? r.body : JSON.stringify(r.body)}\n${JSON.stringify(r.headers)}`;

  /** What the response shows of B beyond the B ids the request itself named (echoed in `instance`, `missing`). */
  function leaks(label: string, res: Response, sent: string[]): string[] {
    let text = textOf(res);
    for (const x of sent) text = replaceAll(text, x, '<sent>');
    const lower = text.toLowerCase();
    const found = [
      ...s.markers.filter((m) => lower.includes(m.toLowerCase())).map((m) => `B's "${m}"`),
      ...s.bIds.filter((id) => lower.includes(id)).map((id) => `B's id ${id}`),
      ...s.bKeys.filter((k) => keyPattern(k).test(text)).map((k) => `B's incident key ${k}`),
    ];
    return found.length ? [`${label} leaks ${found.join(', ')}: ${text.slice(0, 1500)}`] : [];
  }

  it('knows how to fill every operation of the OpenAPI document', () => {
    expect(ops.length).toBeGreaterThan(20);
    for (const op of ops) {
      pathParamKinds(op.path);
      for (const q of op.queryParams) queryParamKind(op, q.name);
      if (op.method !== 'GET') writeBodies(op, s.bodyIds.A);
    }
  });

  it("shows A's user A's own incidents, messages and catalog (so the walk below cannot pass on 404s)", async () => {
    const a = s.a.user;
    const inc = ok(await a.get(`/api/v1/incidents/${s.a.incidentId}`), 'A incident');
    expect(inc).toMatchObject({ id: s.a.incidentId, title: s.a.incidentTitle, isAffectingYou: true });
    expect(ok(await a.get(`/api/v1/incidents/${s.a.reportedId}`), 'A report')).toMatchObject({ description: 'Alpha sees slow pages', isReportedByYou: true });
    const both = ok(await a.get(`/api/v1/incidents/${s.a.bothId}`), 'both incident');
    expect(both.impacts.map((i: { componentId: string }) => i.componentId)).toEqual([s.a.sharedComponentId]);
    const list = ok(await a.get('/api/v1/incidents'), 'A list').items.map((i: { id: string }) => i.id);
    expect(list).toEqual(expect.arrayContaining([s.a.incidentId, s.a.reportedId, s.a.bothId]));
    expect(list).not.toContain(s.b.incidentId);
    expect(list).not.toContain(s.b.reportedId);
    const comms = ok(await a.get(`/api/v1/incidents/${s.a.incidentId}/communications`), 'A messages').items;
    expect(comms.map((c: { id: string }) => c.id)).toEqual([s.a.communicationId]);
    expect(comms[0].recipientCounts.total).toBeGreaterThanOrEqual(2);
    expect(await recipientsOf(a, s.a.communicationId)).toHaveLength(comms[0].recipientCounts.total);
    expect(ok(await a.get(`/api/v1/communications/${s.a.communicationId}`), 'A message')).toMatchObject({ id: s.a.communicationId, kind: 'initial' });
    const shared = ok(await a.get(`/api/v1/communications/${s.a.bothCommunicationId}`), 'shared message');
    expect(shared.clientIds).toEqual([s.a.clientId]);
    expect(shared.recipientCounts.total).toBeGreaterThanOrEqual(2);
    expect(shared.recipientCounts.byClient.map((c: { clientId: string }) => c.clientId)).toEqual([s.a.clientId]);
    const sharedCopies = await recipientsOf(a, s.a.bothCommunicationId);
    expect(sharedCopies).toHaveLength(shared.recipientCounts.total);
    expect(new Set(sharedCopies.map((r) => r.clientId))).toEqual(new Set([s.a.clientId]));
    expect(ok(await a.get(`/api/v1/clients/${s.a.clientId}/contacts`), 'A contacts').items.map((c: { id: string }) => c.id).sort()).toEqual([...s.a.contactIds].sort());
    expect(ok(await a.get('/api/v1/components'), 'A components').items.map((c: { id: string }) => c.id).sort()).toEqual([...s.a.componentIds].sort());
    // And B's data really carries B's markers, so their absence below means something.
    expect(JSON.stringify(ok(await s.b.user.get(`/api/v1/incidents/${s.b.incidentId}`), 'B incident'))).toContain(s.tag);
    expect(JSON.stringify(ok(await s.b.user.get(`/api/v1/communications/${s.b.communicationId}`), 'B message'))).toContain(s.tag);
    expect(JSON.stringify(ok(await s.b.user.get('/api/v1/tokens'), 'B tokens'))).toContain(s.tag);
  });

  it("walks every route as A's client user without seeing, changing or probing anything of B", async () => {
    stand = standIns();
    const snapshotB = async () => {
      const admin = t.admin;
      const urls = [
        `/api/v1/clients/${s.b.clientId}`,
        `/api/v1/clients/${s.b.clientId}/contacts`,
        `/api/v1/clients/${s.b.clientId}/endpoints`,
        `/api/v1/clients/${s.b.clientId}/deliveries`,
        ...s.b.componentIds.map((id) => `/api/v1/components/${id}`),
        '/api/v1/component-groups',
        ...[s.b.incidentId, s.b.reportedId, s.b.bothId].flatMap((id) => [`/api/v1/incidents/${id}`, `/api/v1/incidents/${id}/timeline`, `/api/v1/incidents/${id}/obligations`, `/api/v1/incidents/${id}/communications`]),
        `/api/v1/users/${s.b.user.userId}`,
        ...s.values.maintenance.B.map((id) => `/api/v1/maintenance/${id}`),
        '/api/v1/tokens',
        '/api/v1/sla-policies',
      ];
      const out: Record<string, unknown> = {};
      for (const u of urls) out[u] = ok(await admin.get(u), u);
      out['/api/v1/tokens'] = (out['/api/v1/tokens'] as { items: { userId: string }[] }).items.filter((x) => x.userId === s.b.user.userId);
      return JSON.parse(JSON.stringify(out, (k, v) => (k === 'isOverdue' ? undefined : v))) as Record<string, unknown>;
    };
    const before = await snapshotB();

    const failures: string[] = [];
    const calls = new Map<string, { a: number; b: number }>();
    for (const op of ops) {
      if (STREAM_ROUTES.has(routeKey(op))) continue;
      calls.set(routeKey(op), { a: 0, b: 0 });
      for (const c of casesFor(op, s)) {
        const bodyText = c.body === undefined ? '' : JSON.stringify(c.body);
        const sent = named(`${decodeURIComponent(c.url)}\n${bodyText}`);
        const label = `${op.method} ${c.url} ${bodyText}`;
        const res = await send({ method: op.method, url: c.url, body: c.body });
        calls.get(routeKey(op))![sent.length ? 'b' : 'a']++;
        if (res.status >= 500) failures.push(`${label} → ${res.status} ${JSON.stringify(res.body)}`);
        failures.push(...leaks(label, res, sent));
        if (!sent.length) continue;

        // B's ids must tell A nothing more than ids that do not exist.
        let url = c.url;
        let body = bodyText;
        for (const x of sent) {
          url = replaceAll(replaceAll(url, encodeURIComponent(x), encodeURIComponent(stand.get(x)!)), x, stand.get(x)!);
          body = replaceAll(body, x, stand.get(x)!);
        }
        const base = await send({ method: op.method, url, body: body ? JSON.parse(body) : undefined });
        if (base.status >= 500) failures.push(`${op.method} ${url} ${body} → ${base.status} ${JSON.stringify(base.body)}`);
        const pathNamesB = sent.some((x) => c.url.split('?')[0]!.includes(x));
        if (pathNamesB && res.status < 400) failures.push(`${label} → ${res.status}: a B object in the path was accepted: ${JSON.stringify(res.body).slice(0, 500)}`);
        if (res.status !== base.status || res.body?.code !== base.body?.code) {
          failures.push(`${label} → ${res.status} ${res.body?.code ?? ''} but with unknown ids → ${base.status} ${base.body?.code ?? ''}: ${JSON.stringify(res.body).slice(0, 300)} / ${JSON.stringify(base.body).slice(0, 300)}`);
        } else if (op.method === 'GET' && res.status < 300) {
          let x = JSON.stringify(res.body);
          let y = JSON.stringify(base.body);
          sent.forEach((v, i) => {
            x = replaceAll(x, v, `<id${i}>`);
            y = replaceAll(y, stand.get(v)!, `<id${i}>`);
          });
          if (x !== y) failures.push(`${label} answers differently for B's ids than for unknown ids:\n  B:       ${x.slice(0, 500)}\n  unknown: ${y.slice(0, 500)}`);
        }
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);

    // Every operation was called; every one that takes an id or a body naming one was called with B's too.
    for (const op of ops) {
      if (STREAM_ROUTES.has(routeKey(op))) continue;
      const n = calls.get(routeKey(op))!;
      expect(n.a, `${routeKey(op)} called with A's ids`).toBeGreaterThan(0);
      const takesIds =
        Object.values(pathParamKinds(op.path)).some((k) => s.values[k].B.length) ||
        op.queryParams.some((q) => queryParamKind(op, q.name)) ||
        (op.method !== 'GET' && JSON.stringify(writeBodies(op, s.bodyIds.A)) !== JSON.stringify(writeBodies(op, s.bodyIds.B)));
      if (takesIds) expect(n.b, `${routeKey(op)} called with B's ids`).toBeGreaterThan(0);
    }

    const after = await snapshotB();
    const changed = Object.keys(before).filter((u) => JSON.stringify(before[u]) !== JSON.stringify(after[u]));
    expect(changed.map((u) => `${u}\n  before: ${JSON.stringify(before[u]).slice(0, 1500)}\n  after:  ${JSON.stringify(after[u]).slice(0, 1500)}`), "B's data after A's walk").toEqual([]);
    // A's own token still works: the walk did not lock A out and so stopped testing.
    expect((await s.a.user.get('/api/v1/auth/session')).status).toBe(200);
  }, 180_000); // about 3 s per backend when idle; generous for a loaded machine
  it("streams to A's user the changes of A's incidents and never of B's", async () => {
    const streams = ops.filter((op) => STREAM_ROUTES.has(routeKey(op)));
    for (const op of streams) expect(routeKey(op), 'a stream route this test knows how to drive').toBe('GET /api/v1/events');
    if (!streams.length) return;
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const abort = new AbortController();
    const res = await fetch(`${address}/api/v1/events`, { headers: { authorization: `Bearer ${s.a.user.token}` }, signal: abort.signal });
    expect(res.status).toBe(200);
    let text = '';
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const pump = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          text += decoder.decode(value, { stream: true });
        }
      } catch {
        /* aborted */
      }
    })();
    const until = async (what: string, cond: () => boolean) => {
      for (let waited = 0; !cond(); waited += 20) {
        if (waited > 10_000) throw new Error(`the event stream did not show ${what} within 10 s: ${text}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until('the connection', () => text.includes('connected'));
    // B's incidents change first; when A's change arrives, B's would have arrived before it.
    for (const id of [s.b.incidentId, s.b.reportedId]) ok(await t.admin.post(`/api/v1/incidents/${id}/notes`, { text: 'Staff note' }), 'note on B incident');
    ok(await t.admin.post(`/api/v1/incidents/${s.a.incidentId}/notes`, { text: 'Staff note' }), 'note on A incident');
    await until("A's incident", () => text.includes(s.a.incidentId));
    await new Promise((r) => setTimeout(r, 300));
    abort.abort();
    await pump;
    expect(leaks('GET /api/v1/events', { status: res.status, body: text, headers: Object.fromEntries(res.headers) }, [])).toEqual([]);
  });
});
