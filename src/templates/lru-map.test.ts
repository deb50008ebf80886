import { describe, expect, it } from 'vitest';
import { LruMap } from './lru-map.js';

describe('LruMap', () => {
  it('never holds more than its capacity, dropping the entry used longest ago', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1).set('b', 2);
    expect(m.get('a')).toBe(1); // 'b' is now the least recently used
    m.set('c', 3);
    expect(m.size).toBe(2);
    expect(m.has('b')).toBe(false);
    expect([m.get('a'), m.get('c')]).toEqual([1, 3]);
  });

  it('counts setting an existing key as a use and keeps one entry for it', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1).set('b', 2).set('a', 10).set('c', 3);
    expect(m.size).toBe(2);
    expect(m.get('a')).toBe(10);
    expect(m.has('b')).toBe(false);
  });

  it('makes a missing value once and keeps nothing when making it throws', () => {
    const m = new LruMap<string, string>(3);
    let made = 0;
    const make = (k: string) => {
      made++;
      return k.toUpperCase();
    };
    expect(m.getOrSet('x', make)).toBe('X');
    expect(m.getOrSet('x', make)).toBe('X');
    expect(made).toBe(1);
    expect(() =>
      m.getOrSet('bad', () => {
        throw new Error('no');
      }),
    ).toThrow('no');
    expect(m.has('bad')).toBe(false);
  });

  it('keeps falsy values as values, not as misses', () => {
    const m = new LruMap<string, number | null>(2);
    let made = 0;
    m.set('zero', 0);
    expect(m.getOrSet('zero', () => (made++, 5))).toBe(0);
    expect(m.getOrSet('nothing', () => (made++, null))).toBeNull();
    expect(m.getOrSet('nothing', () => (made++, 7))).toBeNull();
    expect(made).toBe(1);
  });

  it('refuses a capacity below one', () => {
    expect(() => new LruMap(0)).toThrow(RangeError);
  });
});
