// Drives Herald through HTTP (app.inject) as real callers do: with API tokens or session cookies.
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../src/db/open.js';
import { createHerald, type Herald, type HeraldOptions } from '../../src/herald.js';
import { insertApiToken } from '../../src/services/auth/api-tokens.js';
import { insertUser } from '../../src/services/auth/users.js';
import type { InstallRole } from '../../src/domain/types.js';
import { responseContract, type ResponseContract } from './response-contract.js';
import { openTestDatabase, type BackendKind, type TestDatabase } from './test-database.js';

export interface Response<T = any> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

export interface Caller {
  userId: string;
  token: string;
  get<T = any>(url: string): Promise<Response<T>>;
  post<T = any>(url: string, body?: unknown, headers?: Record<string, string>): Promise<Response<T>>;
  patch<T = any>(url: string, body?: unknown): Promise<Response<T>>;
  del<T = any>(url: string): Promise<Response<T>>;
  request<T = any>(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Response<T>>;
}

export interface TestApp {
  app: FastifyInstance;
  herald: Herald;
  db: TestDatabase;
  database: Database;
  admin: Caller;
  /** A caller with no credentials. */
  anonymous: Caller;
  user(role: InstallRole, opts?: { clientId?: string; email?: string; name?: string; password?: string }): Promise<Caller>;
  close(): Promise<void>;
}

let counter = 0;

/** A caller; with a contract, every /api/v1 answer it gets is checked against the OpenAPI document. */
export function callerFor(app: FastifyInstance, token: string | null, userId = '', contract: ResponseContract | null = null): Caller {
  const request = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const type = String(res.headers['content-type'] ?? '');
    const out = { status: res.statusCode, body: type.includes('json') && res.body ? JSON.parse(res.body) : res.body, headers: res.headers };
    contract?.check(method, url, out);
    return out;
  };
  return {
    userId,
    token: token ?? '',
    request,
    get: (url) => request('GET', url),
    post: (url, body = {}, headers) => request('POST', url, body, headers),
    patch: (url, body = {}) => request('PATCH', url, body),
    del: (url) => request('DELETE', url),
  };
}

export async function createTestApp(kind: BackendKind, opts: Partial<Omit<HeraldOptions, 'database'>> = {}): Promise<TestApp> {
  const db = await openTestDatabase(kind);
  const database = db.database;
  const herald = await createHerald({ baseUrl: 'http://herald.test', logLevel: 'silent', watchIntervalMs: 0, ...opts, database, databaseUrl: db.url });
  const app = herald.app;
  await app.ready();
  const contract = responseContract((await app.inject({ method: 'GET', url: '/api/openapi.json' })).json());
  const user = async (role: InstallRole, o: { clientId?: string; email?: string; name?: string; password?: string } = {}) => {
    const n = ++counter;
    const row = await insertUser(
      database.db,
      { email: o.email ?? `${role}${n}-${process.pid}@example.test`, name: o.name ?? `${role} ${n}`, role, clientId: o.clientId ?? null, password: o.password ?? null },
      new Date(),
    );
    const { token } = await insertApiToken(database.db, row.id, { name: 'test' }, new Date());
    return callerFor(app, token, row.id, contract);
  };
  const admin = await user('admin');
  return {
    app,
    herald,
    db,
    database,
    admin,
    anonymous: callerFor(app, null, '', contract),
    user,
    close: async () => {
      await herald.stop();
      await db.drop();
    },
  };
}
