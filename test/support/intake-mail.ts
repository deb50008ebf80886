// What the e-mail intake tests check alike, whether a mail came over SMTP or from an IMAP mailbox:
// the contact who writes, the incidents mail opened, the notice a reply refers to, and what a reply,
// an attachment or an unknown sender left behind.
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import { rows } from '../../src/services/sql-rows.js';
import { expectBody, expectStatus } from './http-assertions.js';
import { timelineOf } from './incident-reads.js';
import { recipientsOf, type RecipientCopy } from './recipients.js';
import type { TestApp } from './test-app.js';

/** The client's contact both suites write as, and how the timeline names her as a sender. */
export const ALICE = { name: 'Alice Park', email: 'alice@acme.example', actor: 'Alice Park <alice@acme.example> (e-mail)' };

export interface IncidentRow {
  id: string;
  number: number;
  title: string;
  description: string;
  source: string;
  reporter_client_id: string | null;
}

/** Every incident in the database, oldest first (read from the table: what intake wrote, not what the API shows). */
export const incidentsNow = (t: TestApp) =>
  rows<IncidentRow>(t.database.db, sql`SELECT id, number, title, description, source, reporter_client_id FROM incidents ORDER BY number`);

/** The one incident mail opened since there were `before`: reported by the client, from Alice; with its timeline. */
export async function expectReportedByMail(t: TestApp, before: number, expected: { title: string; descriptionContains: string; clientId: string }) {
  const all = await incidentsNow(t);
  expect(all).toHaveLength(before + 1);
  const incident = all.at(-1)!;
  expect(incident).toMatchObject({ title: expected.title, source: 'client', reporter_client_id: expected.clientId });
  expect(incident.description).toContain(expected.descriptionContains);
  const events = await timelineOf(t.admin, incident.id);
  expect(events[0]).toMatchObject({ type: 'incident.reported', actor: ALICE.actor });
  return { incident, events };
}

/** The attachment kept with the incident, byte for byte, with its type. */
export async function expectKeptAttachment(t: TestApp, incidentId: string, content: Buffer, contentType: string) {
  const [kept] = await rows<{ content: Buffer | Uint8Array; content_type: string }>(t.database.db, sql`SELECT content, content_type FROM intake_attachments WHERE incident_id = ${incidentId}`);
  expect(Buffer.from(kept!.content).equals(content)).toBe(true);
  expect(kept!.content_type).toBe(contentType);
}

/** Sends the incident's initial notice; Alice's copy, the mail her reply refers to. */
export async function noticeToAlice(t: TestApp, incidentId: string): Promise<RecipientCopy> {
  const sent = await expectStatus(t.admin.post(`/api/v1/incidents/${incidentId}/communications`, { kind: 'initial', body: 'We are investigating checkout errors.' }), 201);
  const notice = (await recipientsOf(t.admin, sent.body.communication.id)).find((r) => r.to === ALICE.email)!;
  expect(notice.messageId).toMatch(/^<.+@.+>$/);
  return notice;
}

/** Alice's reply to `notice`, as mail options (nodemailer's). */
export const replyTo = (notice: RecipientCopy) => ({
  from: `${ALICE.name} <${ALICE.email}>`,
  to: 'status@herald.test',
  subject: `Re: ${notice.subject}`,
  inReplyTo: notice.messageId,
  references: [notice.messageId],
  text: 'Thanks. It still fails for orders over 100 EUR.\n\n> We are investigating checkout errors.',
});

/** Alice's reply (replyTo) is on the incident's timeline, as mail from her. */
export async function expectReplyOnTimeline(t: TestApp, incidentId: string, notice: RecipientCopy) {
  const reply = (await timelineOf(t.admin, incidentId)).find((e) => e.type === 'email.received');
  expect(reply).toMatchObject({ actor: ALICE.actor, data: { from: ALICE.email, subject: `Re: ${notice.subject}` } });
  expect(reply!.data.text).toContain('orders over 100 EUR');
}

/** The mail of an unknown sender waits in triage, the only open e-mail item there; that item. */
export async function expectUnknownSenderInTriage(t: TestApp, expected: { sender: string; title: string; description: string }) {
  const queue = (await expectBody(t.admin.get('/api/v1/triage?kind=email&status=open'))).items;
  expect(queue).toHaveLength(1);
  expect(queue[0]).toMatchObject({ kind: 'email', reason: 'unknown_sender', ...expected });
  return queue[0] as { id: string };
}
