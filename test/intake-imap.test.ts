// E-mail intake over real IMAP: the test starts its own Dovecot (test/support/dovecot.ts), delivers
// mail into its INBOX with IMAP APPEND as a mail server would, and Herald polls the mailbox
// (HERALD_INTAKE_IMAP_URL). A client contact's mail opens a client-reported incident (subject →
// title, body → description, attachments kept); a reply to a notice lands on that incident's
// timeline; an unknown sender waits in triage; each mail is taken once, also across a restart and by
// two Herald processes polling the same mailbox; a wrong password is reported and the server runs on.
// The mailbox's mail was received by "mx.herald.test" (HERALD_INTAKE_IMAP_TRUSTED_AUTHSERV_ID): a
// contact's mail counts as hers only when that server's own Authentication-Results header says it
// passed; a message over the size limit is not downloaded (a proxy counts what Herald reads).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHerald } from '../src/herald.js';
import { rows } from '../src/services/sql-rows.js';
import { startByteCountingProxy, type ByteCountingProxy } from './support/byte-counting-proxy.js';
import { hasDovecot, startDovecot, DOVECOT_BIN, type Dovecot } from './support/dovecot.js';
import { expectBody } from './support/http-assertions.js';
import { buildAffectedIncident, buildClient, buildComponent } from './support/factories.js';
import { startHerald } from './support/server-process.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';
import { expectKeptAttachment, expectReplyOnTimeline, expectReportedByMail, expectUnknownSenderInTriage, incidentsNow as incidentsIn, noticeToAlice, replyTo } from './support/intake-mail.js';

const skipReason = hasDovecot ? '' : ` (skipped: ${DOVECOT_BIN} is missing; install dovecot-imapd)`;

const RECEIVING_SERVER = 'mx.herald.test';
const MAX_MAIL_BYTES = 256 * 1024;

/** The RFC 5322 source nodemailer would send, for delivering it with IMAP APPEND. */
const source = async (mail: Mail.Options): Promise<Buffer> => {
  const info = await nodemailer.createTransport({ streamTransport: true, buffer: true }).sendMail(mail);
  return info.message as Buffer;
};

const fromDomain = (mail: Mail.Options) => String(mail.from).replace(/^.*@/, '').replace(/>.*$/, '').toLowerCase();

/**
 * The mail as the receiving server stores it: its Authentication-Results header on top (by default:
 * SPF and DMARC pass for the From domain), then its Received header, then the mail as sent.
 */
const compose = async (mail: Mail.Options, results = `spf=pass smtp.mailfrom=${fromDomain(mail)}; dkim=none; dmarc=pass (p=REJECT) header.from=${fromDomain(mail)}`): Promise<Buffer> =>
  Buffer.concat([
    Buffer.from(`Authentication-Results: ${RECEIVING_SERVER}; ${results}\r\nReceived: from mail.${fromDomain(mail)} (mail.${fromDomain(mail)} [192.0.2.25]) by ${RECEIVING_SERVER} with ESMTPS; Tue, 8 Dec 2026 09:00:00 +0000\r\n`),
    await source(mail),
  ]);

