// Calls service verbs directly, as routes, jobs and the CLI do. The one place tests build a Ctx (who
// acts, in which transaction, at what time, with which settings): when the way a verb gets its
// transaction changes, this file changes, not the tests. Every test runs in a transaction that is
// rolled back, so the tests of a file share one database and see none of each other's rows.
import { afterAll, beforeAll } from 'vitest';
import type { Database, Db } from '../../src/db/open.js';
import type { Actor } from '../../src/domain/types.js';
import type { Ctx, ServiceSettings } from '../../src/services/context.js';
import { openTestDatabase, type BackendKind, type TestDatabase } from './test-database.js';

export const TEST_SETTINGS: ServiceSettings = {
  baseUrl: 'http://herald.test',
  pastOccurrenceMonths: 12,
  companyName: 'Herald Test',
  // No SMTP and no job queue: messages go to the local outbox, nothing is delivered in the background.
  emailChannel: 'outbox',
  messageIdDomain: 'herald.test',
};

/** Where a test's verbs run: the file's database and the test's transaction on it. */
export interface ServiceScope {
  database: Database;
  tx: Db;
  /** A context for `actor` at `now`, in this transaction (see serviceCtx). */
  ctx(actor: Actor, now: Date): Ctx;
}

/**
 * A context for `actor` at `now`, writing through `scope.tx`. That is a transaction already, so a
 * command locks the incident and writes in it: the path a route takes for a request with an
 * Idempotency-Key.
 */
export function serviceCtx(scope: Pick<ServiceScope, 'database' | 'tx'>, actor: Actor, now: Date, settings: ServiceSettings = TEST_SETTINGS): Ctx {
  return { actor, tx: scope.tx, now, settings, jobs: null };
}

const scopeOf = (database: Database, tx: Db): ServiceScope => ({ database, tx, ctx: (actor, now) => serviceCtx({ database, tx }, actor, now) });

class RolledBack extends Error {}

/** Runs `fn` in a transaction and rolls it back, whatever `fn` did; returns what `fn` returned. */
export async function inRolledBackTransaction<T>(database: Database, fn: (scope: ServiceScope) => Promise<T>): Promise<T> {
  let result: { value: T } | null = null;
  try {
    await database.transaction(async (tx) => {
      result = { value: await fn(scopeOf(database, tx)) };
      throw new RolledBack('rolled back on purpose');
    });
  } catch (err) {
    if (!(err instanceof RolledBack)) throw err;
  }
  return result!.value;
}

export interface ServiceDatabase {
  /** The file's database (set once `beforeAll` has run). */
  readonly database: Database;
  /** Runs a test body in a transaction that is rolled back afterwards. */
  rolledBack<T>(fn: (scope: ServiceScope) => Promise<T>): Promise<T>;
}

/**
 * A test database of `kind` for the tests of the enclosing describe: opened before them (then `seed`
 * runs and commits, for data every test needs) and dropped after them.
 */
export function useServiceDatabase(kind: BackendKind, seed?: (scope: ServiceScope) => Promise<void>): ServiceDatabase {
  let opened: TestDatabase | null = null;
  beforeAll(async () => {
    const { database } = (opened = await openTestDatabase(kind));
    if (seed) await database.transaction((tx) => seed(scopeOf(database, tx)));
  });
  afterAll(async () => {
    await opened?.drop();
  });
  const database = () => {
    if (!opened) throw new Error('The test database is opened in beforeAll: use it inside a test.');
    return opened.database;
  };
  return {
    get database() {
      return database();
    },
    rolledBack: (fn) => inRolledBackTransaction(database(), fn),
  };
}
