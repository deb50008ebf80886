// Planned and unplanned changes end to end, on every backend: a window scheduled for the (test-driven)
// future sends the advance notices per client tier over real SMTP, moves to in progress and completed
// on time with its components following, and appears in the iCal feed (read with a real iCal parser);
// rescheduling and cancelling notify at once; an emergency change needs a justification and is
// communicated at once; client users see only their own windows; bad input gets a 4xx naming the field.
import ICAL from 'ical.js';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/open.js';
import { createHerald } from '../src/herald.js';
import { rows } from '../src/services/sql-rows.js';
import { buildClient, buildComponent, buildIncident } from './support/factories.js';
import { startHttpReceiver } from './support/http-receiver.js';
import { startSmtpSink, type SinkMail, type SmtpSink } from './support/smtp-sink.js';
import { createTestApp, type Caller, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';
import { eventually, expectProblem, expectStatus } from './support/http-assertions.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const minute = (ms: number) => new Date(Math.ceil(ms / MIN) * MIN);

interface CalendarEvent {
  uid: string;
  start: Date;
  end: Date;
  summary: string;
  status: string | null;
  sequence: number;
}

function parseCalendar(text: string): CalendarEvent[] {
  const root = new ICAL.Component(ICAL.parse(text));
  expect(root.name).toBe('vcalendar');
  expect(root.getFirstPropertyValue('version')).toBe('2.0');
  return root.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      start: e.startDate.toJSDate(),
      end: e.endDate.toJSDate(),
      summary: e.summary,
      status: (v.getFirstPropertyValue('status') as string | null) ?? null,
      sequence: e.sequence,
    };
  });
}

