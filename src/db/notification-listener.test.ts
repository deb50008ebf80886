import { describe, expect, it } from 'vitest';
import { retryWaitMs } from './notification-listener.js';

describe('the listening connection’s wait between attempts', () => {
  it('doubles from the first wait and never exceeds the cap', () => {
    const highest = (failures: number) => retryWaitMs(failures, 500, 5_000, () => 1);
    expect([0, 1, 2, 3, 4, 5, 50].map(highest)).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
  });

  it('is a random time between half of the nominal wait and all of it, so processes do not retry in step', () => {
    expect(retryWaitMs(0, 500, 5_000, () => 0)).toBe(250);
    expect(retryWaitMs(10, 500, 5_000, () => 0)).toBe(2_500);
    expect(retryWaitMs(10, 500, 5_000, () => 0.5)).toBe(3_750);
  });
});
