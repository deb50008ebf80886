// The hooks' admission rules as a table: counts per integration and in all, the byte budget, and the
// per-address failure window.
import { describe, expect, it } from 'vitest';
import { FailureThrottle, InFlightLimit } from './hook-limits.js';

const MB = 1024 * 1024;

describe('InFlightLimit', () => {
  it('refuses an integration over its own count, then the server over its count', () => {
    const limit = new InFlightLimit({ maxInFlight: 3, maxInFlightBytes: 100 * MB, maxInFlightPerIntegration: 2 });
    const a1 = limit.acquire('a', 1);
    expect(a1.ok).toBe(true);
    expect(limit.acquire('a', 1).ok).toBe(true);
    expect(limit.acquire('a', 1)).toEqual({ ok: false, reason: 'integration_busy' });
    expect(limit.acquire('b', 1).ok).toBe(true);
    expect(limit.acquire('c', 1)).toEqual({ ok: false, reason: 'server_busy' });
    if (a1.ok) a1.release();
    if (a1.ok) a1.release(); // twice: counted once
    expect(limit.inFlight).toBe(2);
    expect(limit.acquire('c', 1).ok).toBe(true);
  });

  it('lets many small bodies through but large ones only within the byte budget, and a body over the budget alone', () => {
    const limit = new InFlightLimit({ maxInFlight: 100, maxInFlightBytes: 64 * MB, maxInFlightPerIntegration: 100 });
    const small = Array.from({ length: 50 }, () => limit.acquire('a', 10_000));
    expect(small.every((s) => s.ok)).toBe(true);
    const big = limit.acquire('b', 32 * MB);
    expect(big.ok).toBe(true);
    expect(limit.acquire('c', 32 * MB)).toEqual({ ok: false, reason: 'server_busy' });
    for (const s of [...small, big]) if (s.ok) s.release();
    expect(limit.inFlight).toBe(0);
    const huge = limit.acquire('a', 100 * MB);
    expect(huge.ok).toBe(true);
    expect(limit.acquire('b', 1)).toEqual({ ok: false, reason: 'server_busy' });
  });
});

describe('FailureThrottle', () => {
  it('refuses an address once it has failed the allowed number of times in its minute, until the minute is over', () => {
    const throttle = new FailureThrottle(3);
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfterSeconds('198.51.100.7', t0 + i)).toBe(0);
      throttle.recordFailure('198.51.100.7', t0 + i);
    }
    expect(throttle.retryAfterSeconds('198.51.100.7', t0 + 1000)).toBe(59);
    expect(throttle.retryAfterSeconds('198.51.100.8', t0 + 1000)).toBe(0);
    expect(throttle.retryAfterSeconds('198.51.100.7', t0 + 60_000)).toBe(0);
  });

  it('keeps at most its cap of addresses', () => {
    const throttle = new FailureThrottle(1, 100);
    for (let i = 0; i < 1000; i++) throttle.recordFailure(`10.0.${i >> 8}.${i & 255}`, 5000);
    // The latest addresses are still counted; the earliest were let go to stay within the cap.
    expect(throttle.retryAfterSeconds('10.0.3.231', 5001)).toBeGreaterThan(0);
    expect(throttle.retryAfterSeconds('10.0.0.0', 5001)).toBe(0);
  });
});