describe.skipIf(!hasDovecot).each(testBackends())(`IMAP e-mail intake on %s${skipReason}`, (kind) => {
  let dovecot: Dovecot;
  /** Herald reaches Dovecot through it: what it counts is what Herald downloaded. */
  let proxy: ByteCountingProxy;
  let t: TestApp;
  let client: Awaited<ReturnType<typeof buildClient>>;
  let component: { id: string };

  const incidentsNow = () => incidentsIn(t);
  const flagsOf = async (messageId: string) => (await dovecot.inbox()).find((m) => m.messageId === messageId)?.flags;

  beforeAll(async () => {
    dovecot = await startDovecot();
    proxy = await startByteCountingProxy(dovecot.port);
    const imapUrl = dovecot.url().replace(`:${dovecot.port}/`, `:${proxy.port}/`);
    t = await createTestApp(kind, { intake: { imapUrl, imapIntervalMs: 3_600_000, maxAttachmentBytes: 64 * 1024, maxMailBytes: MAX_MAIL_BYTES, imapTrustedAuthservId: RECEIVING_SERVER } });
    expect(t.herald.intake.pollImap).not.toBeNull();
    component = await buildComponent(t.admin, 'Webshop');
    client = await buildClient(t.admin, { name: 'Acme Retail', componentIds: [component.id], contacts: [{ name: 'Alice Park', email: 'alice@acme.example' }] });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await dovecot?.stop();
  });

  it("opens a client-reported incident from a contact's mail in the mailbox, keeping its attachments", async () => {
    const before = (await incidentsNow()).length;
    const screenshot = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    await dovecot.deliver(
      await compose({
        from: '"Alice Park" <Alice@Acme.example>',
        to: 'incidents@herald.test',
        subject: 'Checkout fails with error 502',
        text: 'Since 09:10 every checkout ends with a 502 page. Screenshot attached.',
        messageId: '<imap-first@acme.example>',
        attachments: [{ filename: 'checkout.png', content: screenshot, contentType: 'image/png' }],
      }),
    );
    expect(await flagsOf('<imap-first@acme.example>')).not.toContain('\\Seen');
    expect(await t.herald.intake.pollImap!()).toBe(1);
    const { incident, events } = await expectReportedByMail(t, before, { title: 'Checkout fails with error 502', descriptionContains: 'every checkout ends with a 502 page', clientId: client.id });
    expect(events.find((e) => e.type === 'email.attachments')!.data.attachments).toMatchObject([{ filename: 'checkout.png', sizeBytes: screenshot.length }]);
    await expectKeptAttachment(t, incident.id, screenshot, 'image/png');
    // Taken in: marked \Seen in the mailbox, and the next poll leaves it alone.
    expect(await flagsOf('<imap-first@acme.example>')).toContain('\\Seen');
    expect(await t.herald.intake.pollImap!()).toBe(0);
    expect(await incidentsNow()).toHaveLength(before + 1);
  });

  it('puts a reply to a notice on the existing incident instead of opening a new one', async () => {
    const incident = await buildAffectedIncident(t.admin, component.id);
    const notice = await noticeToAlice(t, incident.id);
    const before = (await incidentsNow()).length;
    await dovecot.deliver(await compose(replyTo(notice)));
    expect(await t.herald.intake.pollImap!()).toBe(1);
    expect(await incidentsNow()).toHaveLength(before);
    await expectReplyOnTimeline(t, incident.id, notice);
  });

  it('sends a mail from an unknown sender to triage, not to an incident', async () => {
    const before = (await incidentsNow()).length;
    await dovecot.deliver(await compose({ from: 'Mallory <someone@unknown.example>', to: 'incidents@herald.test', subject: 'Your site is down!!', text: 'Nothing loads.' }));
    expect(await t.herald.intake.pollImap!()).toBe(1);
    expect(await incidentsNow()).toHaveLength(before);
    await expectUnknownSenderInTriage(t, { sender: 'someone@unknown.example', title: 'Your site is down!!', description: 'Nothing loads.' });
  });

  it('takes each mail once across a restart and with two Herald processes polling the same mailbox', async () => {
    const before = (await incidentsNow()).length;
    // A restarted Herald (a new instance on the same database) finds everything already taken.
    const restarted = await createHerald({ baseUrl: 'http://herald.test', logLevel: 'silent', watchIntervalMs: 0, runsJobs: false, database: t.database, databaseUrl: t.db.url, intake: { imapUrl: dovecot.url(), imapIntervalMs: 3_600_000, imapTrustedAuthservId: RECEIVING_SERVER } });
    try {
      expect(await restarted.intake.pollImap!()).toBe(0);
      expect(await incidentsNow()).toHaveLength(before);
      // Both poll the same new mail at once: each message opens one incident, no more.
      const subjects = ['Search returns nothing', 'Login page blank', 'Emails arrive late'];
      for (const [i, subject] of subjects.entries()) {
        await dovecot.deliver(await compose({ from: 'alice@acme.example', to: 'incidents@herald.test', subject, text: `Report ${i}.`, messageId: `<imap-both-${i}@acme.example>` }));
      }
      const taken = await Promise.all([t.herald.intake.pollImap!(), restarted.intake.pollImap!()]);
      // Both may fetch a message; only one takes it in (the other finds its Message-ID taken).
      expect(taken[0] + taken[1]).toBe(subjects.length);
      const after = await incidentsNow();
      expect(after).toHaveLength(before + subjects.length);
      expect(after.slice(before).map((i) => i.title).sort()).toEqual([...subjects].sort());
      // One record per message, none twice (its Message-ID is the key: a second poller finds it taken).
      const recorded = await rows<{ message_id: string }>(t.database.db, sql`SELECT message_id FROM inbound_emails WHERE message_id LIKE ${'imap-both-%'} OR message_id LIKE ${'<imap-both-%'}`);
      expect(recorded).toHaveLength(subjects.length);
      for (const m of await dovecot.inbox()) expect(m.flags, m.messageId).toContain('\\Seen');
      expect(await restarted.intake.pollImap!()).toBe(0);
      expect(await t.herald.intake.pollImap!()).toBe(0);
      expect(await incidentsNow()).toHaveLength(before + subjects.length);
    } finally {
      await restarted.stop();
    }
  });

  it('reports a wrong password clearly, without the password, and keeps serving', async () => {
    const wrong = await createHerald({ baseUrl: 'http://herald.test', logLevel: 'silent', watchIntervalMs: 0, runsJobs: false, database: t.database, databaseUrl: t.db.url, intake: { imapUrl: dovecot.url('not-the-password'), imapIntervalMs: 3_600_000 } });
    try {
      const failure = await wrong.intake.pollImap!().then(
        () => null,
        (err: Error) => err,
      );
      expect(failure?.message).toMatch(new RegExp(`IMAP login to 127\\.0\\.0\\.1:${dovecot.port} as herald failed: the server refused the user name or password`));
      expect(failure?.message).not.toContain('not-the-password');
      expect((await wrong.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await wrong.stop();
    }
  });
  /** The open e-mail triage item with this title (the queue holds others from earlier tests). */
  const triageItem = async (title: string) => {
    type Item = { id: string; title: string; description: string; reason: string; clientId: string | null; sender: string | null; data: Record<string, unknown> };
    const items = (await expectBody(t.admin.get('/api/v1/triage?kind=email&status=open&limit=200'))).items as Item[];
    const found = items.filter((i) => i.title === title);
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  // Protects against issue 15 item 2: the poller downloaded every unseen message whatever its size.
  it('leaves a message larger than the limit in the mailbox without downloading it: flagged there, and recorded in triage', async () => {
    const before = (await incidentsNow()).length;
    const huge = await compose({ from: 'alice@acme.example', to: 'incidents@herald.test', subject: 'Full database dump attached', text: 'See attachment.', messageId: '<imap-huge@acme.example>', attachments: [{ filename: 'dump.sql', content: Buffer.alloc(2 * MAX_MAIL_BYTES, 'y') }] });
    expect(huge.length).toBeGreaterThan(2 * MAX_MAIL_BYTES);
    await dovecot.deliver(huge);
    const downloadedBefore = proxy.bytesFromServer();
    expect(await t.herald.intake.pollImap!()).toBe(0);
    // The poll read sizes, envelopes and answers: a small part of the limit, not the 512 KB message.
    expect(proxy.bytesFromServer() - downloadedBefore).toBeLessThan(MAX_MAIL_BYTES / 4);
    expect(await incidentsNow()).toHaveLength(before);
    const item = await triageItem('Full database dump attached');
    expect(item).toMatchObject({ reason: 'too_large', sender: 'alice@acme.example', clientId: null, data: { messageId: '<imap-huge@acme.example>', mailbox: 'INBOX', maxBytes: MAX_MAIL_BYTES } });
    expect(item.data.sizeBytes).toBe(huge.length);
    expect(item.description).toContain('left in the mailbox INBOX');
    const flags = await flagsOf('<imap-huge@acme.example>');
    expect(flags).toContain('\\Seen');
    expect(flags).toContain('\\Flagged');
    // Recorded once: the next poll finds nothing new.
    expect(await t.herald.intake.pollImap!()).toBe(0);
    const [n] = await rows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM triage_items WHERE data->>'messageId' = '<imap-huge@acme.example>'`);
    expect(Number(n!.n)).toBe(1);
  });

  // Protects against issue 15 item 9: a contact's address in From was enough to open an incident in her client's name.
  it("sends a contact's mail to triage when the receiving server's own header says it failed DMARC", async () => {
    const before = (await incidentsNow()).length;
    await dovecot.deliver(
      await compose({ from: 'alice@acme.example', to: 'incidents@herald.test', subject: 'Change our bank details' , text: 'New IBAN below.' }, 'spf=fail smtp.mailfrom=acme.example; dkim=none; dmarc=fail (p=REJECT) header.from=acme.example'),
    );
    expect(await t.herald.intake.pollImap!()).toBe(1);
    expect(await incidentsNow()).toHaveLength(before);
    const item = await triageItem('Change our bank details');
    expect(item).toMatchObject({ reason: 'unauthenticated_sender', clientId: client.id, data: { isSenderAuthenticated: false } });
    expect(item.data.senderAuthentication).toBe('DMARC fail for acme.example: SPF fail for acme.example; no DKIM signature');
  });

  it("trusts only the receiving server's topmost header: a pass written lower down by the sender, or by another server, does not count", async () => {
    const before = (await incidentsNow()).length;
    const forged = await source({
      from: 'alice@acme.example',
      to: 'incidents@herald.test',
      subject: 'Forged results below',
      text: 'x',
      headers: { 'Authentication-Results': `${RECEIVING_SERVER}; spf=pass smtp.mailfrom=acme.example; dmarc=pass header.from=acme.example` },
    });
    const stored = Buffer.concat([
      Buffer.from(`Authentication-Results: relay.other.example; dmarc=pass header.from=acme.example\r\n`),
      Buffer.from(`Authentication-Results: ${RECEIVING_SERVER}; spf=softfail smtp.mailfrom=acme.example; dmarc=fail header.from=acme.example\r\nReceived: from x by ${RECEIVING_SERVER}; Tue, 8 Dec 2026 09:00:00 +0000\r\n`),
      forged,
    ]);
    await dovecot.deliver(stored);
    expect(await t.herald.intake.pollImap!()).toBe(1);
    expect(await incidentsNow()).toHaveLength(before);
    expect((await triageItem('Forged results below')).data.senderAuthentication).toMatch(/^DMARC fail for acme\.example/);
  });

  it('without a trusted receiving server, sends every contact\'s mail to triage, saying why', async () => {
    const untrusting = await createHerald({ baseUrl: 'http://herald.test', logLevel: 'silent', watchIntervalMs: 0, runsJobs: false, database: t.database, databaseUrl: t.db.url, intake: { imapUrl: dovecot.url(), imapIntervalMs: 3_600_000 } });
    try {
      // Its first poll starts with it: let that one end, so the mail below is taken by the poll called here.
      await untrusting.intake.pollImap!();
      const before = (await incidentsNow()).length;
      await dovecot.deliver(await compose({ from: 'alice@acme.example', to: 'incidents@herald.test', subject: 'Checked by nobody', text: 'x' }));
      expect(await untrusting.intake.pollImap!()).toBe(1);
      expect(await incidentsNow()).toHaveLength(before);
      const item = await triageItem('Checked by nobody');
      expect(item).toMatchObject({ reason: 'unauthenticated_sender', clientId: client.id });
      expect(item.data.senderAuthentication).toMatch(/no receiving server is trusted \(HERALD_INTAKE_IMAP_TRUSTED_AUTHSERV_ID\)/);
    } finally {
      await untrusting.stop();
    }
  });
});

describe.skipIf(!hasDovecot)(`IMAP e-mail intake in the server process${skipReason}`, () => {
  it('logs a refused IMAP login as an error and keeps serving', async () => {
    const dovecot = await startDovecot();
    const root = mkdtempSync(join(tmpdir(), 'herald-intake-imap-'));
    const admin = { adminEmail: 'imap-admin@example.com', adminPassword: 'imap admin password 1' };
    // A server that does not start (e.g. dist/ not built) must not leave this Dovecot running.
    const server = await startHerald({ ...admin, dataDir: join(root, 'data'), extra: { HERALD_INTAKE_IMAP_URL: dovecot.url('wrong-password-9'), HERALD_INTAKE_IMAP_INTERVAL_S: '3600' } }, 120_000).catch(async (err: unknown) => {
      rmSync(root, { recursive: true, force: true });
      await dovecot.stop();
      throw err;
    });
    try {
      // The first poll runs at start; wait for its report (the test's own timeout bounds this).
      while (!server.output().includes('IMAP login')) await new Promise((r) => setTimeout(r, 100));
      expect(server.output()).toMatch(/"level":50.*mail intake: IMAP login to 127\.0\.0\.1:\d+ as herald failed: the server refused the user name or password/);
      expect(server.output()).not.toContain('wrong-password-9');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      const exit = await server.stop('SIGTERM');
      rmSync(root, { recursive: true, force: true });
      await dovecot.stop();
      expect(exit.code, server.output().slice(-2000)).toBe(0);
    }
  }, 180_000);
});
