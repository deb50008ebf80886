// What keeps the monitoring hooks from exhausting the process: a bound on the bodies being read and
// handled at once (a count per integration, a count and a byte budget in all), and a count of failed authentications per address
// that refuses an address at once, before any database look-up, once it has failed too often.
// Both are per process and in memory: they protect this process's memory and time, which is what a
// flood threatens; several instances each keep their own.

export interface HookLimitSettings {
  /** Hook bodies read and handled at once, all integrations together. */
  maxInFlight: number;
  /**
   * Bytes of hook bodies in flight, all integrations together: each call reserves its Content-Length
   * (the body limit when it sends none) until it is answered. Small alerts pass many at a time; the
   * largest bodies one or two at a time.
   */
  maxInFlightBytes: number;
  /** Hook bodies read and handled at once for one integration. */
  maxInFlightPerIntegration: number;
  /** Failed authentications (401) an address may have per minute before it is refused at once. */
  failuresPerMinute: number;
}

// Alertmanager and Grafana post each alert group on its own, so a storm is many small calls at once:
// the counts leave room for that, and the byte budget (two 32 MB bodies) is what bounds memory.
export const DEFAULT_HOOK_LIMITS: HookLimitSettings = { maxInFlight: 64, maxInFlightBytes: 64 * 1024 * 1024, maxInFlightPerIntegration: 16, failuresPerMinute: 20 };

export type Admission = { ok: true; release: () => void } | { ok: false; reason: 'integration_busy' | 'server_busy' };

/** Counts the bodies in flight; a slot is taken once the caller is known and given back when the answer is done. */
export class InFlightLimit {
  private total = 0;
  private bytes = 0;
  private readonly perKey = new Map<string, number>();

  constructor(private readonly limits: Pick<HookLimitSettings, 'maxInFlight' | 'maxInFlightBytes' | 'maxInFlightPerIntegration'>) {}

  /** A slot for one body of at most `bodyBytes` for `key`; a body larger than the whole budget passes only alone. */
  acquire(key: string, bodyBytes: number): Admission {
    const mine = this.perKey.get(key) ?? 0;
    if (mine >= this.limits.maxInFlightPerIntegration) return { ok: false, reason: 'integration_busy' };
    if (this.total >= this.limits.maxInFlight || (this.total > 0 && this.bytes + bodyBytes > this.limits.maxInFlightBytes)) return { ok: false, reason: 'server_busy' };
    this.total++;
    this.bytes += bodyBytes;
    this.perKey.set(key, mine + 1);
    let isReleased = false;
    return {
      ok: true,
      release: () => {
        if (isReleased) return;
        isReleased = true;
        this.total--;
        this.bytes -= bodyBytes;
        const left = (this.perKey.get(key) ?? 1) - 1;
        if (left > 0) this.perKey.set(key, left);
        else this.perKey.delete(key);
      },
    };
  }

  get inFlight(): number {
    return this.total;
  }
}

const WINDOW_MS = 60_000;

/**
 * Failed authentications per address in fixed one-minute windows. The map is capped, so a caller
 * with many addresses cannot grow it without bound: when full, finished windows are dropped, then the
 * oldest entries.
 */
export class FailureThrottle {
  private readonly windows = new Map<string, { startMs: number; failures: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly maxAddresses = 10_000,
  ) {}

  /** Seconds until the address may try again, or 0 when it may now. */
  retryAfterSeconds(address: string, nowMs: number): number {
    const w = this.windows.get(address);
    if (!w || nowMs - w.startMs >= WINDOW_MS || w.failures < this.perMinute) return 0;
    return Math.max(1, Math.ceil((w.startMs + WINDOW_MS - nowMs) / 1000));
  }

  recordFailure(address: string, nowMs: number): void {
    const w = this.windows.get(address);
    if (w && nowMs - w.startMs < WINDOW_MS) {
      w.failures++;
      return;
    }
    this.windows.delete(address);
    if (this.windows.size >= this.maxAddresses) this.prune(nowMs);
    this.windows.set(address, { startMs: nowMs, failures: 1 });
  }

  private prune(nowMs: number) {
    for (const [address, w] of this.windows) if (nowMs - w.startMs >= WINDOW_MS) this.windows.delete(address);
    // Still full: the entries inserted first go (a Map keeps insertion order).
    for (const address of this.windows.keys()) {
      if (this.windows.size < this.maxAddresses) break;
      this.windows.delete(address);
    }
  }
}
