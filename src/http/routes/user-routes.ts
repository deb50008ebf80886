// Users and API tokens.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createApiToken, listApiTokens, revokeApiToken } from '../../services/auth/api-tokens.js';
import { createUser, getUser, listUsers, updateUser } from '../../services/auth/users.js';
import { pageOf, presentToken, presentUser } from '../presenters.js';
import type { Runner } from '../request-context.js';
import { pageSchema, replies } from '../response-schemas/common.js';
import { ApiToken, NewApiToken, User } from '../response-schemas/catalog.js';
import { email, idParam, installRole, pageFrom, pageQuery, password, presentPage, text, uuid } from '../schemas.js';

/**
 * Changing one's own password checks the current one: at most 5 such requests per user in 15 minutes
 * (per process), so that a session left open cannot be used to guess the password. Counted after
 * authentication; every other change of a user is not counted.
 */
const ownPasswordChanges = {
  hook: 'preHandler' as const,
  max: 5,
  timeWindow: '15 minutes',
  keyGenerator: (request: FastifyRequest) => request.auth?.actor.userId ?? request.ip,
  allowList: (request: FastifyRequest) => {
    const isOwn = (request.params as { id?: string }).id?.toLowerCase() === request.auth?.actor.userId;
    return !(isOwn && (request.body as { password?: unknown } | undefined)?.password !== undefined);
  },
};

export function userRoutes(app: FastifyInstance, run: Runner) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['users'];
  r.get('/api/v1/users', { schema: { tags, summary: 'List users (client users: themselves)', querystring: z.object({ cursor: uuid.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) }), response: replies({ 200: pageSchema(User) }) } }, (req) =>
    run.query(req, async (ctx) => pageOf(await listUsers(ctx, { after: req.query.cursor ?? null, limit: req.query.limit }), req.query.limit, presentUser)),
  );
  r.post(
    '/api/v1/users',
    { schema: { tags, summary: 'Create a user (admin)', body: z.object({ email, name: text(200), role: installRole, clientId: uuid.nullable().optional(), password: password.optional() }), response: replies({ 201: User }) } },
    (req, reply) => run.command(req, reply, 201, async (ctx) => presentUser(await createUser(ctx, req.body))),
  );
  r.get('/api/v1/users/:id', { schema: { tags, summary: 'Get a user', params: idParam, response: replies({ 200: User }) } }, (req) => run.query(req, async (ctx) => presentUser(await getUser(ctx, req.params.id))));
  r.patch(
    '/api/v1/users/:id',
    {
      config: { rateLimit: ownPasswordChanges },
      schema: {
        tags,
        summary: 'Change a user (admins: anyone; users: their own name and password, giving the current one). A new password ends the other sessions',
        params: idParam,
        body: z.object({ name: text(200).optional(), role: installRole.optional(), isDisabled: z.boolean().optional(), password: password.optional(), currentPassword: z.string().max(200).optional() }),
        response: replies({ 200: User }),
      },
    },
    (req, reply) =>
      run.command(req, reply, 200, async (ctx) =>
        presentUser(await updateUser(ctx, req.params.id, req.body, { currentSessionId: req.auth?.kind === 'session' ? req.auth.credentialId : null })),
      ),
  );

  r.get('/api/v1/tokens', { schema: { tags, summary: 'Your API tokens (admins: all), newest first', querystring: z.object(pageQuery), response: replies({ 200: pageSchema(ApiToken) }) } }, (req) =>
    run.query(req, async (ctx) => presentPage(await listApiTokens(ctx, pageFrom(req.query)), presentToken)),
  );
  r.post(
    '/api/v1/tokens',
    { schema: { tags, summary: 'Create an API token for yourself; the token is shown only in this answer', body: z.object({ name: text(200), expiresInDays: z.number().int().min(1).max(3650).nullable().optional() }), response: replies({ 201: NewApiToken }) } },
    (req, reply) =>
      run.command(req, reply, 201, async (ctx) => {
        const { row, token } = await createApiToken(ctx, req.body);
        return { ...presentToken(row), token: token as string | null };
      }, { storedAs: (body) => ({ ...body, token: null, note: 'The token is shown only once; this is a replay.' }) }),
  );
  r.delete('/api/v1/tokens/:id', { schema: { tags, summary: 'Revoke an API token', params: idParam, response: replies({ 200: ApiToken }) } }, (req, reply) =>
    run.command(req, reply, 200, async (ctx) => presentToken(await revokeApiToken(ctx, req.params.id))),
  );
}
