import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from '../../test/support/smtp-sink.js';
import { simpleParser, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { foldLines } from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';
import { encode as encodeQuotedPrintable, wrap as wrapQuotedPrintable } from 'nodemailer/lib/qp';
import { classifySmtpError, createMailer, createMessageBuilder, parseSmtpUrl, type EmailMessage, type Mailer, type MailerOptions } from './email.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function sink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const s = await startSmtpSink(options);
  cleanups.push(() => s.close());
  return s;
}

function mailer(options: Partial<MailerOptions> & { smtpUrl: string }): Mailer {
  const m = createMailer({
    from: 'Herald Status <status@herald.example>',
    connectionTimeoutMs: 2000,
    greetingTimeoutMs: 2000,
    socketTimeoutMs: 2000,
    ...options,
  });
  cleanups.push(() => m.close());
  return m;
}

let n = 0;
function message(overrides: Partial<EmailMessage> = {}): EmailMessage {
  return {
    deliveryId: `dlv-${Date.now().toString(36)}-${++n}`,
    to: { name: 'Ada Lovelace', address: 'ada@client.example' },
    subject: '[Incident update] INC-42: Logins fail — Größe ü',
    text: 'Dear Ada,\n\nWe found the cause. No data was lost.',
    html: '<p>Dear Ada,</p><p>We found the cause. <strong>No data was lost.</strong></p>',
    ...overrides,
  };
}

