// E-mail intake over real SMTP: nodemailer talks to Herald's own SMTP listener. A client contact's mail
// opens a client-reported incident (subject → title, body → description, attachments kept); a reply
// to a notice Herald sent lands on that incident's timeline; an unknown sender waits in triage; the
// same message delivered twice is taken in once; oversized mail is refused at the SMTP level, and
// held in memory only up to the limit. Senders are checked (SPF, DKIM, DMARC) against the test zone
// of test/support/mail-dns.ts: mail whose From is forged waits in triage, not in a client's incidents.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../src/services/sql-rows.js';
import { buildAffectedIncident, buildClient, buildComponent } from './support/factories.js';
import { createTokenOverHttp, httpApi, startHerald } from './support/server-process.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { testBackends } from './support/test-database.js';
import { expectBody } from './support/http-assertions.js';
import { expectKeptAttachment, expectReplyOnTimeline, expectReportedByMail, expectUnknownSenderInTriage, incidentsNow as incidentsIn, noticeToAlice, replyTo } from './support/intake-mail.js';
import { DKIM_KEYS, initechDkim, testMailResolver } from './support/mail-dns.js';
import { openRawSmtp } from './support/raw-smtp.js';
import { timelineOf } from './support/incident-reads.js';

describe.each(testBackends())('e-mail intake on %s', (kind) => {
  let t: TestApp;
  let transport: Transporter;
  let client: Awaited<ReturnType<typeof buildClient>>;
  let component: { id: string };

  const incidentsNow = () => incidentsIn(t);

  beforeAll(async () => {
    t = await createTestApp(kind, { intake: { smtpPort: 0, smtpHost: '127.0.0.1', maxMailBytes: 512 * 1024, maxHeldMailBytes: 768 * 1024, maxAttachmentBytes: 64 * 1024, dnsResolver: testMailResolver } });
    expect(t.herald.intake.smtpPort).toBeGreaterThan(0);
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: t.herald.intake.smtpPort!, secure: false, ignoreTLS: true });
    component = await buildComponent(t.admin, 'Webshop');
    client = await buildClient(t.admin, { name: 'Acme Retail', componentIds: [component.id], contacts: [{ name: 'Alice Park', email: 'alice@acme.example' }] });
  });
  afterAll(async () => {
    transport?.close();
    await t?.close();
  });

  it("opens a client-reported incident from a contact's mail, keeping its attachments", async () => {
    const before = (await incidentsNow()).length;
    const screenshot = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const info = await transport.sendMail({
      from: '"Alice Park" <Alice@Acme.example>',
      to: 'incidents@herald.test',
      subject: 'Checkout fails with error 502',
      text: 'Since 09:10 every checkout ends with a 502 page. Screenshot attached.',
      attachments: [
        { filename: 'checkout.png', content: screenshot, contentType: 'image/png' },
        { filename: 'huge.log', content: Buffer.alloc(100 * 1024, 'x'), contentType: 'text/plain' },
      ],
    });
    expect(info.accepted).toEqual(['incidents@herald.test']);
    const { incident, events } = await expectReportedByMail(t, before, { title: 'Checkout fails with error 502', descriptionContains: 'every checkout ends with a 502 page', clientId: client.id });
    const api = (await t.admin.get(`/api/v1/incidents/${incident.id}`)).body;
    expect(api).toMatchObject({ source: 'client', reporterClientId: client.id, reportedClientIds: [client.id] });
    const attachments = events.find((e) => e.type === 'email.attachments')!.data;
    expect(attachments.attachments).toMatchObject([{ filename: 'checkout.png', sizeBytes: screenshot.length }]);
    expect(attachments.droppedAttachments).toMatchObject([{ filename: 'huge.log', sizeBytes: 100 * 1024 }]);
    await expectKeptAttachment(t, incident.id, screenshot, 'image/png');
    // The client's user sees the incident the contact reported.
    const portal = await t.user('client', { clientId: client.id });
    expect((await portal.get(`/api/v1/incidents/${incident.id}`)).status).toBe(200);
  });

  it('puts a reply to a notice on the existing incident instead of opening a new one', async () => {
    const incident = await buildAffectedIncident(t.admin, component.id);
    const notice = await noticeToAlice(t, incident.id);
    const before = (await incidentsNow()).length;
    await transport.sendMail(replyTo(notice));
    expect(await incidentsNow()).toHaveLength(before);
    await expectReplyOnTimeline(t, incident.id, notice);
  });

  it('sends a mail from an unknown sender to triage, not to an incident, and a person can promote it', async () => {
    const before = (await incidentsNow()).length;
    await transport.sendMail({
      from: 'Mallory <someone@unknown.example>',
      to: 'incidents@herald.test',
      subject: 'Your site is down!!',
      text: 'Nothing loads.',
      attachments: [{ filename: 'note.txt', content: 'details' }],
    });
    expect(await incidentsNow()).toHaveLength(before);
    const waiting = await expectUnknownSenderInTriage(t, { sender: 'someone@unknown.example', title: 'Your site is down!!', description: 'Nothing loads.' });
    const promoted = await t.admin.post(`/api/v1/triage/${waiting.id}/promotion`, { clientId: client.id });
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(201);
    const incident = (await t.admin.get(`/api/v1/incidents/${promoted.body.incident.id}`)).body;
    expect(incident).toMatchObject({ title: 'Your site is down!!', source: 'client', reporterClientId: client.id });
    const [moved] = await rows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM intake_attachments WHERE incident_id = ${incident.id}`);
    expect(Number(moved!.n)).toBe(1);
    expect((await t.admin.get('/api/v1/triage?kind=email&status=open')).body.items).toEqual([]);
  });

  it('takes a message delivered twice (the same Message-ID) in once, and ignores automatic replies', async () => {
    const before = (await incidentsNow()).length;
    const mail = { from: 'alice@acme.example', to: 'incidents@herald.test', subject: 'Invoices page empty', text: 'No invoices shown.', messageId: '<retry-1@acme.example>' };
    await transport.sendMail(mail);
    await transport.sendMail(mail);
    await transport.sendMail({ ...mail, messageId: '<ooo-1@acme.example>', subject: 'Out of office', headers: { 'Auto-Submitted': 'auto-replied' } });
    expect(await incidentsNow()).toHaveLength(before + 1);
    const outcomes = await rows<{ message_id: string; outcome: string }>(t.database.db, sql`SELECT message_id, outcome FROM inbound_emails WHERE message_id IN ('<retry-1@acme.example>', '<ooo-1@acme.example>') ORDER BY message_id`);
    expect(outcomes).toEqual([
      { message_id: '<ooo-1@acme.example>', outcome: 'ignored' },
      { message_id: '<retry-1@acme.example>', outcome: 'incident' },
    ]);
  });

  it('refuses a mail larger than the limit at the SMTP level, storing nothing', async () => {
    const before = (await incidentsNow()).length;
    await expect(
      transport.sendMail({ from: 'alice@acme.example', to: 'incidents@herald.test', subject: 'Big', text: 'x', attachments: [{ filename: 'big.bin', content: Buffer.alloc(700 * 1024, 1) }] }),
    ).rejects.toMatchObject({ responseCode: 552 });
    expect(await incidentsNow()).toHaveLength(before);
  });

  // Protects against issue 15 item 2: smtp-server says a mail is too large only at the end of DATA, and
  // the listener used to keep every chunk until then (a 5 MB mail held 5 MB for a 512 KB limit).
  it('holds no more than the limit of a mail sent past it without SIZE, answers 552, and stays in step', async () => {
    const before = (await incidentsNow()).length;
    const refusedBefore = t.herald.intake.smtpStats()!.refusedTooLarge;
    const smtp = await openRawSmtp(t.herald.intake.smtpPort!);
    try {
      expect((await smtp.command('EHLO client.acme.example')).code).toBe(250);
      expect((await smtp.command('MAIL FROM:<alice@acme.example>')).code).toBe(250);
      expect((await smtp.command('RCPT TO:<incidents@herald.test>')).code).toBe(250);
      expect((await smtp.command('DATA')).code).toBe(354);
      const refused = await smtp.sendData('From: alice@acme.example\r\nTo: incidents@herald.test\r\nSubject: Five megabytes\r\nMessage-ID: <huge-raw@acme.example>', 5 * 1024 * 1024);
      expect(refused.code, refused.text).toBe(552);
      // The same connection takes the next mail: the refused one was read to its end.
      expect((await smtp.command('MAIL FROM:<alice@acme.example>')).code).toBe(250);
      expect((await smtp.command('RCPT TO:<incidents@herald.test>')).code).toBe(250);
      expect((await smtp.command('DATA')).code).toBe(354);
      const accepted = await smtp.sendData('From: alice@acme.example\r\nTo: incidents@herald.test\r\nSubject: After the big one\r\nMessage-ID: <after-huge@acme.example>', 1024);
      expect(accepted.code, accepted.text).toBe(250);
      expect((await smtp.command('QUIT')).code).toBe(221);
    } finally {
      smtp.close();
    }
    const stats = t.herald.intake.smtpStats()!;
    expect(stats.refusedTooLarge).toBe(refusedBefore + 1);
    // What the listener kept of any one mail never went past the limit (the 5 MB were read and dropped).
    expect(stats.peakHeldBytes).toBeLessThanOrEqual(512 * 1024);
    const after = await incidentsNow();
    expect(after.slice(before).map((i) => i.title)).toEqual(['After the big one']);
  });

  it('defers a mail (452) that would take the mails being received past what they may hold together, and takes it when tried again', async () => {
    const before = (await incidentsNow()).length;
    const first = await openRawSmtp(t.herald.intake.smtpPort!);
    const second = await openRawSmtp(t.herald.intake.smtpPort!);
    const start = async (smtp: typeof first) => {
      expect((await smtp.command('EHLO client.acme.example')).code).toBe(250);
      expect((await smtp.command('MAIL FROM:<alice@acme.example>')).code).toBe(250);
      expect((await smtp.command('RCPT TO:<incidents@herald.test>')).code).toBe(250);
      expect((await smtp.command('DATA')).code).toBe(354);
    };
    try {
      await start(first);
      await first.writeData('From: alice@acme.example\r\nSubject: First of two\r\nMessage-ID: <first-of-two@acme.example>', 400 * 1024);
      // Wait until the listener holds the first mail's 400 KB (bounded by the test's timeout).
      while (t.herald.intake.smtpStats()!.heldBytes < 400 * 1024) await new Promise((r) => setTimeout(r, 10));
      await start(second);
      const deferred = await second.sendData('From: alice@acme.example\r\nSubject: Second of two\r\nMessage-ID: <second-of-two@acme.example>', 400 * 1024);
      expect(deferred.code, deferred.text).toBe(452);
      expect((await first.endData()).code).toBe(250);
      // Tried again (as a sending server does after a 4xx), on the same connection: taken.
      expect((await second.command('MAIL FROM:<alice@acme.example>')).code).toBe(250);
      expect((await second.command('RCPT TO:<incidents@herald.test>')).code).toBe(250);
      expect((await second.command('DATA')).code).toBe(354);
      expect((await second.sendData('From: alice@acme.example\r\nSubject: Second of two\r\nMessage-ID: <second-of-two@acme.example>', 400 * 1024)).code).toBe(250);
    } finally {
      first.close();
      second.close();
    }
    const stats = t.herald.intake.smtpStats()!;
    expect(stats).toMatchObject({ heldBytes: 0, refusedBusy: 1 });
    expect(stats.peakHeldBytesInAll).toBeLessThanOrEqual(768 * 1024);
    expect((await incidentsNow()).slice(before).map((i) => i.title)).toEqual(['First of two', 'Second of two']);
  });

  it('lets go of what a mail held when its client disconnects in the middle of DATA', async () => {
    const smtp = await openRawSmtp(t.herald.intake.smtpPort!);
    expect((await smtp.command('EHLO client.acme.example')).code).toBe(250);
    expect((await smtp.command('MAIL FROM:<alice@acme.example>')).code).toBe(250);
    expect((await smtp.command('RCPT TO:<incidents@herald.test>')).code).toBe(250);
    expect((await smtp.command('DATA')).code).toBe(354);
    await smtp.writeData('From: alice@acme.example\r\nSubject: Never finished', 300 * 1024);
    while (t.herald.intake.smtpStats()!.heldBytes < 300 * 1024) await new Promise((r) => setTimeout(r, 10));
    smtp.close();
    // Fails by the test's timeout if the listener kept counting the 300 KB of a mail whose client left.
    while (t.herald.intake.smtpStats()!.heldBytes > 0) await new Promise((r) => setTimeout(r, 10));
  });

  describe('sender authentication (SPF, DKIM, DMARC)', () => {
    let globex: Awaited<ReturnType<typeof buildClient>>;
    let initech: Awaited<ReturnType<typeof buildClient>>;
    let hooli: Awaited<ReturnType<typeof buildClient>>;
    /** Sends from 127.0.0.2: an address acme.example's SPF does not list (a forger's machine). */
    let forger: Transporter;

    beforeAll(async () => {
      globex = await buildClient(t.admin, { name: 'Globex', contacts: [{ name: 'Bob', email: 'bob@globex.example' }] });
      initech = await buildClient(t.admin, { name: 'Initech', contacts: [{ name: 'Peter', email: 'peter@initech.example' }] });
      hooli = await buildClient(t.admin, { name: 'Hooli', contacts: [{ name: 'Gavin', email: 'gavin@hooli.example' }] });
      forger = nodemailer.createTransport({ host: '127.0.0.1', port: t.herald.intake.smtpPort!, secure: false, ignoreTLS: true, localAddress: '127.0.0.2' });
    });
    afterAll(() => forger?.close());

    /** The open e-mail triage item with this title (the queue holds others from earlier tests). */
    const triageItem = async (title: string) => {
      type Item = { id: string; title: string; reason: string; clientId: string | null; sender: string; data: { senderAuthentication: string; isSenderAuthenticated: boolean } };
      const items = (await expectBody(t.admin.get('/api/v1/triage?kind=email&status=open&limit=200'))).items as Item[];
      const found = items.filter((i) => i.title === title);
      expect(found).toHaveLength(1);
      return found[0]!;
    };

    it("sends a mail with a contact's From from a machine her domain does not allow to triage (SPF fail, DMARC fail), not to her client's incidents", async () => {
      const before = (await incidentsNow()).length;
      await forger.sendMail({ from: '"Alice Park" <alice@acme.example>', to: 'incidents@herald.test', subject: 'Please reset our admin password', text: 'Send it to this address.' });
      expect(await incidentsNow()).toHaveLength(before);
      const item = await triageItem('Please reset our admin password');
      expect(item).toMatchObject({ reason: 'unauthenticated_sender', sender: 'alice@acme.example', data: { isSenderAuthenticated: false } });
      expect(item.data.senderAuthentication).toMatch(/^DMARC fail for acme\.example \(p=reject\): SPF fail for acme\.example/);
    });

    it('sends a forged reply to a notice to triage instead of the incident timeline', async () => {
      const incident = await buildAffectedIncident(t.admin, component.id);
      const notice = await noticeToAlice(t, incident.id);
      await forger.sendMail({ ...replyTo(notice), subject: 'Re: forged reply' });
      expect((await timelineOf(t.admin, incident.id)).filter((e) => e.type === 'email.received')).toEqual([]);
      const item = await triageItem('Re: forged reply');
      expect(item).toMatchObject({ reason: 'unauthenticated_sender', data: { inReplyToIncidentId: incident.id } });
    });

    it("does not count SPF passing for the sender's own domain when the From is a contact's of another (DMARC alignment)", async () => {
      const before = (await incidentsNow()).length;
      await transport.sendMail({ envelope: { from: 'mallory@hooli.example', to: 'incidents@herald.test' }, from: 'bob@globex.example', to: 'incidents@herald.test', subject: 'Globex outage (sent via hooli)', text: 'x' });
      expect(await incidentsNow()).toHaveLength(before);
      const item = await triageItem('Globex outage (sent via hooli)');
      expect(item).toMatchObject({ reason: 'unauthenticated_sender', clientId: globex.id });
      expect(item.data.senderAuthentication).toMatch(/^DMARC fail for globex\.example \(p=reject\): SPF pass for hooli\.example/);
    });

    it("opens the client's incident from a DKIM-signed mail whose key the domain publishes, though its SPF allows no one", async () => {
      const before = (await incidentsNow()).length;
      const signed = nodemailer.createTransport({ host: '127.0.0.1', port: t.herald.intake.smtpPort!, secure: false, ignoreTLS: true, dkim: initechDkim() });
      await signed.sendMail({ from: 'Peter <peter@initech.example>', to: 'incidents@herald.test', subject: 'TPS reports missing', text: 'Since the upgrade.' });
      signed.close();
      const incident = (await incidentsNow()).at(-1)!;
      expect(await incidentsNow()).toHaveLength(before + 1);
      expect(incident).toMatchObject({ title: 'TPS reports missing', source: 'client', reporter_client_id: initech.id });
      const reported = (await timelineOf(t.admin, incident.id))[0]!;
      expect(reported.data.intake).toMatchObject({ senderAuthentication: 'DKIM pass for initech.example (initech.example publishes no DMARC policy)' });
    });

    it('does not count a DKIM signature made with a key the domain did not publish', async () => {
      const before = (await incidentsNow()).length;
      const signed = nodemailer.createTransport({ host: '127.0.0.1', port: t.herald.intake.smtpPort!, secure: false, ignoreTLS: true, dkim: initechDkim(DKIM_KEYS.forger) });
      await signed.sendMail({ from: 'peter@initech.example', to: 'incidents@herald.test', subject: 'Wire the money today', text: 'Urgent.' });
      signed.close();
      expect(await incidentsNow()).toHaveLength(before);
      const item = await triageItem('Wire the money today');
      expect(item).toMatchObject({ reason: 'unauthenticated_sender', clientId: initech.id });
      expect(item.data.senderAuthentication).toMatch(/SPF fail for initech\.example; DKIM fail for initech\.example/);
    });

    it("keeps a contact's mail in triage when her domain's records cannot be looked up (DNS times out), instead of refusing or losing it", async () => {
      await buildClient(t.admin, { name: 'Timeout Ltd', contacts: [{ name: 'Tim', email: 'tim@timeout.example' }] });
      const before = (await incidentsNow()).length;
      const info = await transport.sendMail({ from: 'tim@timeout.example', to: 'incidents@herald.test', subject: 'DNS trouble on our side', text: 'x' });
      expect(info.accepted).toEqual(['incidents@herald.test']);
      expect(await incidentsNow()).toHaveLength(before);
      const item = await triageItem('DNS trouble on our side');
      expect(item).toMatchObject({ reason: 'unauthenticated_sender' });
      expect(item.data.senderAuthentication).toMatch(/temperror/);
    });

    it("opens the client's incident from a mail whose SPF passes for its From domain (a domain without DMARC)", async () => {
      const before = (await incidentsNow()).length;
      await transport.sendMail({ from: 'gavin@hooli.example', to: 'incidents@herald.test', subject: 'Nucleus is slow', text: 'Compression ratio dropped.' });
      const all = await incidentsNow();
      expect(all).toHaveLength(before + 1);
      expect(all.at(-1)).toMatchObject({ title: 'Nucleus is slow', reporter_client_id: hooli.id });
      expect((await timelineOf(t.admin, all.at(-1)!.id))[0]!.data.intake).toMatchObject({ senderAuthentication: 'SPF pass for hooli.example (hooli.example publishes no DMARC policy)' });
    });
  });
});

describe('e-mail intake in the server process', () => {
  it('listens on HERALD_INTAKE_SMTP_PORT and opens an incident from a contact\'s mail', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const root = mkdtempSync(join(tmpdir(), 'herald-intake-smtp-'));
    const admin = { adminEmail: 'smtp-admin@example.com', adminPassword: 'smtp admin password 1' };
    // The process looks up SPF/DKIM/DMARC in the real DNS, which this machine cannot reach: it is set
    // up as behind a relay that checks senders itself (the checks are tested above with a test zone).
    const server = await startHerald({ ...admin, dataDir: join(root, 'data'), extra: { HERALD_INTAKE_SMTP_PORT: String(port), HERALD_INTAKE_SMTP_HOST: '127.0.0.1', HERALD_INTAKE_VERIFY_SENDER: 'false' } }, 120_000);
    try {
      expect(server.output()).toContain(`SMTP listening on port ${port}`);
      const token = await createTokenOverHttp(server.url, admin.adminEmail, admin.adminPassword);
      const api = httpApi(server.url, token);
      const client = await expectBody(api.post('/api/v1/clients', { name: 'Process Client', slug: 'process-client' }), 201);
      await expectBody(api.post(`/api/v1/clients/${client.id}/contacts`, { name: 'Dana', email: 'dana@process.example' }), 201);
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
      await transport.sendMail({ from: 'dana@process.example', to: 'incidents@herald.test', subject: 'VPN drops every hour', text: 'Since Monday.' });
      transport.close();
      const list = await expectBody(api.get('/api/v1/incidents'));
      expect(list.items.find((i: { title: string }) => i.title === 'VPN drops every hour')).toMatchObject({ source: 'client', reporterClientId: client.id });
    } finally {
      const exit = await server.stop('SIGTERM');
      rmSync(root, { recursive: true, force: true });
      expect(exit.code, server.output().slice(-2000)).toBe(0);
    }
  }, 180_000);
});
