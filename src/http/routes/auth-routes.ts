// Logging in and out, the current session, and first-start setup.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/open.js';
import { login, logout, SESSION_TTL_MS } from '../../services/auth/login.js';
import { completeSetup } from '../../services/auth/setup.js';
import { getUser } from '../../services/auth/users.js';
import { presentUser } from '../presenters.js';
import { SESSION_COOKIE, type Runner } from '../request-context.js';
import { noContent, replies } from '../response-schemas/common.js';
import { LoginResult, Session, SetupResult } from '../response-schemas/catalog.js';
import { email, password, text } from '../schemas.js';

export function authRoutes(app: FastifyInstance, database: Database, run: Runner, opts: { isCookieSecure: boolean }) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: opts.isCookieSecure, maxAge: SESSION_TTL_MS / 1000 };

  r.post(
    '/api/v1/auth/login',
    {
      config: { isPublic: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: { tags: ['auth'], summary: 'Log in; sets the session cookie and returns the CSRF token', body: z.object({ email: z.string().max(320), password: z.string().max(200) }), response: replies({ 200: LoginResult }) },
    },
    async (request, reply) => {
      const result = await login(database.db, { ...request.body, address: request.ip }, new Date());
      reply.setCookie(SESSION_COOKIE, result.token, cookieOptions);
      return { user: presentUser(result.user), csrfToken: result.csrfToken, expiresAt: result.expiresAt.toISOString() };
    },
  );

  r.post('/api/v1/auth/logout', { schema: { tags: ['auth'], summary: 'End the current session', response: replies({ 204: noContent }) } }, async (request, reply) => {
    if (request.auth?.kind === 'session') await logout(database.db, request.auth.credentialId);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  r.get('/api/v1/auth/session', { schema: { tags: ['auth'], summary: 'Who is logged in, and the CSRF token for changes', response: replies({ 200: Session }) } }, async (request) => {
    const user = await run.query(request, (ctx) => getUser(ctx, ctx.actor.userId));
    return { user: presentUser(user), via: request.auth!.kind, csrfToken: request.auth!.csrfToken };
  });

  r.post(
    '/api/v1/setup',
    {
      config: { isPublic: true, rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        summary: 'Create the first admin with the one-time setup token printed at first start',
        body: z.object({ token: z.string().min(1).max(200), email, name: text(200), password }),
        response: replies({ 201: SetupResult }),
      },
    },
    async (request, reply) => {
      const user = await completeSetup(database.db, request.body, new Date());
      const session = await login(database.db, { email: request.body.email, password: request.body.password, address: request.ip }, new Date());
      reply.setCookie(SESSION_COOKIE, session.token, cookieOptions);
      return reply.code(201).send({ user: presentUser(user), csrfToken: session.csrfToken });
    },
  );

}