describe.each(testBackends())('maintenance windows on %s', (kind) => {
  let t: TestApp;
  let sink: SmtpSink;
  let compA: { id: string; name: string };
  let compB: { id: string; name: string };
  let clientA: Awaited<ReturnType<typeof buildClient>>;
  let clientB: Awaited<ReturnType<typeof buildClient>>;
  let viewerA: Caller;

  const mailTo = (address: string, key: string) => sink.messages.filter((m) => m.to.includes(address) && m.subject.includes(`[${key}]`));
  const waitForMail = (what: string, address: string, key: string, count: number) =>
    eventually(`${count} message(s) about ${key} to ${address} (${what})`, () => {
      const found = mailTo(address, key);
      return found.length >= count ? found : null;
    });
  const componentStatus = async (id: string) => (await expectStatus(t.admin.get(`/api/v1/components/${id}`), 200)).body.status as string;

  beforeAll(async () => {
    // Recipients at bounce.example are refused for good (550 at RCPT TO).
    sink = await startSmtpSink({ rejectRecipient: (address) => (address.endsWith('@bounce.example') ? 550 : null) });
    // The client endpoints are receivers on loopback: this installation allows private targets.
    t = await createTestApp(kind, { smtpUrl: sink.url, delivery: { maxAttempts: 3, retryBaseMs: 100, retryMaxMs: 1000, httpTimeoutMs: 5000 }, allowsPrivateWebhookTargets: true });
    compA = await buildComponent(t.admin, `Customer portal ${kind}`);
    compB = await buildComponent(t.admin, `Public API ${kind}`);
    clientA = await buildClient(t.admin, { tier: 'standard', componentIds: [compA.id], contacts: [{ name: 'Anna Admin', email: `anna-${kind}@a.example`, language: 'en' }] });
    clientB = await buildClient(t.admin, { tier: 'gold', componentIds: [compB.id], contacts: [{ name: 'Bernd Berger', email: `bernd-${kind}@b.example`, language: 'de' }] });
    viewerA = await t.user('client', { clientId: clientA.id });
  });

  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('sends the advance notices per tier, starts and completes on time with the components following, and shows in the iCal feed', async () => {
    // Gold clients hear 3 days and 1 hour ahead and at the start, not at completion.
    const gold = await expectStatus(t.admin.request('PUT', '/api/v1/maintenance/notice-schedules/gold', { advanceMinutes: [60, 3 * 24 * 60], atStart: true, atCompletion: false }), 200);
    expect(gold.body).toMatchObject({ tier: 'gold', advanceMinutes: [4320, 60], atStart: true, atCompletion: false });
    const schedules = await expectStatus(t.admin.get('/api/v1/maintenance/notice-schedules'), 200);
    expect(schedules.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ tier: '*', advanceMinutes: [10080, 1440], atStart: true, atCompletion: true })]));

    const t0 = Date.now();
    const startsAt = minute(t0 + 10 * DAY);
    const endsAt = new Date(startsAt.getTime() + 2 * HOUR);
    const created = await expectStatus(
      t.admin.post('/api/v1/maintenance', {
        title: 'Database upgrade',
        description: 'We upgrade the database cluster; logins may fail for up to 10 minutes.',
        componentIds: [compA.id, compB.id],
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
      }),
      201,
    );
    const w = created.body;
    expect(w).toMatchObject({ state: 'scheduled', kind: 'planned', sequence: 0, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() });
    expect(w.key).toMatch(/^MNT-\d+$/);
    expect(w.clientIds.sort()).toEqual([clientA.id, clientB.id].sort());
    expect(w.timeline.map((e: { type: string }) => e.type)).toContain('window.created');
    const anna = clientA.contacts[0]!.email;
    const bernd = clientB.contacts[0]!.email;

    // The public status page lists it as upcoming.
    const onPage = (section: 'upcoming' | 'active') =>
      eventually(`${w.key} ${section} on /status.json`, async () => {
        const res = await t.app.inject({ method: 'GET', url: '/status.json' });
        return res.statusCode === 200 && (JSON.parse(res.body).maintenance[section] as { key: string }[]).find((m) => m.key === w.key);
      });
    expect(await onPage('upcoming')).toMatchObject({ title: 'Database upgrade', state: 'scheduled', startsAt: startsAt.toISOString() });

    // Nothing is due 2 days from now.
    expect(await t.herald.tickMaintenance(new Date(t0 + 2 * DAY))).toMatchObject({ notices: 0, started: 0 });

    // 7 days before: the standard client (A) is told; the gold client (B) not yet.
    expect((await t.herald.tickMaintenance(new Date(startsAt.getTime() - 7 * DAY + MIN))).notices).toBe(1);
    const [announced] = await waitForMail('announcement', anna, w.key, 1);
    expect(announced!.subject).toContain('Planned maintenance: Database upgrade');
    expect(announced!.text).toContain('Hello Anna Admin');
    expect(announced!.text).toContain(compA.name);
    expect(announced!.text).not.toContain(compB.name);
    expect(mailTo(bernd, w.key)).toHaveLength(0);
    // Ticking again (and twice at once) sends nothing more.
    const again = await Promise.all([t.herald.tickMaintenance(new Date(startsAt.getTime() - 7 * DAY + 2 * MIN)), t.herald.tickMaintenance(new Date(startsAt.getTime() - 7 * DAY + 2 * MIN))]);
    expect(again.map((r) => r.notices)).toEqual([0, 0]);

    // 3 days before: the gold client's announcement, in German.
    expect((await t.herald.tickMaintenance(new Date(startsAt.getTime() - 3 * DAY + MIN))).notices).toBe(1);
    const [angekuendigt] = await waitForMail('gold announcement', bernd, w.key, 1);
    expect(angekuendigt!.subject).toContain('Geplante Wartung: Database upgrade');
    expect(angekuendigt!.text).toContain('Guten Tag Bernd Berger');

    // 24 hours before: A's reminder; 1 hour before: B's.
    expect((await t.herald.tickMaintenance(new Date(startsAt.getTime() - DAY + MIN))).notices).toBe(1);
    const reminders = await waitForMail('reminder', anna, w.key, 2);
    expect(reminders[1]!.subject).toContain('Reminder: planned maintenance');
    expect((await t.herald.tickMaintenance(new Date(startsAt.getTime() - HOUR + MIN))).notices).toBe(1);
    expect((await waitForMail('gold reminder', bernd, w.key, 2))[1]!.subject).toContain('Erinnerung: geplante Wartung');

    // Still scheduled just before the start; components untouched.
    expect(await componentStatus(compA.id)).toBe('operational');

    // At the start (two processes ticking at once): in progress once, components under maintenance, both told.
    const atStart = await Promise.all([t.herald.tickMaintenance(new Date(startsAt.getTime() + MIN)), t.herald.tickMaintenance(new Date(startsAt.getTime() + MIN))]);
    expect(atStart.map((r) => r.started).sort()).toEqual([0, 1]);
    const running = await expectStatus(t.admin.get(`/api/v1/maintenance/${w.key}`), 200);
    expect(running.body.state).toBe('in_progress');
    expect(await componentStatus(compA.id)).toBe('under_maintenance');
    expect(await componentStatus(compB.id)).toBe('under_maintenance');
    expect(await onPage('active')).toMatchObject({ state: 'in_progress' });
    expect((await waitForMail('start', anna, w.key, 3))[2]!.subject).toContain('Maintenance started');
    expect((await waitForMail('gold start', bernd, w.key, 3))[2]!.subject).toContain('Wartung begonnen');

    // At the end: completed, components restored; only the standard client is told (gold: not at completion).
    expect((await t.herald.tickMaintenance(new Date(endsAt.getTime() + MIN))).completed).toBe(1);
    const done = await expectStatus(t.admin.get(`/api/v1/maintenance/${w.id}`), 200);
    expect(done.body.state).toBe('completed');
    expect(done.body.timeline.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['window.started', 'window.completed', 'notice.sent']));
    expect(await componentStatus(compA.id)).toBe('operational');
    expect(await componentStatus(compB.id)).toBe('operational');
    expect((await waitForMail('completion', anna, w.key, 4))[3]!.subject).toContain('Maintenance completed');
    expect(await t.herald.tickMaintenance(new Date(endsAt.getTime() + 2 * HOUR))).toMatchObject({ notices: 0, started: 0, completed: 0 });
    expect(mailTo(bernd, w.key)).toHaveLength(3);
    expect(mailTo(anna, w.key)).toHaveLength(4);

    // The status history the status pages draw from shows the maintenance and the return.
    const history = await rows<{ status: string; maintenance_window_id: string | null }>(
      t.database.db,
      sql`SELECT status, maintenance_window_id FROM component_status_history WHERE component_id = ${compA.id} ORDER BY seq`,
    );
    expect(history.map((h) => h.status)).toEqual(['under_maintenance', 'operational']);
    expect(history.every((h) => h.maintenance_window_id === w.id)).toBe(true);

    // The proof: every notice with its deliveries, sent over SMTP.
    const notices = await expectStatus(t.admin.get(`/api/v1/maintenance/${w.key}/notices`), 200);
    expect(notices.body.items.map((n: { kind: string }) => n.kind).sort()).toEqual(['completed', 'reminder', 'reminder', 'scheduled', 'scheduled', 'started', 'started']);
    // (The sink has every message; the record of the last one may be written a moment after it answered.)
    await eventually('every delivery recorded as sent', async () =>
      ((await t.admin.get(`/api/v1/maintenance/${w.key}/notices`)).body.items as { deliveries: { channel: string; status: string }[] }[]).flatMap((n) => n.deliveries).every((d) => d.channel === 'email' && d.status === 'sent'),
    );

    // The calendar: text/calendar, parsed by a real iCal parser, with the window at its times.
    const ics = await t.app.inject({ method: 'GET', url: '/maintenance.ics' });
    expect(ics.statusCode).toBe(200);
    expect(ics.headers['content-type']).toMatch(/^text\/calendar/);
    expect(ics.headers['set-cookie']).toBeUndefined();
    expect(ics.body).toMatch(/\r\n/);
    expect(ics.body.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    const event = parseCalendar(ics.body).find((e) => e.uid === `${w.id}@herald.test`);
    expect(event).toBeDefined();
    expect(event!.start.toISOString()).toBe(startsAt.toISOString());
    expect(event!.end.toISOString()).toBe(endsAt.toISOString());
    expect(event!.summary).toContain('Database upgrade');
    expect(event!.status).toBe('CONFIRMED');
    const cached = await t.app.inject({ method: 'GET', url: '/maintenance.ics', headers: { 'if-none-match': String(ics.headers.etag) } });
    expect(cached.statusCode).toBe(304);
  });

  it('tells the clients already informed at once when a window is rescheduled or cancelled', async () => {
    const t0 = Date.now();
    const startsAt = minute(t0 + 2 * DAY);
    const endsAt = new Date(startsAt.getTime() + HOUR);
    const w = (await expectStatus(t.admin.post('/api/v1/maintenance', { title: 'Network switch swap', componentIds: [compA.id], startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() }), 201)).body;
    expect(w.clientIds).toEqual([clientA.id]);
    const anna = clientA.contacts[0]!.email;
    // Less than 7 days ahead: the announcement is due at once, and the clock's wake-up job (pg-boss) sends it without a tick from here.
    expect((await waitForMail('announcement', anna, w.key, 1))[0]!.subject).toContain('Planned maintenance: Network switch swap');
    expect((await t.herald.tickMaintenance(new Date(t0 + MIN))).notices).toBe(0);

    const newStart = new Date(startsAt.getTime() + DAY);
    const newEnd = new Date(newStart.getTime() + 2 * HOUR);
    const moved = await expectStatus(t.admin.post(`/api/v1/maintenance/${w.key}/reschedule`, { startsAt: newStart.toISOString(), endsAt: newEnd.toISOString(), note: 'The vendor delivers a day late.' }), 200);
    expect(moved.body).toMatchObject({ sequence: 1, state: 'scheduled', startsAt: newStart.toISOString() });
    const [, rescheduled] = await waitForMail('rescheduled', anna, w.key, 2);
    expect(rescheduled!.subject).toContain('Maintenance rescheduled');
    expect(rescheduled!.text).toContain('The vendor delivers a day late.');
    expect(rescheduled!.text).toContain('Previously planned');

    let event = parseCalendar((await t.app.inject({ method: 'GET', url: '/maintenance.ics' })).body).find((e) => e.uid === `${w.id}@herald.test`)!;
    expect(event.sequence).toBe(1);
    expect(event.start.toISOString()).toBe(newStart.toISOString());

    // The cancellation template, edited like any other: a template naming an unknown variable is refused.
    const list = await expectStatus(t.admin.get('/api/v1/templates'), 200);
    const tpl = list.body.items.find((x: { kind: string; language: string; channel: string }) => x.kind === 'maintenance_cancelled' && x.language === 'en' && x.channel === 'email');
    expect(tpl).toBeDefined();
    const current = (await expectStatus(t.admin.get(`/api/v1/templates/${tpl.id}`), 200)).body.parts;
    await expectProblem(t.admin.patch(`/api/v1/templates/${tpl.id}`, { parts: { ...current, subject: 'Off: {{ incident.key }}' } }), { status: 422 });
    await expectStatus(t.admin.patch(`/api/v1/templates/${tpl.id}`, { parts: { ...current, subject: 'Called off: {{ maintenance.title }} [{{ maintenance.key }}]' }, note: 'Shorter' }), 200);

    const cancelled = await expectStatus(t.admin.post(`/api/v1/maintenance/${w.id}/cancel`, { reason: 'The switch passed its checks after all.' }), 200);
    expect(cancelled.body).toMatchObject({ state: 'cancelled', sequence: 2, cancelReason: 'The switch passed its checks after all.' });
    const [, , cancelNotice] = await waitForMail('cancelled', anna, w.key, 3);
    expect(cancelNotice!.subject).toBe(`Called off: Network switch swap [${w.key}]`);
    expect(cancelNotice!.text).toContain('The switch passed its checks after all.');
    event = parseCalendar((await t.app.inject({ method: 'GET', url: '/maintenance.ics' })).body).find((e) => e.uid === `${w.id}@herald.test`)!;
    expect(event.status).toBe('CANCELLED');
    expect(event.sequence).toBe(2);
    // A cancelled window never starts.
    await t.herald.tickMaintenance(new Date(newStart.getTime() + MIN));
    expect((await expectStatus(t.admin.get(`/api/v1/maintenance/${w.id}`), 200)).body.state).toBe('cancelled');
    expect(await componentStatus(compA.id)).toBe('operational');
    await expectProblem(t.admin.post(`/api/v1/maintenance/${w.id}/reschedule`, { startsAt: newStart.toISOString(), endsAt: newEnd.toISOString() }), { status: 409 });

    // A window nobody has been told of yet is cancelled without a notice.
    const far = minute(Date.now() + 30 * DAY);
    const quiet = (await expectStatus(t.admin.post('/api/v1/maintenance', { title: 'Quiet change', componentIds: [compA.id], startsAt: far.toISOString(), endsAt: new Date(far.getTime() + HOUR).toISOString() }), 201)).body;
    await expectStatus(t.admin.post(`/api/v1/maintenance/${quiet.key}/cancel`, { reason: 'Not needed.' }), 200);
    expect((await expectStatus(t.admin.get(`/api/v1/maintenance/${quiet.key}/notices`), 200)).body.items).toEqual([]);
  });

  it('requires a justification for an emergency change and communicates it at once', async () => {
    const endsAt = new Date(Date.now() + HOUR).toISOString();
    const refused = await expectProblem(t.admin.post('/api/v1/maintenance', { title: 'Hotfix', kind: 'emergency', componentIds: [compB.id], endsAt }), { status: 400, field: 'justification' });
    expect(refused.code).toBe('invalid_input');
    await expectProblem(t.admin.post('/api/v1/maintenance', { title: 'Hotfix', kind: 'emergency', justification: '   ', componentIds: [compB.id], endsAt }), { status: 400, field: 'justification' });

    const incident = await buildIncident(t.admin);
    const created = await expectStatus(
      t.admin.post('/api/v1/maintenance', {
        title: 'Security patch for the API gateway',
        kind: 'emergency',
        justification: 'A vulnerability is being exploited; the patch cannot wait for the next window.',
        incidentId: incident.id,
        componentIds: [compB.id],
        endsAt,
      }),
      201,
    );
    const w = created.body;
    expect(w).toMatchObject({ kind: 'emergency', state: 'in_progress', incidentId: incident.id });
    expect(await componentStatus(compB.id)).toBe('under_maintenance');
    const bernd = clientB.contacts[0]!.email;
    const [mail] = await waitForMail('emergency notice', bernd, w.key, 1);
    expect(mail!.subject).toContain('Notfallwartung');
    expect(mail!.text).toContain('A vulnerability is being exploited');
    expect(mail!.text).toContain(incident.key);

    // A window in progress can run longer (its end moves; its start cannot), and the clients hear of it.
    const longer = new Date(Date.now() + 3 * HOUR).toISOString();
    await expectProblem(t.admin.post(`/api/v1/maintenance/${w.key}/reschedule`, { startsAt: new Date(Date.now() + HOUR).toISOString() }), { status: 400, field: 'startsAt' });
    await expectProblem(t.admin.post(`/api/v1/maintenance/${w.key}/reschedule`, {}), { status: 400, field: 'startsAt' });
    const extended = await expectStatus(t.admin.post(`/api/v1/maintenance/${w.key}/reschedule`, { endsAt: longer, note: 'The patch takes longer to roll out.' }), 200);
    expect(extended.body).toMatchObject({ state: 'in_progress', endsAt: longer, sequence: 1 });
    expect((await waitForMail('extension', bernd, w.key, 2))[1]!.subject).toContain('Wartung verschoben');
    await expectStatus(t.admin.post(`/api/v1/maintenance/${w.key}/complete`, { note: 'Patched.' }), 200);
    expect(await componentStatus(compB.id)).toBe('operational');
    expect((await expectStatus(t.admin.get(`/api/v1/maintenance/${w.key}`), 200)).body.state).toBe('completed');
  });

  it('shows client users only their own clients’ public windows, and lets only writers change them', async () => {
    const start = minute(Date.now() + 5 * DAY);
    const body = (title: string, componentIds: string[], extra: Record<string, unknown> = {}) => ({
      title,
      componentIds,
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + HOUR).toISOString(),
      ...extra,
    });
    const forA = (await expectStatus(t.admin.post('/api/v1/maintenance', body('Portal work', [compA.id])), 201)).body;
    const forB = (await expectStatus(t.admin.post('/api/v1/maintenance', body('API work', [compB.id])), 201)).body;
    const internal = (await expectStatus(t.admin.post('/api/v1/maintenance', body('Internal work', [compA.id], { isInternal: true })), 201)).body;
    // Added by hand: B hears of the portal work too.
    const adjusted = await expectStatus(t.admin.patch(`/api/v1/maintenance/${forA.id}`, { addClientIds: [clientB.id] }), 200);
    expect(adjusted.body.clientIds.sort()).toEqual([clientA.id, clientB.id].sort());
    const removed = await expectStatus(t.admin.patch(`/api/v1/maintenance/${forA.id}`, { removeClientIds: [clientB.id] }), 200);
    expect(removed.body.clientIds).toEqual([clientA.id]);

    const list = await expectStatus(viewerA.get('/api/v1/maintenance?limit=200'), 200);
    const keys = list.body.items.map((i: { key: string }) => i.key);
    expect(keys).toContain(forA.key);
    expect(keys).not.toContain(forB.key);
    expect(keys).not.toContain(internal.key);
    for (const item of list.body.items) expect(item.clientIds).toEqual([clientA.id]);
    await expectProblem(viewerA.get(`/api/v1/maintenance/${forB.key}`), { status: 404 });
    await expectProblem(viewerA.get(`/api/v1/maintenance/${internal.id}`), { status: 404 });
    await expectProblem(viewerA.get(`/api/v1/maintenance/${forB.key}/notices`), { status: 404 });
    const own = await expectStatus(viewerA.get(`/api/v1/maintenance/${forA.key}`), 200);
    expect(own.body.createdBy).toBeNull();
    await expectProblem(viewerA.post('/api/v1/maintenance', body('Sneaky', [compA.id])), { status: 403 });
    await expectProblem(viewerA.post(`/api/v1/maintenance/${forA.key}/cancel`, { reason: 'No' }), { status: 403 });
    const viewer = await t.user('viewer');
    expect((await expectStatus(viewer.get(`/api/v1/maintenance/${forB.key}`), 200)).body.key).toBe(forB.key);
    await expectProblem(viewer.post(`/api/v1/maintenance/${forB.key}/start`, {}), { status: 403 });
    // The public calendar leaves internal windows out.
    const uids = parseCalendar((await t.app.inject({ method: 'GET', url: '/maintenance.ics' })).body).map((e) => e.uid);
    expect(uids).toContain(`${forB.id}@herald.test`);
    expect(uids).not.toContain(`${internal.id}@herald.test`);
  });

  it.runIf(kind === 'postgres')('sends each notice once when two server processes tick the same database at once', async () => {
    const other = await openDatabase({ databaseUrl: t.db.url!, poolMax: 3 });
    const second = await createHerald({ database: other, databaseUrl: t.db.url, baseUrl: 'http://herald.test', logLevel: 'silent', watchIntervalMs: 0, runsJobs: false, smtpUrl: sink.url });
    try {
      const startsAt = minute(Date.now() + 12 * DAY);
      const w = (await expectStatus(t.admin.post('/api/v1/maintenance', { title: 'Storage firmware', componentIds: [compA.id], startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + HOUR).toISOString() }), 201)).body;
      const both = (at: Date) => Promise.all([t.herald.tickMaintenance(at), second.tickMaintenance(at), t.herald.tickMaintenance(at), second.tickMaintenance(at)]);
      // Other windows of this file may fall due at the same times: count this window's notices and events only.
      const noticesOf = async () => (await expectStatus(t.admin.get(`/api/v1/maintenance/${w.key}/notices`), 200)).body.items.map((n: { kind: string }) => n.kind);
      const eventsOf = async (type: string) => (await expectStatus(t.admin.get(`/api/v1/maintenance/${w.key}`), 200)).body.timeline.filter((e: { type: string }) => e.type === type).length;
      await both(new Date(startsAt.getTime() - 7 * DAY + MIN));
      expect(await noticesOf()).toEqual(['scheduled']);
      await both(new Date(startsAt.getTime() + MIN));
      expect(await noticesOf()).toEqual(['scheduled', 'started']);
      expect(await eventsOf('window.started')).toBe(1);
      await both(new Date(startsAt.getTime() + 2 * HOUR));
      expect(await noticesOf()).toEqual(['scheduled', 'started', 'completed']);
      expect(await eventsOf('window.completed')).toBe(1);
      const anna = clientA.contacts[0]!.email;
      await waitForMail('three notices', anna, w.key, 3);
      await new Promise((r) => setTimeout(r, 1500));
      expect(mailTo(anna, w.key)).toHaveLength(3);
    } finally {
      await second.stop();
      await other.close();
    }
  });

  it("sends notices to a client's webhook endpoint too, and serves the client's own calendar behind its secret link", async () => {
    const receiver = await startHttpReceiver();
    try {
      const compC = await buildComponent(t.admin, `Reporting ${kind}`);
      const clientC = await buildClient(t.admin, {
        componentIds: [compC.id],
        contacts: [
          { name: 'Clara', email: `clara-${kind}@c.example` },
          { name: 'Gone', email: `gone-${kind}@bounce.example` },
        ],
      });
      const endpoint = await expectStatus(t.admin.post(`/api/v1/clients/${clientC.id}/endpoints`, { kind: 'webhook', name: 'C hook', url: `${receiver.url}/hook` }), 201);
      const w = (
        await expectStatus(
          t.admin.post('/api/v1/maintenance', { title: 'Report engine hotfix', kind: 'emergency', justification: 'Reports are wrong for every client.', componentIds: [compC.id], endsAt: new Date(Date.now() + HOUR).toISOString() }),
          201,
        )
      ).body;
      const [hook] = await receiver.waitForRequests(1);
      const payload = JSON.parse(hook!.body);
      expect(payload).toMatchObject({ type: 'maintenance.notice', data: { kind: 'emergency', maintenance: { id: w.id, key: w.key, kind: 'emergency' }, client: { id: clientC.id } } });
      expect(String(hook!.headers['webhook-signature'])).toMatch(/^v1,/);
      expect(endpoint.body.secret).toMatch(/^whsec_/);
      await waitForMail('emergency notice', clientC.contacts[0]!.email, w.key, 1);
      // The refused recipient's delivery is given up, written on the window's timeline, and its author told.
      const failed = await eventually('a failed delivery on the timeline', async () =>
        (await t.admin.get(`/api/v1/maintenance/${w.key}`)).body.timeline.find((e: { type: string }) => e.type === 'delivery.failed'),
      );
      expect(failed.data).toMatchObject({ to: `gone-${kind}@bounce.example`, clientId: clientC.id, kind: 'emergency' });
      const notes = await expectStatus(t.admin.get('/api/v1/notifications'), 200);
      expect(JSON.stringify(notes.body)).toContain(`${w.key}: a maintenance notice to Gone could not be delivered`);
      const outcomes = async () =>
        ((await expectStatus(t.admin.get(`/api/v1/maintenance/${w.key}/notices`), 200)).body.items[0].deliveries as { channel: string; status: string }[]).map((d) => `${d.channel}:${d.status}`).sort();
      await eventually('every delivery settled', async () => (await outcomes()).every((o) => /:(sent|dead)$/.test(o)));
      expect(await outcomes()).toEqual(['email:dead', 'email:sent', 'webhook:sent']);
      // The client's proof of what was sent to it holds the maintenance notice's deliveries too, with their results.
      const proof = (await expectStatus(t.admin.get(`/api/v1/clients/${clientC.id}/deliveries?format=json`), 200)).body.items as Record<string, unknown>[];
      expect(proof.map((r) => `${r.kind} ${r.maintenanceKey} ${r.incidentKey} ${r.channel}:${r.status}`).sort()).toEqual(
        ['email:dead', 'email:sent', 'webhook:sent'].map((o) => `maintenance_emergency ${w.key} null ${o}`),
      );
      const csv = await expectStatus(t.admin.get(`/api/v1/clients/${clientC.id}/deliveries?format=csv`), 200);
      expect((csv.body as string).split('\r\n').filter((line: string) => line.includes(w.key))).toHaveLength(3);

      const link = await expectStatus(t.admin.post(`/api/v1/clients/${clientC.id}/status-link`, {}), 201);
      const key = new URL(link.body.url).searchParams.get('key')!;
      const own = await t.app.inject({ method: 'GET', url: `/status/${clientC.slug}/maintenance.ics?key=${encodeURIComponent(key)}` });
      expect(own.statusCode).toBe(200);
      expect(own.headers['content-type']).toMatch(/^text\/calendar/);
      const uids = parseCalendar(own.body).map((e) => e.uid);
      expect(uids).toEqual([`${w.id}@herald.test`]);
      expect((await t.app.inject({ method: 'GET', url: `/status/${clientC.slug}/maintenance.ics?key=${'x'.repeat(43)}` })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: `/status/${clientA.slug}/maintenance.ics?key=${encodeURIComponent(key)}` })).statusCode).toBe(404);
    } finally {
      await receiver.close();
    }
  });

  it('answers bad input with a 4xx problem naming the field', async () => {
    const start = minute(Date.now() + 3 * DAY);
    const valid = { title: 'Valid', componentIds: [compA.id], startsAt: start.toISOString(), endsAt: new Date(start.getTime() + HOUR).toISOString() };
    await expectProblem(t.admin.post('/api/v1/maintenance', { ...valid, endsAt: new Date(start.getTime() - HOUR).toISOString() }), { status: 400, field: 'endsAt' });
    await expectProblem(t.admin.post('/api/v1/maintenance', { ...valid, startsAt: new Date(Date.now() - DAY).toISOString() }), { status: 400, field: 'startsAt' });
    await expectProblem(t.admin.post('/api/v1/maintenance', { ...valid, startsAt: undefined }), { status: 400, field: 'startsAt' });
    await expectProblem(t.admin.post('/api/v1/maintenance', { ...valid, startsAt: 'next tuesday' }), { status: 400, field: 'startsAt' });
    await expectProblem(t.admin.post('/api/v1/maintenance', { ...valid, componentIds: [] }), { status: 400, field: 'componentIds' });
    await expectProblem(t.admin.post('/api/v1/maintenance', { ...valid, componentIds: ['7d5c0f5e-8a57-4d0c-9e57-1f4e4b7f0c11'] }), { status: 400, field: 'componentIds' });
    await expectProblem(t.admin.post('/api/v1/maintenance', { ...valid, kind: 'whenever' }), { status: 400, field: 'kind' });
    await expectProblem(t.admin.post('/api/v1/maintenance', { ...valid, title: '' }), { status: 400, field: 'title' });
    await expectProblem(t.admin.post('/api/v1/maintenance', { ...valid, endsAt: new Date(start.getTime() + 30 * DAY).toISOString() }), { status: 400, field: 'endsAt' });
    await expectProblem(t.admin.get('/api/v1/maintenance/not-a-key'), { status: 400 });
    await expectProblem(t.admin.get('/api/v1/maintenance/MNT-999999'), { status: 404 });
    await expectProblem(t.admin.request('PUT', '/api/v1/maintenance/notice-schedules/gold', { advanceMinutes: [-5], atStart: true, atCompletion: true }), { status: 400, field: 'advanceMinutes' });
    await expectProblem(t.admin.request('PUT', '/api/v1/maintenance/notice-schedules/no-such-tier', { advanceMinutes: [60], atStart: true, atCompletion: true }), { status: 404 });
    await expectProblem(t.admin.request('DELETE', '/api/v1/maintenance/notice-schedules/*'), { status: 400, field: 'tier' });
    const w = (await expectStatus(t.admin.post('/api/v1/maintenance', valid), 201)).body;
    await expectProblem(t.admin.post(`/api/v1/maintenance/${w.key}/complete`, {}), { status: 409 });
    await expectProblem(t.admin.post(`/api/v1/maintenance/${w.key}/cancel`, {}), { status: 400, field: 'reason' });
    await expectProblem(t.admin.post(`/api/v1/maintenance/${w.key}/reschedule`, { startsAt: valid.startsAt, endsAt: valid.startsAt }), { status: 400, field: 'endsAt' });
    await expectProblem(t.admin.patch(`/api/v1/maintenance/${w.key}`, { startsAt: valid.startsAt }), { status: 400 });
    // Nothing was half-done: the window is as it was.
    expect((await expectStatus(t.admin.get(`/api/v1/maintenance/${w.key}`), 200)).body).toMatchObject({ state: 'scheduled', sequence: 0, startsAt: valid.startsAt });
    const ics = await t.app.inject({ method: 'GET', url: '/status/no-such-client/maintenance.ics?key=abc' });
    expect(ics.statusCode).toBe(404);
  });
});

export type { SinkMail };
