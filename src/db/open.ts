// One way in to the database: embedded PGlite under a data directory, or PostgreSQL by URL.
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.js';
import { migrate } from './migrate.js';
import { createNotificationListener, type ListenerOptions, type ListenerStatus } from './notification-listener.js';
import { withPlanCache } from './pglite-plan-cache.js';
import { nameStatements } from './pg-statement-names.js';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** Runs `fn` in one transaction (READ COMMITTED; commands lock the rows they change). */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Calls `onMessage` with the payload of every NOTIFY on `channel` (after the sender commits),
   * from this and every other process on the same database. Returns the unsubscribe function.
   * On PostgreSQL every channel shares one connection, made again after any failure: while it is
   * down this resolves at once and the channel is listened to when it is back (see onNotificationsMissed).
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /**
   * Sends NOTIFY `channel` with `payload` soon, outside any transaction: for changes that have
   * committed. On PostgreSQL, announcements made within a few milliseconds go out together, in one
   * statement; on PGlite (one process per data directory) they go straight to this process's listeners.
   */
  notify(channel: string, payload: string): void;
  /**
   * Where failures of the handle's own background work go (a NOTIFY batch that could not be sent, a
   * LISTEN connection that could not be made again): the server logs and counts them. Until one is
   * set they are written to stderr. Returns the function that removes it.
   */
  reportFailuresTo(report: ReportFailure): () => void;
  /**
   * Calls `fn` each time notifications may have been missed: on PostgreSQL, when the listening
   * connection was lost (or could not be made) and listens again. Whatever is kept because a
   * notification would say when it changed (rendered pages, lookups, remembered rows) is stale then.
   * Never on PGlite (its notifications come from inside this process). Returns the function that removes it.
   */
  onNotificationsMissed(fn: () => void): () => void;
  /** How the listening connection is (always up on PGlite): for /readyz and /metrics. */
  listenerStatus(): ListenerStatus;
  /** PGlite only: the underlying instance (tests dump and load it). */
  pglite?: PGlite;
  pool?: pg.Pool;
}

/** Tells of a failed background task by a short name (the server logs it and counts it in /metrics). */
export type ReportFailure = (task: string, err: unknown) => void;

/** The reporters a handle's background work tells its failures to; stderr while there are none. */
function failureReporters() {
  const reporters = new Set<ReportFailure>();
  return {
    report: (task: string, err: unknown) => {
      if (!reporters.size) process.stderr.write(`${task} failed: ${(err as Error)?.message ?? String(err)}\n`);
      for (const r of reporters) r(task, err);
    },
    reportFailuresTo: (report: ReportFailure) => {
      reporters.add(report);
      return () => void reporters.delete(report);
    },
  };
}

/**
 * The handle each transaction opened through Database.transaction belongs to: what a database owns
 * (the incident memory, see services/incidents/incident-memory.ts) is kept per handle, and a verb
 * running in a transaction reaches it through its `tx`.
 */
const handles = new WeakMap<object, Db>();

/** The database handle `tx` belongs to (itself when it is a handle, or a transaction not opened through Database.transaction). */
export const handleOf = (tx: Db): Db => handles.get(tx) ?? tx;

/** Runs `fn` in a transaction of `db`, the transaction known to belong to `db` (see handleOf). */
const transactionOf = <T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> =>
  db.transaction((tx) => {
    handles.set(tx, db);
    return fn(tx);
  });

export type { ListenerStatus } from './notification-listener.js';

export type OpenOptions =
  | { databaseUrl: string; poolMax?: number; migrate?: boolean; listener?: ListenerOptions }
  | { dataDir: string; migrate?: boolean; loadDataDir?: Blob };

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  const database = 'databaseUrl' in opts ? await openPostgres(opts.databaseUrl, opts.poolMax ?? 10, opts.listener) : await openPglite(opts.dataDir, opts.loadDataDir);
  if (opts.migrate !== false) {
    try {
      await database.db.transaction(async (tx) => {
        await migrate({ query: async (text, params) => ((await tx.execute(rawSql(text, params))) as unknown as { rows: never[] }).rows });
      });
    } catch (err) {
      await database.close();
      throw err;
    }
  }
  return database;
}

/** Builds a drizzle SQL object from text with $1-style placeholders. */
export function rawSql(text: string, params: unknown[] = []): SQL {
  if (params.length === 0) return sql.raw(text);
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) chunks.push(sql.raw(parts[i]!));
    else chunks.push(sql`${params[Number(parts[i]) - 1]}`);
  }
  return sql.join(chunks, sql.raw(''));
}

