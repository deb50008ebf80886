// The one connection a PostgreSQL database handle LISTENs on: every channel any part of the process
// listens to, on one connection that is made again after any failure, for as long as it takes (with a
// growing, capped and jittered wait between attempts). Notifications sent while it was away are lost
// for good (PostgreSQL keeps none for a listener that is gone), so once it listens again it tells
// `onNotificationsMissed` subscribers: whatever they keep from notifications must be taken as stale.
import pg from 'pg';

/** Tells of a failed background task by a short name (see open.ts). */
type ReportFailure = (task: string, err: unknown) => void;

export interface ListenerStatus {
  /** 'up': every channel is listened to; 'down': the connection is being made (again); 'idle': nothing is listened to. */
  state: 'up' | 'down' | 'idle';
  /** Since when it has been down (null while up or idle, and while the first connection is being made). */
  downSince: Date | null;
  /** Times a lost (or failed) listening connection was made again, since the handle was opened. */
  reconnects: number;
}

export interface ListenerOptions {
  /** First wait after a failure (default 500 ms); each further failure doubles it, up to `retryMaxMs`. */
  retryInitialMs?: number;
  /** Longest wait between attempts (default 5 s), so the listener is back within that long of the database. */
  retryMaxMs?: number;
  /** A connection attempt that takes longer than this fails (default 5 s): a lost network must not hang it. */
  connectTimeoutMs?: number;
  /** How often the connection is asked `SELECT 1` (default 15 s): a connection cut without a word is noticed. */
  heartbeatMs?: number;
  /** A heartbeat unanswered this long counts as a lost connection (default 5 s). */
  heartbeatTimeoutMs?: number;
}

export interface NotificationListener {
  /** Listens to `channel` (waits until it is listened to, or until the attempt to connect failed: it is then listened to once the connection is back). */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  onNotificationsMissed(fn: () => void): () => void;
  status(): ListenerStatus;
  close(): Promise<void>;
}

/** The wait before attempt `failures + 1`: doubling from `initialMs` up to `maxMs`, each a random time between half of that and all of it. */
export function retryWaitMs(failures: number, initialMs: number, maxMs: number, random = Math.random): number {
  const nominal = Math.min(maxMs, initialMs * 2 ** failures);
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}