/** A port nothing listens on: bind one, then let it go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('e-mail channel', () => {
  it('delivers both parts with the Message-ID derived from the delivery id', async () => {
    const s = await sink();
    const m = mailer({ smtpUrl: s.url });
    const msg = message({ deliveryId: '0190f4c2-7b1e-7d3a-9c55-3f1e2d4c5b6a' });

    const attempt = await m.send(msg);

    expect(attempt).toMatchObject({ ok: true, messageId: '<0190f4c2-7b1e-7d3a-9c55-3f1e2d4c5b6a@herald.example>' });
    expect(attempt.ok && attempt.providerRef).toMatch(/^250 /);
    const [got] = await s.waitForMessages(1);
    expect(got!.messageId).toBe('<0190f4c2-7b1e-7d3a-9c55-3f1e2d4c5b6a@herald.example>');
    expect(got!.to).toEqual(['ada@client.example']);
    expect(got!.headers.to).toContain('Ada Lovelace');
    expect(got!.envelopeFrom).toBe('status@herald.example');
    expect(got!.subject).toBe(msg.subject);
    expect(got!.text.trim()).toBe(msg.text);
    expect(got!.html).toContain('<strong>No data was lost.</strong>');
  });

  it('gives the same delivery id the same Message-ID on every attempt', async () => {
    const s = await sink();
    const m = mailer({ smtpUrl: s.url });
    const msg = message();
    await m.send(msg);
    await m.send({ ...msg });
    const [first, second] = await s.waitForMessages(2);
    expect(first!.messageId).toBe(`<${msg.deliveryId}@herald.example>`);
    expect(second!.messageId).toBe(first!.messageId);
    expect(m.messageIdFor(msg.deliveryId)).toBe(first!.messageId);
  });

  it('threads a message with In-Reply-To and References, brackets or not', async () => {
    const s = await sink();
    const m = mailer({ smtpUrl: s.url });
    const initial = m.messageIdFor('dlv-initial');
    await m.send(message({ inReplyTo: initial, references: ['dlv-older@herald.example', initial] }));
    const [got] = await s.waitForMessages(1);
    expect(got!.inReplyTo).toBe('<dlv-initial@herald.example>');
    expect(got!.references).toEqual(['<dlv-older@herald.example>', '<dlv-initial@herald.example>']);
  });

  it('passes extra headers through but never lets them replace the Message-ID', async () => {
    const s = await sink();
    const m = mailer({ smtpUrl: s.url });
    const msg = message({ headers: { 'List-Unsubscribe': '<https://herald.example/u/1>', 'Message-ID': '<forged@evil.example>' } });
    await m.send(msg);
    const [got] = await s.waitForMessages(1);
    expect(got!.headers['list-unsubscribe']).toBe('<https://herald.example/u/1>');
    expect(got!.messageId).toBe(`<${msg.deliveryId}@herald.example>`);
  });

  it('uses the configured Message-ID domain over the sender domain', async () => {
    const s = await sink();
    const m = mailer({ smtpUrl: s.url, from: { name: 'Status', address: 'noreply@mail.vendor.example' }, messageIdDomain: 'Herald.Example' });
    const msg = message();
    await m.send(msg);
    const [got] = await s.waitForMessages(1);
    expect(got!.messageId).toBe(`<${msg.deliveryId}@herald.example>`);
    expect(got!.envelopeFrom).toBe('noreply@mail.vendor.example');
  });

  it('sends many messages at once over the pool', async () => {
    const s = await sink();
    const m = mailer({ smtpUrl: s.url, maxConnections: 3 });
    const attempts = await Promise.all(Array.from({ length: 25 }, () => m.send(message())));
    expect(attempts.every((a) => a.ok)).toBe(true);
    const got = await s.waitForMessages(25);
    expect(new Set(got.map((g) => g.messageId)).size).toBe(25);
  });

  it('reports an SMTP 5xx at the end of DATA as a permanent failure', async () => {
    const s = await sink({ failWith: () => 554 });
    const m = mailer({ smtpUrl: s.url });
    const msg = message();
    const attempt = await m.send(msg);
    expect(attempt).toMatchObject({ ok: false, isPermanent: true, messageId: `<${msg.deliveryId}@herald.example>` });
    expect(!attempt.ok && attempt.error).toMatch(/^SMTP 554/);
    expect(s.refused).toHaveLength(1);
    expect(s.messages).toHaveLength(0);
  });

  it('reports an SMTP 4xx as a temporary failure', async () => {
    const s = await sink({ failWith: () => 451 });
    const attempt = await mailer({ smtpUrl: s.url }).send(message());
    expect(attempt).toMatchObject({ ok: false, isPermanent: false });
    expect(!attempt.ok && attempt.error).toMatch(/^SMTP 451/);
  });

  it('classifies a refused recipient by its reply code: 550 permanent, 450 temporary', async () => {
    const s = await sink({ rejectRecipient: (address) => (address.startsWith('gone') ? 550 : address.startsWith('full') ? 450 : null) });
    const m = mailer({ smtpUrl: s.url });
    const gone = await m.send(message({ to: { name: 'Gone', address: 'gone@client.example' } }));
    const full = await m.send(message({ to: { name: 'Full', address: 'full@client.example' } }));
    const fine = await m.send(message());
    expect(gone).toMatchObject({ ok: false, isPermanent: true });
    expect(full).toMatchObject({ ok: false, isPermanent: false });
    expect(fine.ok).toBe(true);
    expect(s.messages.map((g) => g.envelopeTo)).toEqual([['ada@client.example']]);
  });

  it('refuses an address that cannot be one as permanent, without talking to the server', async () => {
    const s = await sink();
    const attempt = await mailer({ smtpUrl: s.url }).send(message({ to: { name: 'X', address: 'not an address' } }));
    expect(attempt).toMatchObject({ ok: false, isPermanent: true });
    expect(!attempt.ok && attempt.error).toContain('Invalid recipient address');
    expect(s.messages).toHaveLength(0);
  });

  it('refuses a delivery id that cannot form a Message-ID as permanent', async () => {
    const s = await sink();
    const attempt = await mailer({ smtpUrl: s.url }).send(message({ deliveryId: 'two words' }));
    expect(attempt).toMatchObject({ ok: false, isPermanent: true });
  });

  it('reports an unreachable server as a temporary failure', async () => {
    const port = await closedPort();
    const attempt = await mailer({ smtpUrl: `smtp://127.0.0.1:${port}` }).send(message());
    expect(attempt).toMatchObject({ ok: false, isPermanent: false });
    expect(!attempt.ok && attempt.error).toContain('ECONNREFUSED');
  });

  it('gives up on a server that never greets after the greeting timeout, as temporary', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => { silent.close(() => resolve()); silent.unref(); }));
    const { port } = silent.address() as { port: number };
    const m = mailer({ smtpUrl: `smtp://127.0.0.1:${port}`, greetingTimeoutMs: 300 });
    const started = Date.now();
    const attempt = await m.send(message());
    expect(attempt).toMatchObject({ ok: false, isPermanent: false });
    expect(!attempt.ok && attempt.error).toMatch(/ETIMEDOUT/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('speaks smtps with the credentials from the URL', async () => {
    const s = await sink({ secure: true, auth: { user: 'herald@vendor.example', pass: 'p@ss:w/rd%' } });
    expect(s.url).toMatch(/^smtps:\/\/herald%40vendor\.example:p%40ss%3Aw%2Frd%25@127\.0\.0\.1:\d+$/);
    const m = mailer({ smtpUrl: s.url, tlsRejectUnauthorized: false });
    await expect(m.verify()).resolves.toBeUndefined();
    const attempt = await m.send(message());
    expect(attempt.ok).toBe(true);
    const [got] = await s.waitForMessages(1);
    expect(got!.user).toBe('herald@vendor.example');
  });

  it('refuses a self-signed certificate unless told otherwise', async () => {
    const s = await sink({ secure: true });
    const attempt = await mailer({ smtpUrl: s.url }).send(message());
    expect(attempt).toMatchObject({ ok: false, isPermanent: false });
  });

  it('treats failed authentication as temporary and never repeats the credentials', async () => {
    const s = await sink({ auth: { user: 'herald', pass: 'right-password' } });
    const smtpUrl = `smtp://herald:Wr0ng-S3cret@127.0.0.1:${s.port}`;
    const m = mailer({ smtpUrl });
    const attempt = await m.send(message());
    expect(attempt).toMatchObject({ ok: false, isPermanent: false });
    expect(!attempt.ok && attempt.error).toContain('SMTP authentication failed');
    expect(!attempt.ok && attempt.error).not.toContain('Wr0ng-S3cret');
    const verified = await m.verify().then(() => null, (err: Error) => err);
    expect(verified?.message).toContain('authentication failed');
    expect(verified?.message).not.toContain('Wr0ng-S3cret');
    expect(verified?.cause).toBeUndefined();
  });
});

describe('building a message', () => {
  const FROM = 'Brightline Hosting <status@brightline.example>';
  const read = (m: ParsedMail) => ({
    subject: m.subject,
    from: m.from?.text,
    to: m.to && !Array.isArray(m.to) ? m.to.value : null,
    text: m.text?.replace(/\n$/, ''),
    html: m.html,
    messageId: m.messageId,
    inReplyTo: m.inReplyTo,
    references: m.references,
    date: m.date?.toISOString(),
    unsubscribe: m.headers.get('list-unsubscribe'),
  });
  const cases: (Partial<EmailMessage> & { name: string })[] = [
    {
      name: 'German, long subject and lines, a line holding only a dot, an international domain',
      to: { name: 'Jürgen "J" Müller', address: 'j@exämple.com' },
      subject: 'Störung: die API antwortet mit 502 für alle Kunden in Europa und Nordamerika seit heute Morgen [INC-2]',
      text: `Hallo Jürgen,\nein Satz, der weit über sechsundsiebzig Zeichen lang ist und darum umbrochen werden muss, ${'x'.repeat(120)}\n\n.\nEnde`,
      html: `<p>Grüße</p>\n<p>${'y'.repeat(300)}</p>`,
    },
    { name: 'threaded, CRLF text', to: { name: 'Ada Lovelace', address: 'ada@client.example' }, subject: 'Update [INC-3]', text: 'Hello,\r\nline two', inReplyTo: 'first@brightline.example', references: ['first@brightline.example'] },
    { name: 'no HTML, no name, text that looks encoded', to: { name: '', address: 'ops@client.example' }, subject: 'Plain =41 subject', text: '=41 is not an A here', html: '' },
  ];
  it.each(cases)('reads the same as nodemailer’s composer would build it: $name', async ({ name: _name, ...c }) => {
    const msg = message(c);
    const messageId = `<${msg.deliveryId}@brightline.example>`;
    const date = new Date('2026-12-02T07:00:00Z');
    const extraHeaders = { 'List-Unsubscribe': '<https://status.brightline.example/unsubscribe?t=1>' };
    const built = createMessageBuilder(FROM)({ ...msg, messageId, extraHeaders, date });
    const composed = new MailComposer({
      from: FROM,
      to: msg.to,
      subject: msg.subject,
      text: msg.text,
      html: msg.html,
      headers: extraHeaders,
      messageId,
      date,
      ...(msg.inReplyTo ? { inReplyTo: `<${msg.inReplyTo}>`, references: msg.references!.map((r) => `<${r}>`) } : {}),
    }).compile();
    expect(built.envelope).toEqual(composed.getEnvelope());
    expect(read(await simpleParser(built.raw))).toEqual(read(await simpleParser(await composed.build())));
    const lines = built.raw.toString('utf8').split('\r\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(78);
    expect(built.raw.toString('utf8')).not.toMatch(/[^\r]\n/);
  });
});

// createMessageBuilder uses three of nodemailer's internal modules (not its public API), verified with
// nodemailer 10.6.0, pinned exactly in package.json. These pin the exact output of each function it
// calls, so an upgrade that changes one fails here, by name, before a message goes out differently.
describe('breaks when nodemailer’s internals change', () => {
  const headers = new MimeNode(false, { textEncoding: 'Q' });

  it('still has the internal functions and constructor the builder calls', () => {
    expect(typeof MimeNode).toBe('function');
    expect(typeof headers.encodeHeaderValue).toBe('function');
    expect(typeof foldLines).toBe('function');
    expect(typeof encodeQuotedPrintable).toBe('function');
    expect(typeof wrapQuotedPrintable).toBe('function');
  });

  it('MimeNode.encodeHeaderValue encodes addresses, text, ids and dates as the builder expects', () => {
    expect(headers.encodeHeaderValue('From', 'Brightline Hosting <status@brightline.example>')).toBe('Brightline Hosting <status@brightline.example>');
    expect(headers.encodeHeaderValue('From', { name: 'Störung & Co', address: 'status@brightline.example' })).toBe('=?UTF-8?Q?St=C3=B6rung_=26_Co?= <status@brightline.example>');
    expect(headers.encodeHeaderValue('To', { name: 'Jürgen "J" Müller', address: 'j@exämple.com' })).toBe('=?UTF-8?Q?J=C3=BCrgen_=22J=22_M=C3=BCller?= <j@xn--exmple-cua.com>');
    // The envelope address is read from this (brackets stripped).
    expect(headers.encodeHeaderValue('To', 'j@exämple.com')).toBe('j@xn--exmple-cua.com');
    expect(headers.encodeHeaderValue('Subject', 'Störung: Größe')).toBe('=?UTF-8?Q?St=C3=B6rung=3A_Gr=C3=B6=C3=9Fe?=');
    expect(headers.encodeHeaderValue('Subject', 'Plain =41 subject')).toBe('Plain =41 subject');
    expect(headers.encodeHeaderValue('Message-ID', '<abc@brightline.example>')).toBe('<abc@brightline.example>');
    expect(headers.encodeHeaderValue('In-Reply-To', '<first@brightline.example>')).toBe('<first@brightline.example>');
    expect(headers.encodeHeaderValue('References', ['<a@b.example>', '<c@d.example>'])).toBe('<a@b.example> <c@d.example>');
    expect(headers.encodeHeaderValue('Date', new Date('2026-12-02T07:00:00Z'))).toBe('Wed, 02 Dec 2026 07:00:00 +0000');
    expect(headers.encodeHeaderValue('List-Unsubscribe', '<https://status.example/u?t=1>')).toBe('<https://status.example/u?t=1>');
  });

  it('mime-funcs.foldLines folds a header at 76 with CRLF and a space', () => {
    expect(foldLines(`Subject: ${'word '.repeat(30).trim()}`, 76)).toBe(
      `Subject: ${'word '.repeat(13).trim()}\r\n ${'word '.repeat(15).trim()}\r\n word word`,
    );
    expect(foldLines('Subject: =?UTF-8?Q?St=C3=B6rung=3A_die_API_antwortet_mit_502_f=C3=BCr_alle_Kunden?= =?UTF-8?Q?_in_Europa?=', 76)).toBe(
      'Subject:\r\n =?UTF-8?Q?St=C3=B6rung=3A_die_API_antwortet_mit_502_f=C3=BCr_alle_Kunden?=\r\n =?UTF-8?Q?_in_Europa?=',
    );
  });

  it('qp.encode and qp.wrap write quoted-printable UTF-8 in lines of at most 76', () => {
    expect(encodeQuotedPrintable('Grüße = x\r\n.\r\nEnde ')).toBe('Gr=C3=BC=C3=9Fe =3D x\r\n.\r\nEnde=20');
    expect(wrapQuotedPrintable(encodeQuotedPrintable(`${'x'.repeat(100)}ü`), 76)).toBe(`${'x'.repeat(75)}=\r\n${'x'.repeat(25)}=C3=BC`);
  });
});

describe('SMTP configuration', () => {
  it('reads host, port, TLS mode and decoded credentials from the URL', () => {
    expect(parseSmtpUrl('smtp://mail.example.com')).toEqual({ host: 'mail.example.com', port: 587, secure: false });
    expect(parseSmtpUrl('smtps://u%40x.example:p%3Ass@mail.example.com')).toEqual({
      host: 'mail.example.com',
      port: 465,
      secure: true,
      auth: { user: 'u@x.example', pass: 'p:ss' },
    });
    expect(parseSmtpUrl('smtp://[::1]:2525')).toMatchObject({ host: '::1', port: 2525 });
  });

  it('refuses another scheme without repeating the URL', () => {
    expect(() => parseSmtpUrl('https://user:hunter22@mail.example.com')).toThrow(/smtp:\/\/ or smtps:\/\//);
    expect(() => parseSmtpUrl('https://user:hunter22@mail.example.com')).not.toThrow(/hunter22/);
    expect(() => parseSmtpUrl('not a url :hunter22')).not.toThrow(/hunter22/);
  });

  it('refuses a sender without a usable domain', () => {
    expect(() => createMailer({ smtpUrl: 'smtp://localhost', from: 'nobody' })).toThrow(/Message-ID domain/);
  });

  it('classifies by reply class: 5xx permanent except 503, 4xx and no reply temporary', () => {
    const smtp = (responseCode: number | undefined, code = 'EMESSAGE') => Object.assign(new Error('x'), { responseCode, code });
    expect(classifySmtpError(smtp(550)).isPermanent).toBe(true);
    expect(classifySmtpError(smtp(503)).isPermanent).toBe(false);
    expect(classifySmtpError(smtp(421)).isPermanent).toBe(false);
    expect(classifySmtpError(smtp(undefined, 'ECONNECTION')).isPermanent).toBe(false);
    expect(classifySmtpError(smtp(undefined, 'EENVELOPE')).isPermanent).toBe(true);
    expect(classifySmtpError(smtp(535, 'EAUTH')).isPermanent).toBe(false);
  });
});

describe('SMTP sink (test support)', () => {
  it('records headers only when parsing is off, for benchmarks with thousands of messages', async () => {
    const s = await sink({ parse: false });
    const m = mailer({ smtpUrl: s.url });
    const msg = message({ inReplyTo: 'dlv-initial@herald.example' });
    await m.send(msg);
    const [got] = await s.waitForMessages(1);
    expect(got).toMatchObject({ messageId: `<${msg.deliveryId}@herald.example>`, inReplyTo: '<dlv-initial@herald.example>', text: '', html: '' });
    await expect(s.waitForMessages(2, 50)).rejects.toThrow(/1 of 2 messages/);
  });
});
