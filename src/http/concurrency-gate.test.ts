import { describe, expect, it } from 'vitest';
import { ConcurrencyGate } from './concurrency-gate.js';

const later = () => {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { done, release };
};

describe('concurrency gate', () => {
  it('runs at most `concurrency` calls at once, queues `waiting` more in order, and refuses the rest without running them', async () => {
    const gate = new ConcurrencyGate(2, 2);
    let inFlight = 0;
    let most = 0;
    const order: number[] = [];
    const holds = Array.from({ length: 4 }, later);
    const calls = holds.map((h, i) =>
      gate.run(async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        order.push(i);
        await h.done;
        inFlight--;
        return i;
      }),
    );
    expect(calls.every((c) => c !== null)).toBe(true);
    let ranFifth = false;
    expect(gate.run(async () => (ranFifth = true))).toBeNull();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([0, 1]);
    holds[0]!.release();
    holds[1]!.release();
    holds[2]!.release();
    holds[3]!.release();
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3]);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(most).toBe(2);
    expect(ranFifth).toBe(false);
  });

  it('frees the place of a call that fails', async () => {
    const gate = new ConcurrencyGate(1, 0);
    await expect(gate.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
  });
});