export function createNotificationListener(url: string, report: ReportFailure, opts: ListenerOptions = {}): NotificationListener {
  const retryInitialMs = opts.retryInitialMs ?? 500;
  const retryMaxMs = opts.retryMaxMs ?? 5_000;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const heartbeatTimeoutMs = opts.heartbeatTimeoutMs ?? 5_000;
  const subscribers = new Map<string, Set<(payload: string) => void>>();
  const missedListeners = new Set<() => void>();
  let client: pg.Client | null = null;
  /** The channels LISTENed on `client`. */
  let listened = new Set<string>();
  let connecting: Promise<void> | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let heartbeatTimer: NodeJS.Timeout | null = null;
  let failures = 0;
  /** A connection was lost or could not be made: notifications may have been missed since. */
  let hasMissed = false;
  let downSince: Date | null = null;
  let reconnects = 0;
  let isClosed = false;

  const dispatch = (n: pg.Notification) => {
    for (const onMessage of subscribers.get(n.channel) ?? []) {
      try {
        onMessage(n.payload ?? '');
      } catch (err) {
        report('database-listener', err);
      }
    }
  };

  const stopHeartbeat = () => {
    if (heartbeatTimer) clearInterval(heartbeatTimer);
    heartbeatTimer = null;
  };

  const scheduleAttempt = () => {
    if (isClosed || retryTimer || !subscribers.size) return;
    const waitMs = retryWaitMs(failures++, retryInitialMs, retryMaxMs);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void sync();
    }, waitMs);
  };

  const markDown = (err: unknown) => {
    report('database-listen', err);
    hasMissed = true;
    downSince ??= new Date();
    scheduleAttempt();
  };

  /** The connection `c` broke (an error, a heartbeat unanswered): let it go and make another. */
  const lose = (c: pg.Client, err: unknown) => {
    if (client !== c) return;
    client = null;
    listened = new Set();
    stopHeartbeat();
    // The connection just broke: ending it may fail too, and there is nothing left to release.
    c.end().catch(() => {});
    markDown(err);
  };

  const heartbeat = (c: pg.Client) => {
    let timer: NodeJS.Timeout | undefined;
    const unanswered = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the listening connection did not answer within ${heartbeatTimeoutMs} ms`)), heartbeatTimeoutMs);
    });
    Promise.race([c.query('SELECT 1'), unanswered])
      .catch((err: unknown) => lose(c, err))
      .finally(() => clearTimeout(timer));
  };

  const connect = async () => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000, keepAlive: true });
    // Until it is `client`, a failure is the attempt's own (caught below); afterwards it loses the connection.
    c.on('error', (err) => lose(c, err));
    c.on('notification', dispatch);
    const channels = [...subscribers.keys()];
    try {
      await c.connect();
      if (channels.length) await c.query(channels.map((channel) => `LISTEN ${channel}`).join('; '));
    } catch (err) {
      // An attempt that failed has nothing worth releasing.
      c.end().catch(() => {});
      throw err;
    }
    // Closed, or nothing is listened to any more, while it connected: not needed.
    if (isClosed || !subscribers.size) {
      await c.end().catch(() => {});
      return;
    }
    client = c;
    listened = new Set(channels);
    failures = 0;
    heartbeatTimer = setInterval(() => heartbeat(c), heartbeatMs);
    heartbeatTimer.unref();
  };

  /** Brings the connection up (or waits for the attempt under way) and LISTENs every subscribed channel on it. */
  const sync = async (): Promise<void> => {
    for (;;) {
      if (isClosed || !subscribers.size) return;
      if (connecting) {
        await connecting;
        continue;
      }
      if (!client) {
        // Down and waiting for the next attempt: that attempt listens to every channel subscribed by then.
        if (retryTimer) return;
        connecting = connect()
          .catch(markDown)
          .finally(() => (connecting = null));
        continue;
      }
      const c = client;
      const missing = [...subscribers.keys()].filter((channel) => !listened.has(channel));
      if (!missing.length) break;
      for (const channel of missing) listened.add(channel);
      try {
        await c.query(missing.map((channel) => `LISTEN ${channel}`).join('; '));
      } catch (err) {
        lose(c, err);
        return;
      }
    }
    if (hasMissed && client) {
      hasMissed = false;
      downSince = null;
      reconnects++;
      for (const fn of missedListeners) {
        try {
          fn();
        } catch (err) {
          report('database-listener', err);
        }
      }
    }
  };

  const unlisten = async (channel: string, onMessage: (payload: string) => void) => {
    const set = subscribers.get(channel);
    if (!set?.delete(onMessage) || set.size) return;
    subscribers.delete(channel);
    const c = client;
    if (!c) return;
    if (!subscribers.size) {
      // Nothing is listened to any more: the connection goes until something is.
      client = null;
      listened = new Set();
      stopHeartbeat();
      await c.end().catch(() => {});
      return;
    }
    listened.delete(channel);
    await c.query(`UNLISTEN ${channel}`).catch((err: unknown) => lose(c, err));
  };

  return {
    async listen(channel, onMessage) {
      let set = subscribers.get(channel);
      if (!set) subscribers.set(channel, (set = new Set()));
      set.add(onMessage);
      await sync();
      return () => unlisten(channel, onMessage);
    },
    onNotificationsMissed(fn) {
      missedListeners.add(fn);
      return () => void missedListeners.delete(fn);
    },
    status() {
      if (isClosed || !subscribers.size) return { state: 'idle', downSince: null, reconnects };
      return { state: client && !hasMissed ? 'up' : 'down', downSince, reconnects };
    },
    async close() {
      isClosed = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      stopHeartbeat();
      await connecting;
      const c = client;
      client = null;
      // At shutdown: a connection that is already broken has nothing left to release.
      await c?.end().catch(() => {});
    },
  };
}
