// The public report form: a secret link per client for people without an account. The link's secret
// is shown once and stored hashed. A spam guard — a honeypot field and a minimum time between showing
// the form and sending it, carried in a signed timestamp — sends doubtful reports to triage instead of
// opening an incident; nothing sent is thrown away.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from '../../db/open.js';
import { clientReportLinks, clients, triageItems } from '../../db/schema.js';
import { notFound } from '../app-error.js';
import { clientScope, requireAdmin, type Ctx } from '../context.js';
import { openIntakeIncident } from './open-intake-incident.js';

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Admins, and the client's own users, manage the client's link. */
async function checkClient(ctx: Ctx, clientId: string, isChange: boolean) {
  const scope = clientScope(ctx);
  if (scope && scope !== clientId) throw notFound('Client');
  if (!scope && isChange) requireAdmin(ctx);
  const [client] = await ctx.tx.select({ id: clients.id }).from(clients).where(eq(clients.id, clientId));
  if (!client) throw notFound('Client');
}

export async function getReportLink(ctx: Ctx, clientId: string) {
  await checkClient(ctx, clientId, false);
  const [link] = await ctx.tx.select({ createdAt: clientReportLinks.createdAt }).from(clientReportLinks).where(eq(clientReportLinks.clientId, clientId));
  return { clientId, isEnabled: !!link, createdAt: link?.createdAt.toISOString() ?? null, url: null as string | null };
}

/** Makes a new secret link (the old one stops working at once); the URL is shown only in this answer. */
export async function rotateReportLink(ctx: Ctx, clientId: string) {
  await checkClient(ctx, clientId, true);
  const secret = randomBytes(24).toString('base64url');
  const values = { clientId, secretHash: hashSecret(secret), formKey: randomBytes(32).toString('base64url'), createdAt: ctx.now };
  await ctx.tx.insert(clientReportLinks).values(values).onConflictDoUpdate({ target: clientReportLinks.clientId, set: { secretHash: values.secretHash, formKey: values.formKey, createdAt: ctx.now } });
  return { clientId, isEnabled: true, createdAt: ctx.now.toISOString(), url: `${ctx.settings.baseUrl}/report/${secret}` as string | null };
}

export async function disableReportLink(ctx: Ctx, clientId: string) {
  await checkClient(ctx, clientId, true);
  await ctx.tx.delete(clientReportLinks).where(eq(clientReportLinks.clientId, clientId));
  return { clientId, isEnabled: false, createdAt: null, url: null as string | null };
}

export interface ReportLink {
  clientId: string;
  clientName: string;
  formKey: string;
}

export async function findReportLink(database: Database, secret: string): Promise<ReportLink | null> {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(secret)) return null;
  const [found] = await database.db
    .select({ clientId: clientReportLinks.clientId, clientName: clients.name, formKey: clientReportLinks.formKey })
    .from(clientReportLinks)
    .innerJoin(clients, eq(clients.id, clientReportLinks.clientId))
    .where(eq(clientReportLinks.secretHash, hashSecret(secret)));
  return found ?? null;
}

const sign = (key: string, issuedAtMs: number) => createHmac('sha256', key).update(`report-form:${issuedAtMs}`).digest('base64url').slice(0, 32);

/** The form's hidden timestamp: when it was shown, signed so a script cannot back-date it. */
export const formToken = (link: ReportLink, now: Date) => `${now.getTime()}.${sign(link.formKey, now.getTime())}`;

export interface SpamGuardSettings {
  /** Sending sooner than this after the form was shown looks like a script (default 3 s). */
  minFillMs: number;
  /** A form older than this is stale (default 24 h). */
  maxAgeMs: number;
}

export const SPAM_GUARD_DEFAULTS: SpamGuardSettings = { minFillMs: 3000, maxAgeMs: 86_400_000 };

/** What makes a submission doubtful; empty when it looks like a person's. */
export function spamSignals(link: ReportLink, input: { honeypot?: string | undefined; formToken?: string | undefined }, now: Date, s: SpamGuardSettings): string[] {
  const signals: string[] = [];
  if (input.honeypot?.trim()) signals.push('honeypot_filled');
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{32})$/.exec(input.formToken ?? '');
  if (!m) {
    signals.push(input.formToken ? 'form_token_invalid' : 'form_token_missing');
    return signals;
  }
  const issued = Number(m[1]);
  const expected = Buffer.from(sign(link.formKey, issued));
  if (!timingSafeEqual(Buffer.from(m[2]!), expected)) signals.push('form_token_invalid');
  else if (now.getTime() - issued < s.minFillMs) signals.push('sent_too_fast');
  else if (now.getTime() - issued > s.maxAgeMs) signals.push('form_expired');
  return signals;
}

export interface PublicReportInput {
  title: string;
  description: string;
  name?: string | undefined;
  email?: string | undefined;
  honeypot?: string | undefined;
  formToken?: string | undefined;
}

export type PublicReportOutcome = { status: 'opened'; incidentKey: string } | { status: 'held'; triageItemId: string };

export async function submitPublicReport(database: Database, link: ReportLink, input: PublicReportInput, opts: { now: Date; guard: SpamGuardSettings; ip: string }): Promise<PublicReportOutcome> {
  const signals = spamSignals(link, input, opts.now, opts.guard);
  const who = input.name?.trim() || 'Someone';
  const label = `${who}${input.email ? ` <${input.email}>` : ''} (report form of ${link.clientName})`;
  return database.transaction(async (tx) => {
    if (signals.length) {
      const [item] = await tx
        .insert(triageItems)
        .values({
          kind: 'public_report',
          title: input.title.slice(0, 200),
          description: input.description,
          clientId: link.clientId,
          sender: input.email ?? null,
          reason: 'spam_guard',
          data: { signals, name: input.name ?? null, email: input.email ?? null, honeypot: input.honeypot?.slice(0, 500) ?? null, ip: opts.ip },
          createdAt: opts.now,
          updatedAt: opts.now,
        })
        .returning({ id: triageItems.id });
      return { status: 'held', triageItemId: item!.id } as const;
    }
    const incident = await openIntakeIncident(tx, {
      title: input.title,
      description: input.description,
      source: 'client',
      reporterClientId: link.clientId,
      actorLabel: label,
      intake: { channel: 'report_form', name: input.name ?? null, email: input.email ?? null },
      now: opts.now,
    });
    return { status: 'opened', incidentKey: incident.key } as const;
  });
}
