import { describe, expect, it } from 'vitest';
import { compileMatcher, route, type RoutingRule } from './routing-rules.js';

const API = '00000000-0000-4000-8000-0000000000a1';
const DB = '00000000-0000-4000-8000-0000000000d1';
const defaults = { severity: 'SEV3' as const, action: 'open' as const, componentIds: [DB] };
const rules: RoutingRule[] = [
  { match: { service: 'api', env: 'prod' }, componentIds: [API], severity: 'SEV1', impact: 'major_outage' },
  { matchRegex: { service: 'batch|reports' }, action: 'triage', severity: 'SEV4' },
  { match: { service: 'api' }, severity: 'SEV2' },
];

describe('routing rules', () => {
  it.each([
    ['all matchers of the first rule hold', { service: 'api', env: 'prod' }, { severity: 'SEV1', action: 'open', componentIds: [API], impact: 'major_outage', ruleIndex: 0 }],
    ['a later rule when an earlier one misses a label', { service: 'api', env: 'staging' }, { severity: 'SEV2', action: 'open', componentIds: [DB], impact: 'partial_outage', ruleIndex: 2 }],
    ['a regular expression matched as a whole', { service: 'reports' }, { severity: 'SEV4', action: 'triage', ruleIndex: 1 }],
    ['no partial regular-expression match', { service: 'reports-v2' }, { severity: 'SEV3', action: 'open', componentIds: [DB], ruleIndex: null }],
    ['the defaults when nothing matches', { team: 'x' }, { severity: 'SEV3', action: 'open', componentIds: [DB], impact: 'partial_outage', ruleIndex: null }],
  ])('uses %s', (_name, labels, expected) => {
    expect(route(labels, rules, defaults)).toMatchObject(expected);
  });

  it('treats a missing label as empty, so a matcher for an empty value can match it', () => {
    expect(route({}, [{ match: { env: '' }, severity: 'SEV4' }], defaults).severity).toBe('SEV4');
  });

  it('refuses an expression that does not compile', () => {
    expect(compileMatcher('(')).toBeNull();
    expect(compileMatcher('a|b')?.test('b')).toBe(true);
  });
});