async function openPostgres(url: string, poolMax: number, listenerOptions: ListenerOptions = {}): Promise<Database> {
  const failures = failureReporters();
  // One connection for every channel the process listens to, made again after any failure.
  const listener = createNotificationListener(url, failures.report, listenerOptions);
  const pool = new pg.Pool({ connectionString: url, max: poolMax });
  pool.on('connect', (client) => nameStatements(client));
  // An idle client lost its connection: the pool drops it and makes a new one when asked, so nothing
  // is lost, but a database going away should be seen.
  pool.on('error', (err) => failures.report('database-pool-idle-client', err));
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  // A connection of its own that does not wait for the disk at commit: an announcement is not data.
  let sender: pg.Client | null = null;
  const notifier = batchedNotifier(failures.report, async (text, values) => {
    if (!sender) {
      const c = new pg.Client({ connectionString: url, options: '-c synchronous_commit=off', connectionTimeoutMillis: 5000, keepAlive: true });
      c.on('error', (err) => {
        if (sender === c) sender = null;
        failures.report('database-notify-connection', err);
        // Closing a connection that just broke may fail as well: there is nothing left to release.
        c.end().catch(() => {});
      });
      await c.connect();
      sender = c;
    }
    await sender.query(text, values);
  }, async () => {
    const c = sender;
    sender = null;
    // Closing at shutdown: a connection that is already broken has nothing left to release.
    await c?.end().catch(() => {});
  });
  return {
    kind: 'postgres',
    db,
    pool,
    transaction: (fn) => transactionOf(db, fn),
    ping: async () => {
      await pool.query('SELECT 1');
    },
    listen: (channel, onMessage) => {
      if (!CHANNEL.test(channel)) return Promise.reject(new Error(`bad channel name ${channel}`));
      return listener.listen(channel, onMessage);
    },
    notify: (channel, payload) => notifier.notify(channel, payload),
    reportFailuresTo: failures.reportFailuresTo,
    onNotificationsMissed: (fn) => listener.onNotificationsMissed(fn),
    listenerStatus: () => listener.status(),
    close: async () => {
      await listener.close();
      await notifier.close();
      await pool.end();
    },
  };
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

/** How long announcements are gathered before they go out together (each is one small transaction). */
const NOTIFY_GATHER_MS = 20;
/** Announcements kept while they cannot be sent (the database is away). */
const NOTIFY_PENDING_MAX = 10_000;
const NOTIFY_BATCH = `SELECT pg_notify(n.channel, n.payload) FROM jsonb_to_recordset($1::jsonb) AS n(channel text, payload text)`;

/**
 * Collects announcements and sends them with `send` one batch at a time: what comes while a batch is
 * on its way goes with the next. A batch that fails is dropped (listeners also refresh on their own).
 */
function batchedNotifier(report: ReportFailure, send: (text: string, values: unknown[]) => Promise<void>, stop: () => Promise<void>) {
  let pending: { channel: string; payload: string }[] = [];
  let running: Promise<void> | null = null;
  let isClosed = false;
  const run = async () => {
    while (pending.length && !isClosed) {
      // The database delivers a payload once per transaction: a repeat (a second change to the same
      // incident) waits for the next batch, so that listeners hear of every change.
      const seen = new Set<string>();
      const batch: { channel: string; payload: string }[] = [];
      const later: { channel: string; payload: string }[] = [];
      for (const n of pending) {
        const key = `${n.channel}\u0000${n.payload}`;
        (seen.has(key) ? later : batch).push(n);
        seen.add(key);
      }
      pending = later;
      try {
        await send(NOTIFY_BATCH, [JSON.stringify(batch)]);
      } catch (err) {
        // The listeners miss these (they also refresh on their own); the connection is made again for the next.
        report('database-notify', err);
      }
    }
    running = null;
  };
  return {
    notify(channel: string, payload: string) {
      if (isClosed || !CHANNEL.test(channel)) return;
      // While the database is away announcements cannot go out; the oldest are let go.
      if (pending.length >= NOTIFY_PENDING_MAX) pending.shift();
      pending.push({ channel, payload });
      running ??= new Promise<void>((resolve) => setTimeout(resolve, NOTIFY_GATHER_MS)).then(run);
    },
    async close() {
      await running;
      isClosed = true;
      await stop();
    },
  };
}

/**
 * PGlite runs inside this process, so its buffer pool is this process's memory, touched in full at
 * start: PostgreSQL's default of 128 MB (a server's setting) made an idle Herald ~170 MB larger. The
 * operating system caches the data files behind a smaller pool anyway.
 */
const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

async function openPglite(dataDir: string, loadDataDir?: Blob): Promise<Database> {
  const isMemory = dataDir.startsWith('memory://');
  const unlock = isMemory ? () => {} : lockDataDir(dataDir);
  let client: PGlite;
  try {
    client = await PGlite.create(isMemory ? undefined : dataDir, { ...(loadDataDir && { loadDataDir }), startParams: PGLITE_START_PARAMS });
  } catch (err) {
    unlock();
    throw err;
  }
  // Queries go through the plan cache; pg-boss, listen and dumps use the instance itself.
  const db = drizzlePglite({ client: withPlanCache(client), schema }) as unknown as Db;
  let closed = false;
  const failures = failureReporters();
  // This process is the only one on the data directory (it holds the lock), so its own announcements
  // go straight to its listeners, without a statement each; changes the database's triggers announce
  // (SQL run past the commands) still come through the engine.
  const listeners = new Map<string, Set<(payload: string) => void>>();
  const announce = (channel: string, payload: string) => {
    for (const onMessage of listeners.get(channel) ?? []) {
      try {
        onMessage(payload);
      } catch (err) {
        failures.report('database-listener', err);
      }
    }
  };
  return {
    kind: 'pglite',
    db,
    pglite: client,
    transaction: (fn) => transactionOf(db, fn),
    listen: async (channel, onMessage) => {
      const unlisten = await client.listen(channel, onMessage);
      let own = listeners.get(channel);
      if (!own) listeners.set(channel, (own = new Set()));
      own.add(onMessage);
      return async () => {
        own.delete(onMessage);
        if (!closed) await unlisten();
      };
    },
    notify: (channel, payload) => {
      // After the caller's commit, as a NOTIFY would be heard: not within the caller's own turn.
      if (!closed && CHANNEL.test(channel) && listeners.get(channel)?.size) setImmediate(() => announce(channel, payload));
    },
    reportFailuresTo: failures.reportFailuresTo,
    // In-process: no connection to lose, so nothing is ever missed.
    onNotificationsMissed: () => () => {},
    listenerStatus: () => ({ state: 'up', downSince: null, reconnects: 0 }),
    ping: async () => {
      await client.query('SELECT 1');
    },
    close: async () => {
      if (closed) return;
      closed = true;
      try {
        await client.close();
      } finally {
        unlock();
      }
    },
  };
}
