import { describe, expect, it } from 'vitest';
import { EMPTY_DISCLOSURES, type Disclosures, type MessageKind } from '../types.js';
import { missingDisclosures, type DisclosureField } from './message-requirements.js';

const NOW = '2025-03-06T10:00:00.000Z';
const LATER = '2025-03-06T10:30:00.000Z';
const EARLIER = '2025-03-06T09:30:00.000Z';

/** Disclosures that state everything a message of any kind needs. */
const buildDisclosures = (o: Partial<Disclosures> = {}): Disclosures => ({
  impactSummary: 'The API answers 503 for every request.',
  dataLoss: { level: 'none', details: null },
  dataExposure: { level: 'none', details: null, isPersonalData: false },
  expectedResolutionAt: null,
  nextUpdateAt: LATER,
  remediation: 'Roll back the load-balancer change; stage future changes.',
  ...o,
});

interface Case {
  name: string;
  kind: MessageKind;
  disclosures: Disclosures;
  hasUpdateCadence?: boolean;
  body?: string | null;
  missing: DisclosureField[];
}

const cases: Case[] = [
  { name: 'lets a complete initial notice go out', kind: 'initial', disclosures: buildDisclosures(), missing: [] },
  { name: 'lets a complete update go out', kind: 'update', disclosures: buildDisclosures(), missing: [] },
  { name: 'lets a complete resolution notice go out', kind: 'resolution', disclosures: buildDisclosures(), missing: [] },
  { name: 'lets a complete RCA go out', kind: 'rca', disclosures: buildDisclosures(), body: '# What happened', missing: [] },
  {
    name: 'names every missing statement of an empty initial notice, in order',
    kind: 'initial',
    disclosures: EMPTY_DISCLOSURES,
    missing: ['impactSummary', 'dataLoss', 'dataExposure', 'nextUpdateAt'],
  },
  {
    name: 'names every missing statement of an empty RCA, in order',
    kind: 'rca',
    disclosures: EMPTY_DISCLOSURES,
    body: null,
    missing: ['impactSummary', 'dataLoss', 'dataExposure', 'remediation', 'body'],
  },
  { name: 'names the impact when it is absent', kind: 'update', disclosures: buildDisclosures({ impactSummary: null }), missing: ['impactSummary'] },
  { name: 'names the impact when it is only whitespace', kind: 'resolution', disclosures: buildDisclosures({ impactSummary: '  \n' }), missing: ['impactSummary'] },
  { name: 'names data loss when it is not stated', kind: 'initial', disclosures: buildDisclosures({ dataLoss: null }), missing: ['dataLoss'] },
  { name: 'names data exposure when it is not stated', kind: 'resolution', disclosures: buildDisclosures({ dataExposure: null }), missing: ['dataExposure'] },
  { name: 'names the remediation a resolution notice lacks', kind: 'resolution', disclosures: buildDisclosures({ remediation: null }), missing: ['remediation'] },
  {
    name: "accepts 'none' as a statement about data loss and exposure",
    kind: 'resolution',
    disclosures: buildDisclosures({ dataLoss: { level: 'none', details: null }, dataExposure: { level: 'suspected', details: null, isPersonalData: true } }),
    missing: [],
  },
  { name: 'names the next update time of an initial notice when none is promised', kind: 'initial', disclosures: buildDisclosures({ nextUpdateAt: null }), missing: ['nextUpdateAt'] },
  { name: 'names the next update time of an update when it is in the past', kind: 'update', disclosures: buildDisclosures({ nextUpdateAt: EARLIER }), missing: ['nextUpdateAt'] },
  { name: 'names the next update time when it is now, not in the future', kind: 'update', disclosures: buildDisclosures({ nextUpdateAt: NOW }), missing: ['nextUpdateAt'] },
  {
    name: 'does not let an expected resolution stand in for the next update where updates are on a cadence',
    kind: 'initial',
    disclosures: buildDisclosures({ nextUpdateAt: null, expectedResolutionAt: LATER }),
    missing: ['nextUpdateAt'],
  },
  {
    name: 'compares the next update time by instant, whatever its offset',
    kind: 'update',
    // 11:00+02:00 is 09:00Z: before now, although the string sorts after it.
    disclosures: buildDisclosures({ nextUpdateAt: '2025-03-06T11:00:00+02:00' }),
    missing: ['nextUpdateAt'],
  },
  {
    name: 'names the expected resolution when there is no cadence and no timeline at all',
    kind: 'initial',
    disclosures: buildDisclosures({ nextUpdateAt: null, expectedResolutionAt: null }),
    hasUpdateCadence: false,
    missing: ['expectedResolutionAt'],
  },
  {
    name: 'names the expected resolution when there is no cadence and both times are past',
    kind: 'update',
    disclosures: buildDisclosures({ nextUpdateAt: EARLIER, expectedResolutionAt: EARLIER }),
    hasUpdateCadence: false,
    missing: ['expectedResolutionAt'],
  },
  {
    name: 'accepts an expected resolution time as the timeline when there is no cadence',
    kind: 'initial',
    disclosures: buildDisclosures({ nextUpdateAt: null, expectedResolutionAt: LATER }),
    hasUpdateCadence: false,
    missing: [],
  },
  {
    name: 'accepts a promised next update as the timeline when there is no cadence',
    kind: 'initial',
    disclosures: buildDisclosures({ nextUpdateAt: LATER, expectedResolutionAt: null }),
    hasUpdateCadence: false,
    missing: [],
  },
  {
    name: 'asks no timeline of a resolution notice or an RCA',
    kind: 'resolution',
    disclosures: buildDisclosures({ nextUpdateAt: null, expectedResolutionAt: null }),
    missing: [],
  },
  {
    name: 'asks remediation and a body only of an RCA',
    kind: 'update',
    disclosures: buildDisclosures({ remediation: null }),
    body: null,
    missing: [],
  },
  { name: 'names the remediation of an RCA when it is absent', kind: 'rca', disclosures: buildDisclosures({ remediation: null }), body: 'RCA', missing: ['remediation'] },
  { name: 'names the remediation of an RCA when it is only whitespace', kind: 'rca', disclosures: buildDisclosures({ remediation: ' ' }), body: 'RCA', missing: ['remediation'] },
  { name: 'names the body of an RCA when it is absent', kind: 'rca', disclosures: buildDisclosures(), body: null, missing: ['body'] },
  { name: 'names the body of an RCA when it is only whitespace', kind: 'rca', disclosures: buildDisclosures(), body: '\t ', missing: ['body'] },
];

describe('missingDisclosures', () => {
  it.each(cases)('$name', ({ kind, disclosures, hasUpdateCadence = true, body = null, missing }) => {
    expect(missingDisclosures(kind, disclosures, { now: NOW, severity: 'SEV2', hasUpdateCadence, body })).toEqual(missing);
  });
});
