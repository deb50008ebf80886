// Acceptance 4 of the communication issue: overdue updates produce a reminder to the Communication
// Lead, then an escalation to the Incident Manager, then a breach entry on the timeline. The test
// drives the SLA clock itself (herald.checkObligations(now)); nothing sleeps for minutes. Also: an
// update sent in time leaves nothing to remind of, and each message records whether the promise of
// the one before it ("next update by …") was kept. On every backend.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildClient, buildComponent, buildIncident, fullDisclosures } from './support/factories.js';
import { createTestApp, type Caller, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';
import { expectBody } from './support/http-assertions.js';
import { obligationsOf, timelineOf, type TimelineEvent } from './support/incident-reads.js';

const MINUTE = 60_000;
const at = (ms: number) => new Date(ms);

interface Notification {
  id: string;
  kind: string;
  incidentId: string | null;
  title: string;
  body: string;
}

describe.each(testBackends())('SLA clock on %s', (kind) => {
  let t: TestApp;
  // A Herald of its own per test: the clock looks at every obligation in the database, so the counts
  // it answers are exact only when no other test's incidents are there.
  beforeEach(async () => {
    t = await createTestApp(kind);
  });
  afterEach(() => t?.close());

  /**
   * A SEV1 incident affecting one client, with a Communication Lead and an Incident Manager, and the
   * initial notice sent by the lead: the next update is owed 30 minutes later (the SEV1 cadence).
   */
  async function sev1WithInitialNotice(disclosures: Record<string, unknown> = {}) {
    const lead = await t.user('member', { name: 'Cleo Comms' });
    const manager = await t.user('member', { name: 'Ian Manager' });
    const component = await buildComponent(t.admin, `Checkout ${randomUUID().slice(0, 8)}`);
    const client = await buildClient(t.admin, { name: 'Acme Retail', componentIds: [component.id] });
    const incident = await buildIncident(t.admin, { title: 'Checkout fails' });
    const url = `/api/v1/incidents/${incident.id}`;
    await expectBody(t.admin.post(`${url}/classification`, { severity: 'SEV1', impacts: [{ componentId: component.id, status: 'major_outage' }], isClientAffected: true, reason: 'No client can check out.' }));
    // The promise to the client lies after the policy's deadline, so the policy's 30 minutes govern.
    await expectBody(t.admin.post(`${url}/disclosures`, { ...fullDisclosures(), nextUpdateAt: new Date(Date.now() + 45 * MINUTE).toISOString(), ...disclosures }));
    await expectBody(t.admin.post(`${url}/roles`, { communicationLeadId: lead.userId, incidentManagerId: manager.userId }));
    const initial = await expectBody(lead.post(`${url}/communications`, { kind: 'initial' }), 201);
    const obligations = await openUpdates(incident.id);
    expect(obligations).toHaveLength(1);
    return { lead, manager, client, incident, url, initial: initial.communication, update: obligations[0]! };
  }

  async function openUpdates(incidentId: string) {
    return (await obligationsOf(t.admin, incidentId)).filter((o) => o.kind === 'update' && o.status === 'open');
  }

  /** The SLA clock's entries on the incident's timeline, oldest first. */
  async function clockEvents(incidentId: string): Promise<TimelineEvent[]> {
    return (await timelineOf(t.admin, incidentId)).filter((e) => e.type.startsWith('obligation.') && !['obligation.opened', 'obligation.met', 'obligation.cancelled', 'obligation.rescheduled'].includes(e.type));
  }

  async function notificationsOf(user: Caller, incidentId: string): Promise<Notification[]> {
    return ((await expectBody(user.get('/api/v1/notifications?limit=200'))).items as Notification[]).filter((n) => n.incidentId === incidentId);
  }

  const kinds = (ns: Notification[]) => ns.map((n) => n.kind).sort();

  it('reminds the Communication Lead before the update is due, then escalates to the Incident Manager and records the breach, each once', async () => {
    const { lead, manager, client, incident, update, initial } = await sev1WithInitialNotice();
    const due = Date.parse(update.dueAt);
    expect(due - Date.parse(update.createdAt)).toBe(30 * MINUTE);
    expect(update.createdAt).toBe(initial.sentAt); // opened by the initial notice

    // The reminder is due 10 minutes before the deadline (a third of a 30-minute window): not earlier.
    expect(await t.herald.checkObligations(at(due - 20 * MINUTE))).toEqual({ reminders: 0, escalations: 0 });
    expect(await t.herald.checkObligations(at(due - 10 * MINUTE - 1000))).toEqual({ reminders: 0, escalations: 0 });
    expect(await notificationsOf(lead, incident.id)).toEqual([]);
    expect(await clockEvents(incident.id)).toEqual([]);

    // 5 minutes before: the Communication Lead is reminded, in the app and on the timeline.
    expect(await t.herald.checkObligations(at(due - 5 * MINUTE))).toEqual({ reminders: 1, escalations: 0 });
    const reminded = await notificationsOf(lead, incident.id);
    expect(reminded).toEqual([expect.objectContaining({ kind: 'obligation.reminder', incidentId: incident.id })]);
    expect(reminded[0]!.title).toContain('status update to Acme Retail');
    expect(reminded[0]!.body).toContain(new Date(due).toISOString());
    expect(await notificationsOf(manager, incident.id)).toEqual([]);
    expect(await clockEvents(incident.id)).toEqual([
      expect.objectContaining({
        type: 'obligation.reminder',
        actorId: null,
        actor: 'Herald',
        at: new Date(due - 5 * MINUTE).toISOString(),
        data: { obligationId: update.id, kind: 'update', clientId: client.id, dueAt: new Date(due).toISOString(), notifiedUserIds: [lead.userId] },
      }),
    ]);

    // The same moment again, and later before the deadline: no second reminder.
    expect(await t.herald.checkObligations(at(due - 5 * MINUTE))).toEqual({ reminders: 0, escalations: 0 });
    expect(await t.herald.checkObligations(at(due - 1 * MINUTE))).toEqual({ reminders: 0, escalations: 0 });

    // A minute after the deadline: the Incident Manager (and the lead) are alerted, and the breach is on the timeline.
    expect(await t.herald.checkObligations(at(due + 1 * MINUTE))).toEqual({ reminders: 0, escalations: 1 });
    expect(kinds(await notificationsOf(manager, incident.id))).toEqual(['obligation.escalated']);
    expect(kinds(await notificationsOf(lead, incident.id))).toEqual(['obligation.escalated', 'obligation.reminder']);
    const events = await clockEvents(incident.id);
    expect(events.map((e) => e.type)).toEqual(['obligation.reminder', 'obligation.escalated', 'obligation.breached']);
    expect(events[1]!.data).toEqual({ obligationId: update.id, kind: 'update', clientId: client.id, dueAt: new Date(due).toISOString(), notifiedUserIds: [manager.userId, lead.userId] });
    expect(events[2]!.data).toEqual({ obligationId: update.id, kind: 'update', clientId: client.id, dueAt: new Date(due).toISOString() });

    // Again, and later: no duplicates.
    expect(await t.herald.checkObligations(at(due + 1 * MINUTE))).toEqual({ reminders: 0, escalations: 0 });
    expect(await t.herald.checkObligations(at(due + 10 * MINUTE))).toEqual({ reminders: 0, escalations: 0 });
    expect(await clockEvents(incident.id)).toHaveLength(3);
    expect(await notificationsOf(manager, incident.id)).toHaveLength(1);
    expect(await notificationsOf(lead, incident.id)).toHaveLength(2);
    // Still owed: the clock reports, it does not close anything.
    expect((await openUpdates(incident.id)).map((o) => o.id)).toEqual([update.id]);
  });

  it('leaves an obligation met in time alone: no reminder, no escalation for it', async () => {
    // The initial notice promises the next update within 10 minutes, earlier than the policy's 30.
    const { lead, manager, incident, url, update: first } = await sev1WithInitialNotice({ nextUpdateAt: new Date(Date.now() + 10 * MINUTE).toISOString() });
    const firstDue = Date.parse(first.dueAt);
    expect(firstDue - Date.parse(first.createdAt)).toBeLessThan(10 * MINUTE + 1);

    await expectBody(t.admin.post(`${url}/disclosures`, { nextUpdateAt: new Date(Date.now() + 45 * MINUTE).toISOString() }));
    const sent = await expectBody(lead.post(`${url}/communications`, { kind: 'update', body: 'We rolled back the release; checkout recovers.' }), 201);
    const obligations = await obligationsOf(t.admin, incident.id);
    expect(obligations.find((o) => o.id === first.id)).toMatchObject({ status: 'met', metByCommunicationId: sent.communication.id, wasOnTime: true });
    const [next] = await openUpdates(incident.id);
    expect(next!.id).not.toBe(first.id);
    const nextDue = Date.parse(next!.dueAt);
    expect(nextDue - Date.parse(next!.createdAt)).toBe(30 * MINUTE);

    // Inside the met obligation's reminder window, at its deadline and after it: nothing.
    for (const when of [firstDue - 2 * MINUTE, firstDue, firstDue + 1 * MINUTE, firstDue + 5 * MINUTE]) {
      expect(await t.herald.checkObligations(at(when)), new Date(when).toISOString()).toEqual({ reminders: 0, escalations: 0 });
    }
    expect(await clockEvents(incident.id)).toEqual([]);
    expect(await notificationsOf(lead, incident.id)).toEqual([]);
    expect(await notificationsOf(manager, incident.id)).toEqual([]);

    // The clock still watches the incident: the update owed next is reminded of in its turn.
    expect(await t.herald.checkObligations(at(nextDue - 5 * MINUTE))).toEqual({ reminders: 1, escalations: 0 });
    expect((await clockEvents(incident.id)).map((e) => [e.type, e.data.obligationId])).toEqual([['obligation.reminder', next!.id]]);
  });

  it('records whether each message kept the promise of the one before it', async () => {
    const { lead, incident, url, initial } = await sev1WithInitialNotice();
    expect(initial.isPromiseKept).toBeNull(); // nothing was promised before the first notice
    expect(Date.parse(initial.promisedNextUpdateAt)).toBeGreaterThan(Date.now() + 40 * MINUTE);

    // An update before the promised time keeps the promise; it promises the next one in 2 seconds.
    const soon = Date.now() + 2000;
    await expectBody(t.admin.post(`${url}/disclosures`, { nextUpdateAt: new Date(soon).toISOString() }));
    const kept = (await expectBody(lead.post(`${url}/communications`, { kind: 'update', body: 'We found the cause.' }), 201)).communication;
    expect(kept).toMatchObject({ isPromiseKept: true, promisedNextUpdateAt: new Date(soon).toISOString() });
    // The promise is earlier than the policy's 30 minutes, so it is the deadline of the update owed next.
    const [owed] = await openUpdates(incident.id);
    expect(Date.parse(owed!.dueAt)).toBe(soon);

    // The next update comes after the promised time: the promise was broken.
    await new Promise((r) => setTimeout(r, Math.max(0, soon - Date.now()) + 50));
    await expectBody(t.admin.post(`${url}/disclosures`, { nextUpdateAt: new Date(Date.now() + 30 * MINUTE).toISOString() }));
    const late = (await expectBody(lead.post(`${url}/communications`, { kind: 'update', body: 'Checkout works again for most clients.' }), 201)).communication;
    expect(late.isPromiseKept).toBe(false);
    // The obligation kept its deadline (the new draft time did not move it), so it was met late.
    expect((await obligationsOf(t.admin, incident.id)).find((o) => o.id === owed!.id)).toMatchObject({ status: 'met', dueAt: new Date(soon).toISOString(), wasOnTime: false });

    // As stored, not only as answered.
    for (const [id, expected] of [[initial.id, null], [kept.id, true], [late.id, false]] as const) {
      expect((await expectBody(t.admin.get(`/api/v1/communications/${id}`))).isPromiseKept, id).toBe(expected);
    }
  });

  it('holds the update to the time promised in the message sent, not to later edits of the draft; the next message sets a new promise', async () => {
    const promised = Date.now() + 10 * MINUTE;
    const { lead, manager, incident, url, initial, update } = await sev1WithInitialNotice({ nextUpdateAt: new Date(promised).toISOString() });
    expect(initial.promisedNextUpdateAt).toBe(new Date(promised).toISOString());
    expect(Date.parse(update.dueAt)).toBe(promised); // earlier than the SEV1 cadence of 30 minutes

    // Drafting the next message with another time, later or earlier, promises the client nothing yet.
    for (const draft of [promised + 15 * MINUTE, promised - 5 * MINUTE]) {
      await expectBody(t.admin.post(`${url}/disclosures`, { nextUpdateAt: new Date(draft).toISOString() }));
      expect((await openUpdates(incident.id)).map((o) => [o.id, o.dueAt])).toEqual([[update.id, new Date(promised).toISOString()]]);
    }
    // The clock holds the lead to the promise: past it, the update is overdue, whatever the draft says.
    expect(await t.herald.checkObligations(at(promised + 1 * MINUTE))).toEqual({ reminders: 0, escalations: 1 });
    expect((await clockEvents(incident.id)).map((e) => [e.type, e.data.dueAt])).toEqual([
      ['obligation.escalated', new Date(promised).toISOString()],
      ['obligation.breached', new Date(promised).toISOString()],
    ]);
    expect(kinds(await notificationsOf(manager, incident.id))).toEqual(['obligation.escalated']);

    // The next message goes out with a new promise: that is the deadline from now on.
    const next = Date.now() + 12 * MINUTE;
    await expectBody(t.admin.post(`${url}/disclosures`, { nextUpdateAt: new Date(next).toISOString() }));
    const sent = (await expectBody(lead.post(`${url}/communications`, { kind: 'update', body: 'A fix is being deployed.' }), 201)).communication;
    expect(sent).toMatchObject({ isPromiseKept: true, promisedNextUpdateAt: new Date(next).toISOString() });
    const [owed] = await openUpdates(incident.id);
    expect(owed!.id).not.toBe(update.id);
    expect(Date.parse(owed!.dueAt)).toBe(next);
    expect((await obligationsOf(t.admin, incident.id)).find((o) => o.id === update.id)).toMatchObject({ status: 'met', metByCommunicationId: sent.id });
    // And an edit of the draft after this message leaves it alone too.
    await expectBody(t.admin.post(`${url}/disclosures`, { nextUpdateAt: new Date(next + 10 * MINUTE).toISOString() }));
    expect((await openUpdates(incident.id)).map((o) => o.dueAt)).toEqual([new Date(next).toISOString()]);
  });

  it('follows a deadline that moved: a new reminder and escalation for the new deadline', async () => {
    const { lead, manager, incident, url, update } = await sev1WithInitialNotice();
    const due = Date.parse(update.dueAt);
    expect(await t.herald.checkObligations(at(due - 5 * MINUTE))).toEqual({ reminders: 1, escalations: 0 });
    expect(await t.herald.checkObligations(at(due + 1 * MINUTE))).toEqual({ reminders: 0, escalations: 1 });

    // The Incident Manager lowers the severity: updates are owed every 60 minutes now (or when promised).
    await expectBody(manager.post(`${url}/classification`, { severity: 'SEV2', impacts: [{ componentId: (await expectBody(t.admin.get(url))).impacts[0].componentId, status: 'partial_outage' }], isClientAffected: true, reason: 'Most clients can check out again.' }));
    const [moved] = await openUpdates(incident.id);
    expect(moved!.id).toBe(update.id);
    const newDue = Date.parse(moved!.dueAt);
    expect(newDue).toBeGreaterThan(due + 10 * MINUTE);

    expect(await t.herald.checkObligations(at(due + 2 * MINUTE))).toEqual({ reminders: 0, escalations: 0 });
    expect(await t.herald.checkObligations(at(newDue - 5 * MINUTE))).toEqual({ reminders: 1, escalations: 0 });
    expect(await t.herald.checkObligations(at(newDue + 1 * MINUTE))).toEqual({ reminders: 0, escalations: 1 });
    expect(await t.herald.checkObligations(at(newDue + 2 * MINUTE))).toEqual({ reminders: 0, escalations: 0 });
    const events = await clockEvents(incident.id);
    expect(events.map((e) => e.type)).toEqual(['obligation.reminder', 'obligation.escalated', 'obligation.breached', 'obligation.reminder', 'obligation.escalated', 'obligation.breached']);
    expect(events.slice(3).map((e) => e.data.dueAt)).toEqual(Array(3).fill(new Date(newDue).toISOString()));
    expect(kinds(await notificationsOf(lead, incident.id))).toEqual(['obligation.escalated', 'obligation.escalated', 'obligation.reminder', 'obligation.reminder']);
    expect(kinds(await notificationsOf(manager, incident.id))).toEqual(['obligation.escalated', 'obligation.escalated']);
  });
});
