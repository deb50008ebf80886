import { describe, expect, it } from 'vitest';
import type { MessageKind, Severity, SlaPolicy } from '../types.js';
import { DEFAULT_SLA_POLICIES, DEFAULT_TIER, addBusinessDays, addMinutes, deadlineFor, findPolicy } from './sla-clock.js';

// 6 March 2025 is a Thursday; 8 and 9 March are the weekend.
const policy = (o: Partial<SlaPolicy> = {}): SlaPolicy => ({
  tier: '*',
  severity: 'SEV2',
  initialNoticeMinutes: 30,
  updateEveryMinutes: 60,
  resolutionNoticeMinutes: 120,
  rcaBusinessDays: 5,
  ...o,
});

describe('the published default SLA policies', () => {
  it.each([
    { severity: 'SEV1', initialNoticeMinutes: 15, updateEveryMinutes: 30, resolutionNoticeMinutes: 60, rcaBusinessDays: 5 },
    { severity: 'SEV2', initialNoticeMinutes: 30, updateEveryMinutes: 60, resolutionNoticeMinutes: 120, rcaBusinessDays: 5 },
    { severity: 'SEV3', initialNoticeMinutes: 60, updateEveryMinutes: 120, resolutionNoticeMinutes: 240, rcaBusinessDays: 10 },
    { severity: 'SEV4', initialNoticeMinutes: 240, updateEveryMinutes: null, resolutionNoticeMinutes: 480, rcaBusinessDays: null },
  ] as const)('owe $severity an initial notice in $initialNoticeMinutes min, updates every $updateEveryMinutes min, an RCA in $rcaBusinessDays business days', (expected) => {
    expect(DEFAULT_SLA_POLICIES.find((p) => p.severity === expected.severity)).toEqual(expected);
  });

  it('cover every severity exactly once', () => {
    expect(DEFAULT_SLA_POLICIES.map((p) => p.severity)).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
  });
});

describe('addMinutes', () => {
  it('adds minutes across midnight and normalises to UTC ISO', () => {
    expect(addMinutes('2025-03-06T23:50:00.000Z', 15)).toBe('2025-03-07T00:05:00.000Z');
    expect(addMinutes('2025-03-06T10:00:00+01:00', 30)).toBe('2025-03-06T09:30:00.000Z');
  });
});

describe('addBusinessDays', () => {
  it.each([
    { name: 'Monday + 1 is Tuesday', from: '2025-03-03T10:00:00.000Z', days: 1, expected: '2025-03-04T10:00:00.000Z' },
    { name: 'Thursday + 1 is Friday', from: '2025-03-06T10:00:00.000Z', days: 1, expected: '2025-03-07T10:00:00.000Z' },
    { name: 'Friday + 1 skips the weekend to Monday', from: '2025-03-07T10:00:00.000Z', days: 1, expected: '2025-03-10T10:00:00.000Z' },
    { name: 'Thursday + 2 skips the weekend to Monday', from: '2025-03-06T10:00:00.000Z', days: 2, expected: '2025-03-10T10:00:00.000Z' },
    { name: 'Saturday + 1 is Monday', from: '2025-03-08T10:00:00.000Z', days: 1, expected: '2025-03-10T10:00:00.000Z' },
    { name: 'Sunday + 1 is Monday', from: '2025-03-09T23:30:00.000Z', days: 1, expected: '2025-03-10T23:30:00.000Z' },
    { name: 'Thursday + 5 is the next Thursday', from: '2025-03-06T10:00:00.000Z', days: 5, expected: '2025-03-13T10:00:00.000Z' },
    { name: 'Saturday + 5 is the next Friday', from: '2025-03-08T10:00:00.000Z', days: 5, expected: '2025-03-14T10:00:00.000Z' },
    { name: 'Thursday + 10 crosses two weekends', from: '2025-03-06T10:00:00.000Z', days: 10, expected: '2025-03-20T10:00:00.000Z' },
    { name: 'crosses a month end', from: '2025-02-27T10:00:00.000Z', days: 3, expected: '2025-03-04T10:00:00.000Z' },
    { name: 'zero days leaves the time as it is', from: '2025-03-06T10:00:00.000Z', days: 0, expected: '2025-03-06T10:00:00.000Z' },
  ])('$name', ({ from, days, expected }) => {
    expect(addBusinessDays(from, days)).toBe(expected);
  });
});

describe('findPolicy', () => {
  const starSev1 = policy({ tier: DEFAULT_TIER, severity: 'SEV1', initialNoticeMinutes: 20 });
  const goldSev1 = policy({ tier: 'gold', severity: 'SEV1', initialNoticeMinutes: 5 });
  const goldSev2 = policy({ tier: 'gold', severity: 'SEV2', initialNoticeMinutes: 10 });
  const policies = [starSev1, goldSev1, goldSev2];

  it('uses the policy of the client tier when it has one', () => {
    expect(findPolicy(policies, 'gold', 'SEV1')).toBe(goldSev1);
  });

  it("falls back to the '*' tier when the client tier has no policy for the severity", () => {
    expect(findPolicy(policies, 'silver', 'SEV1')).toBe(starSev1);
  });

  it('does not take a policy of another severity for the tier', () => {
    expect(findPolicy([goldSev2, starSev1], 'gold', 'SEV1')).toBe(starSev1);
  });

  it("falls back to the built-in default, as tier '*', when neither tier nor '*' has a policy", () => {
    expect(findPolicy(policies, 'silver', 'SEV3')).toEqual({
      tier: '*',
      severity: 'SEV3',
      initialNoticeMinutes: 60,
      updateEveryMinutes: 120,
      resolutionNoticeMinutes: 240,
      rcaBusinessDays: 10,
    });
    expect(findPolicy([], 'gold', 'SEV4')).toMatchObject({ tier: '*', severity: 'SEV4', initialNoticeMinutes: 240, updateEveryMinutes: null });
  });
});

describe('deadlineFor', () => {
  const from = '2025-03-06T10:00:00.000Z';
  const sev1 = { ...DEFAULT_SLA_POLICIES[0]!, tier: '*' } as SlaPolicy;
  const sev4 = { ...DEFAULT_SLA_POLICIES[3]!, tier: '*' } as SlaPolicy;
  it.each<{ kind: MessageKind; severity: Severity; p: SlaPolicy; expected: string | null }>([
    { kind: 'initial', severity: 'SEV1', p: sev1, expected: '2025-03-06T10:15:00.000Z' },
    { kind: 'update', severity: 'SEV1', p: sev1, expected: '2025-03-06T10:30:00.000Z' },
    { kind: 'resolution', severity: 'SEV1', p: sev1, expected: '2025-03-06T11:00:00.000Z' },
    { kind: 'rca', severity: 'SEV1', p: sev1, expected: '2025-03-13T10:00:00.000Z' },
    { kind: 'initial', severity: 'SEV4', p: sev4, expected: '2025-03-06T14:00:00.000Z' },
    { kind: 'update', severity: 'SEV4', p: sev4, expected: null },
    { kind: 'resolution', severity: 'SEV4', p: sev4, expected: '2025-03-06T18:00:00.000Z' },
    { kind: 'rca', severity: 'SEV4', p: sev4, expected: null },
  ])('puts the $kind deadline of a $severity incident at $expected', ({ kind, p, expected }) => {
    expect(deadlineFor(kind, p, from)).toBe(expected);
  });

  it('counts the RCA deadline in business days, over the weekend', () => {
    expect(deadlineFor('rca', policy({ rcaBusinessDays: 2 }), '2025-03-07T16:00:00.000Z')).toBe('2025-03-11T16:00:00.000Z');
  });
});
