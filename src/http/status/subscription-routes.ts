// Subscribing from a status page (forms, or JSON), confirming by the e-mailed link, unsubscribing in
// one click (RFC 8058: a POST without login), managing a webhook subscription with its signing secret,
// and the API to rotate a client's secret page link.
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/open.js';
import { publicTargetRefusal, type HostResolver } from '../../channels/public-target.js';
import { ConcurrencyGate } from '../concurrency-gate.js';
import { AppError } from '../../services/app-error.js';
import { replies } from '../response-schemas/common.js';
import { StatusLink } from '../response-schemas/catalog.js';
import { uuid } from '../schemas.js';
import type { Enqueuer, ServiceSettings } from '../../services/context.js';
import { getStatusLink, rotateStatusLink } from '../../services/status-pages/status-links.js';
import { findStatusPageClient, statusPageAccess } from '../../services/status-pages/status-page-clients.js';
import {
  changeWebhookSubscription,
  confirmSubscription,
  DEFAULT_SIGNUP_LIMITS,
  endWebhookSubscription,
  subscribeWebhook,
  type SignupLimits,
} from '../../services/status-pages/subscription-signups.js';
import { subscribeByEmail } from '../../services/status-pages/email-signup.js';
import { unsubscribe, type PageRef } from '../../services/status-pages/subscriptions.js';
import type { Runner } from '../request-context.js';
import { SESSION_COOKIE } from '../request-context.js';
import { idParam } from '../schemas.js';
import { esc, renderMessagePage } from './status-html.js';

export interface SubscriptionRouteDeps {
  database: Database;
  settings: ServiceSettings;
  jobs: Enqueuer | null;
  run: Runner;
  /** Sign-ups per address and window (default 5 per 10 minutes). */
  rateLimit?: { max: number; timeWindow: string | number };
  /** Pending sign-ups per page and mails per subscriber address (default DEFAULT_SIGNUP_LIMITS). */
  signupLimits?: Partial<SignupLimits>;
  /** Public webhook subscriptions may point into private networks (HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS). */
  allowsPrivateWebhookTargets: boolean;
  /** Resolves webhook host names for the check at sign-up (default: the system resolver). */
  resolveHost?: HostResolver;
  /** Called once a client's secret link was rotated (and committed): this instance's pages must know at once. */
  clientPagesChanged?: () => void;
}

const one = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const many = (v: unknown): unknown[] => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]);

const subscribeBody = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('email'), email: z.email().max(320), componentIds: z.array(uuid).max(500) }),
  z.object({
    channel: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }).max(2000),
    componentIds: z.array(uuid).max(500),
  }),
]);

function parseSubscribe(body: unknown) {
  const b = (body ?? {}) as Record<string, unknown>;
  const parsed = subscribeBody.safeParse({ channel: one(b.channel) ?? 'email', email: one(b.email), url: one(b.url), componentIds: many(b.componentIds) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path[0] === undefined ? 'channel' : String(issue.path[0]);
    throw new AppError('invalid_input', `Invalid ${field}: ${issue.message}`, { field });
  }
  return parsed.data;
}

const html = (reply: FastifyReply, status: number, page: string) => reply.code(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page);
const wantsJson = (request: FastifyRequest) => String(request.headers['content-type'] ?? '').includes('json') || String(request.headers.accept ?? '').startsWith('application/json');

/**
 * Sign-ups handled at once, and waiting their turn, per process: a burst of anonymous sign-ups then holds
 * at most this many pooled database connections (of DATABASE_POOL_MAX, 10 by default) and transactions,
 * and the rest of Herald keeps the others. `npm run bench:abuse` sends 1,000 at once.
 */
const SIGNUPS_AT_ONCE = 2;
const SIGNUPS_WAITING = 500;

export async function subscriptionRoutes(app: FastifyInstance, deps: SubscriptionRouteDeps): Promise<void> {
  const { database, settings } = deps;
  const limit = deps.rateLimit ?? { max: 5, timeWindow: '10 minutes' };
  const limits: SignupLimits = { ...DEFAULT_SIGNUP_LIMITS, ...deps.signupLimits };
  const signupGate = new ConcurrencyGate(SIGNUPS_AT_ONCE, SIGNUPS_WAITING);

  /** The page a sign-up is for; a private page needs its secret link or a session that may see it. */
  const pageFor = async (request: FastifyRequest, slug: string | null): Promise<PageRef> => {
    if (!slug) return { clientId: null, path: '/status', title: `${settings.companyName} status` };
    const client = await findStatusPageClient(database.db, slug);
    const key = one((request.body as Record<string, unknown> | undefined)?.key) ?? one((request.query as Record<string, unknown>).key);
    const visitor = { key: typeof key === 'string' && key ? key : undefined, sessionToken: request.cookies[SESSION_COOKIE] };
    if (!client || !(await statusPageAccess(database.db, client, visitor, new Date()))) throw new AppError('not_found', 'No such status page, or it is private.');
    return { clientId: client.id, path: `/status/${client.slug}`, title: `${settings.companyName} status for ${client.name}` };
  };

  const handleSubscribe = async (request: FastifyRequest, reply: FastifyReply, slug: string | null) => {
    const input = parseSubscribe(request.body);
    const signUp = async () => {
      const page = await pageFor(request, slug);
      if (input.channel === 'webhook') {
        const refusal = await publicTargetRefusal(input.url, deps.allowsPrivateWebhookTargets, deps.resolveHost);
        if (refusal) throw new AppError('invalid_input', `Invalid url: the webhook URL ${refusal}.`, { field: 'url' });
      }
      // Each sign-up opens a transaction only where it must (subscription-signups.ts, email-signup.ts).
      const signupDeps = { database, now: new Date(), baseUrl: settings.baseUrl, companyName: settings.companyName, jobs: deps.jobs, limits };
      if (input.channel === 'email') {
        await subscribeByEmail(signupDeps, page, { email: input.email, componentIds: input.componentIds });
        return { page, result: null };
      }
      return { page, result: await subscribeWebhook(signupDeps, page, { url: input.url, componentIds: input.componentIds }) };
    };
    // Anonymous sign-ups share a few places (concurrency-gate.ts); beyond its queue they are refused.
    const admitted = signupGate.run(signUp);
    if (!admitted) throw new AppError('rate_limited', 'Too many sign-ups are being handled at once; try again in a moment.', { retryAfterS: 1 });
    const { page, result } = await admitted;
    // The same answer whether the address or URL was new or followed the page already (subscription-signups.ts).
    if (wantsJson(request)) {
      return reply.code(202).send(result ? { status: 'active', id: result.id, secret: result.secret, manageUrl: result.manageUrl } : { status: 'pending', detail: 'A confirmation link was sent to the address.' });
    }
    if (result) {
      return html(
        reply,
        201,
        renderMessagePage(
          'Webhook subscribed',
          'Your webhook receives a signed POST (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature) for every update. Keep this signing secret: it is shown only now, and it is what lets you change or end the subscription.',
          `<p><code>${esc(result.secret)}</code></p><p>To change the components it follows, send <code>PATCH</code> with <code>{"componentIds": […]}</code>; to end it, <code>DELETE</code>; both to <code>${esc(result.manageUrl)}</code> with the header <code>Authorization: Bearer</code> and the secret. Answering an update with <code>410 Gone</code> ends it too.</p><p><a href="${page.path}">Back to the status page</a></p>`,
        ),
      );
    }
    return html(reply, 202, renderMessagePage('Check your inbox', `We sent a link to ${input.channel === 'email' ? input.email : ''}. Nothing changes until you follow it.`, `<p><a href="${page.path}">Back to the status page</a></p>`));
  };

  /** The signing secret a webhook subscriber proves itself with: `Authorization: Bearer whsec_…`. */
  const secretOf = (request: FastifyRequest) => {
    const match = /^Bearer\s+(\S{1,200})$/i.exec(String(request.headers.authorization ?? ''));
    if (!match) throw new AppError('unauthenticated', 'Send the subscription\'s signing secret: Authorization: Bearer whsec_…');
    return match[1]!;
  };
  const webhookIdOf = (request: FastifyRequest) => {
    const parsed = uuid.safeParse((request.params as { id: string }).id);
    if (!parsed.success) throw new AppError('not_found', 'No such webhook subscription, or that is not its signing secret.');
    return parsed.data;
  };
  const webhookChange = z.object({ componentIds: z.array(uuid).max(500) }).strict();

  await app.register(async (scope) => {
    await scope.register(formbody);
    const rateLimit = { max: limit.max, timeWindow: limit.timeWindow };
    scope.post('/status/subscribe', { schema: { hide: true }, config: { isPublic: true, rateLimit } }, (request, reply) => handleSubscribe(request, reply, null));
    scope.post('/status/:page/subscribe', { schema: { hide: true }, config: { isPublic: true, rateLimit } }, (request, reply) => {
      const { page } = request.params as { page: string };
      if (!/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/.test(page)) throw new AppError('not_found', 'No such status page, or it is private.');
      return handleSubscribe(request, reply, page);
    });

    const tokenOf = (request: FastifyRequest) => {
      const token = one((request.query as Record<string, unknown>).token) ?? one((request.body as Record<string, unknown> | undefined)?.token);
      if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{10,200}$/.test(token)) throw new AppError('invalid_input', 'The link lacks its token.', { field: 'token' });
      return token;
    };

    // Following the link shows a button: mail scanners that fetch links do not confirm anything.
    scope.get('/status-subscriptions/confirm', { schema: { hide: true }, config: { isPublic: true } }, async (request, reply) => {
      const token = tokenOf(request);
      return html(
        reply,
        200,
        renderMessagePage('Confirm your subscription', 'Press the button to confirm: your subscription to status updates at this address, or the change to it that you asked for.', `<form method="post" action="/status-subscriptions/confirm"><input type="hidden" name="token" value="${esc(token)}"><button type="submit">Confirm subscription</button></form>`),
      );
    });
    scope.post('/status-subscriptions/confirm', { schema: { hide: true }, config: { isPublic: true } }, async (request, reply) => {
      const token = tokenOf(request);
      const { address, isChange } = await confirmSubscription(database.db, token, new Date());
      if (isChange) return html(reply, 200, renderMessagePage('Change confirmed', `${address} now receives updates about the components you chose. Every message has a link to unsubscribe.`));
      return html(reply, 200, renderMessagePage('Subscription confirmed', `${address} now receives status updates. Every message has a link to unsubscribe.`));
    });
    scope.get('/status-subscriptions/unsubscribe', { schema: { hide: true }, config: { isPublic: true } }, async (request, reply) => {
      const token = tokenOf(request);
      return html(
        reply,
        200,
        renderMessagePage('Unsubscribe', 'Press the button to stop receiving status updates.', `<form method="post" action="/status-subscriptions/unsubscribe?token=${encodeURIComponent(token)}"><button type="submit">Unsubscribe</button></form>`),
      );
    });
    // RFC 8058 one-click: a POST of "List-Unsubscribe=One-Click" to the link, no login, no confirmation.
    scope.post('/status-subscriptions/unsubscribe', { schema: { hide: true }, config: { isPublic: true } }, async (request, reply) => {
      const token = tokenOf(request);
      const { address } = await unsubscribe(database.db, token, new Date());
      return html(reply, 200, renderMessagePage('Unsubscribed', `${address} receives no more status updates.`));
    });

    // A webhook subscription is managed by whoever holds its signing secret (nobody else knows it).
    scope.patch('/status-subscriptions/webhooks/:id', { schema: { hide: true }, config: { isPublic: true, rateLimit } }, async (request) => {
      const id = webhookIdOf(request);
      const secret = secretOf(request);
      const parsed = webhookChange.safeParse(request.body ?? {});
      if (!parsed.success) throw new AppError('invalid_input', `Invalid componentIds: ${parsed.error.issues[0]!.message}`, { field: 'componentIds' });
      const changed = await database.transaction((tx) => changeWebhookSubscription(tx, id, secret, parsed.data));
      return { status: 'active', componentIds: changed.componentIds };
    });
    scope.delete('/status-subscriptions/webhooks/:id', { schema: { hide: true }, config: { isPublic: true, rateLimit } }, async (request, reply) => {
      const id = webhookIdOf(request);
      const secret = secretOf(request);
      await database.transaction((tx) => endWebhookSubscription(tx, id, secret, new Date()));
      return reply.code(204).send();
    });
  });

  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/clients/:id/status-link',
    { schema: { tags: ['status pages'], summary: "Whether the client's private status page has a secret link (the link itself is shown only when made)", params: idParam, response: replies({ 200: StatusLink }) } },
    (req) => deps.run.query(req, (ctx) => getStatusLink(ctx, req.params.id)),
  );
  r.post(
    '/api/v1/clients/:id/status-link',
    {
      schema: {
        tags: ['status pages'],
        summary: "Make a new secret link to the client's private status page (shown once); the old link stops working at once",
        params: idParam,
        body: z.object({}).strict().optional(),
        response: replies({ 201: StatusLink }),
      },
    },
    // A replayed answer leaves the secret link out: it is stored nowhere but in the client's hands.
    async (req, reply) => {
      const answer = await deps.run.command(req, reply, 201, (ctx) => rotateStatusLink(ctx, req.params.id), { storedAs: (b) => ({ ...b, url: null }) });
      deps.clientPagesChanged?.();
      return answer;
    },
  );
}
