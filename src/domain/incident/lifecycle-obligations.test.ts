// What clients are owed and when: SLA deadlines, waivers, reopening, severity changes, promised updates.
import { beforeEach, describe, expect, it } from 'vitest';
import type { MessageKind, SlaPolicy } from '../types.js';
import { decide, type IncidentState } from './lifecycle.js';
import { accepted, ACME, at, brief, buildIncident, CL, classifyAffected, close, context, DAY, disclose, fullDisclosures, given, GLOBEX, IM, moveTo, play, REMEDIATION, reopen, resetIds, send, types, waive } from './lifecycle-fixtures.js';

beforeEach(resetIds);

// ---------------------------------------------------------------------------------------------
// SLA deadlines per severity and tier

describe('obligation deadlines from the default SLA policies', () => {
  it.each([
    { severity: 'SEV1', initial: at(15), update: at(40), resolution: at(120), rca: '2025-03-13T10:00:00.000Z' },
    { severity: 'SEV2', initial: at(30), update: at(70), resolution: at(180), rca: '2025-03-13T10:00:00.000Z' },
    { severity: 'SEV3', initial: at(60), update: at(130), resolution: at(300), rca: '2025-03-20T10:00:00.000Z' },
    { severity: 'SEV4', initial: at(240), update: null, resolution: at(540), rca: null },
  ] as const)('$severity: initial $initial, update $update, resolution $resolution, RCA $rca', (expected) => {
    const dueOf = (s: IncidentState, kind: MessageKind) => s.obligations.find((o) => o.kind === kind)?.dueAt ?? null;
    // Classified at T0, initial notice at T0+10, resolved at T0+60, resolution notice at T0+70.
    const classified = play(buildIncident(), [{ at: 0, command: classifyAffected({ severity: expected.severity }) }]);
    expect(dueOf(classified, 'initial')).toBe(expected.initial);
    const notified = play(classified, [
      { at: 5, command: disclose({ ...fullDisclosures(), remediation: REMEDIATION }) },
      { at: 10, by: CL, command: send('initial') },
    ]);
    expect(dueOf(notified, 'update')).toBe(expected.update);
    const resolved = play(notified, [{ at: 60, command: moveTo('resolved') }]);
    expect(dueOf(resolved, 'resolution')).toBe(expected.resolution);
    const resolutionSent = play(resolved, [{ at: 70, by: CL, command: send('resolution') }]);
    expect(dueOf(resolutionSent, 'rca')).toBe(expected.rca);
    expect(decide(resolutionSent, close(), context(80)).ok).toBe(expected.rca === null);
  });

  it("holds each client to its tier's policy over the '*' policy, and the built-in default where neither exists", () => {
    const policies: SlaPolicy[] = [
      { tier: '*', severity: 'SEV2', initialNoticeMinutes: 45, updateEveryMinutes: 90, resolutionNoticeMinutes: 180, rcaBusinessDays: 5 },
      { tier: 'gold', severity: 'SEV2', initialNoticeMinutes: 10, updateEveryMinutes: 20, resolutionNoticeMinutes: 30, rcaBusinessDays: 2 },
    ];
    const sev2 = accepted(decide(given.reported(), classifyAffected({ severity: 'SEV2', derived: [ACME, GLOBEX] }), context(0, IM, policies)));
    expect(brief(sev2.state.obligations)).toEqual([
      { id: 'ob-1', kind: 'initial', clientId: 'acme', status: 'open', dueAt: at(45) },
      { id: 'ob-2', kind: 'initial', clientId: 'globex', status: 'open', dueAt: at(10) },
    ]);
    const notified = play(sev2.state, [{ at: 5, command: disclose() }, { at: 8, by: CL, command: send('initial') }], policies);
    expect(brief(notified.obligations).map((o) => [o.clientId, o.kind, o.dueAt])).toEqual([
      ['acme', 'update', at(98)],
      ['globex', 'update', at(28)],
    ]);
    const sev1 = accepted(decide(given.reported(), classifyAffected({ severity: 'SEV1', derived: [GLOBEX] }), context(0, IM, policies)));
    expect(sev1.state.obligations[0]?.dueAt).toBe(at(15));
  });
});

// ---------------------------------------------------------------------------------------------
// Waivers

describe('waivers by the Incident Manager', () => {
  it('closes the obligation as waived with who and why, and opens the next update from the waiver', () => {
    const out = accepted(decide(given.initialSent(), waive('ob-2', 'Client asked to hear by phone'), context(35)));
    expect(out.obligationChanges).toEqual([
      expect.objectContaining({ id: 'ob-2', kind: 'update', status: 'waived', closedAt: at(35), waiver: { by: IM.userId, reason: 'Client asked to hear by phone' } }),
      expect.objectContaining({ id: 'ob-3', kind: 'update', status: 'open', dueAt: at(65) }),
    ]);
    expect(out.events[0]).toEqual({
      type: 'obligation.waived',
      data: { obligationId: 'ob-2', kind: 'update', clientId: 'acme', dueAt: at(40), reason: 'Client asked to hear by phone' },
    });
    expect(out.state.obligations.map((o) => o.id)).toEqual(['ob-3']);
    expect(out.state.clients[0]?.met.update).toBe(at(35));
  });

  it('treats a waived initial notice as given: updates may follow and are owed on the cadence', () => {
    const waived = accepted(decide(given.disclosed(), waive('ob-1'), context(8)));
    expect(brief(waived.state.obligations)).toEqual([{ id: 'ob-2', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(38) }]);
    expect(decide(waived.state, send('update'), context(20, CL)).ok).toBe(true);
  });

  it('lets the RCA go out after the resolution notice was waived', () => {
    const waived = accepted(decide(given.resolved(), waive('ob-3', 'Client was told on the bridge call'), context(70)));
    expect(brief(waived.state.obligations)).toEqual([{ id: 'ob-4', kind: 'rca', clientId: 'acme', status: 'open', dueAt: '2025-03-13T10:00:00.000Z' }]);
    const withRemediation = play(waived.state, [{ at: DAY, command: disclose({ remediation: REMEDIATION }) }]);
    const rca = accepted(decide(withRemediation, send('rca'), context(DAY, CL)));
    expect(brief(rca.obligationChanges)).toEqual([{ id: 'ob-4', kind: 'rca', clientId: 'acme', status: 'met', dueAt: '2025-03-13T10:00:00.000Z' }]);
  });

  it('closes with a waiveReason by waiving every open obligation', () => {
    const state = play(buildIncident(), [
      { at: 0, command: classifyAffected({ derived: [ACME, GLOBEX] }) },
      { at: 5, command: disclose({ ...fullDisclosures(), remediation: REMEDIATION }) },
      { at: 10, by: CL, command: send('initial') },
      { at: 60, command: moveTo('resolved') },
      { at: 90, by: CL, command: send('resolution', { to: ['acme'] }) },
    ]);
    expect(state.obligations.map((o) => `${o.kind}:${o.clientId}`).sort()).toEqual(['rca:acme', 'resolution:globex']);
    const out = accepted(decide(state, close('Globex left; Acme declined the RCA'), context(120)));
    expect(out.obligationChanges).toHaveLength(2);
    for (const ob of out.obligationChanges) {
      expect(ob).toMatchObject({ status: 'waived', closedAt: at(120), waiver: { by: IM.userId, reason: 'Globex left; Acme declined the RCA' } });
    }
    expect(types(out)).toEqual(['obligation.waived', 'obligation.waived', 'incident.closed']);
    expect(out.state).toMatchObject({ stage: 'closed', closedAt: at(120), obligations: [] });
  });
});

// ---------------------------------------------------------------------------------------------
// Reopening

describe('reopening a resolved incident', () => {
  it('cancels the owed resolution notice and restarts the update cadence from the reopening', () => {
    const out = accepted(decide(given.resolved(), reopen('Errors are back'), context(100)));
    expect(out.state).toMatchObject({ techState: 'investigating', resolvedAt: null, reopenedAt: at(100) });
    expect(out.events[0]).toEqual({ type: 'incident.reopened', data: { from: 'resolved', to: 'investigating', note: 'Errors are back' } });
    expect(brief(out.obligationChanges)).toEqual([
      { id: 'ob-3', kind: 'resolution', clientId: 'acme', status: 'cancelled', dueAt: at(120) },
      { id: 'ob-4', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(130) },
    ]);
  });

  it('cancels the owed RCA when reopened after the resolution notice', () => {
    const out = accepted(decide(given.resolutionSent(), reopen(), context(200)));
    expect(brief(out.obligationChanges)).toEqual([
      { id: 'ob-4', kind: 'rca', clientId: 'acme', status: 'cancelled', dueAt: '2025-03-13T10:00:00.000Z' },
      { id: 'ob-5', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(230) },
    ]);
  });

  it('owes a new resolution notice when resolved again, and accepts it', () => {
    const reResolved = play(given.resolutionSent(), [
      { at: 200, command: reopen() },
      { at: 300, command: moveTo('resolved') },
    ]);
    expect(brief(reResolved.obligations)).toEqual([{ id: 'ob-6', kind: 'resolution', clientId: 'acme', status: 'open', dueAt: at(360) }]);
    const out = accepted(decide(reResolved, send('resolution', { id: 'comm-r2' }), context(310, CL)));
    expect(brief(out.obligationChanges)).toEqual([
      { id: 'ob-6', kind: 'resolution', clientId: 'acme', status: 'met', dueAt: at(360) },
      { id: 'ob-7', kind: 'rca', clientId: 'acme', status: 'open', dueAt: '2025-03-13T14:00:00.000Z' },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Severity changes and promises

describe('a change of severity', () => {
  it('reschedules the open initial notice from when the client was added', () => {
    const sev3 = play(buildIncident(), [{ at: 0, command: classifyAffected({ severity: 'SEV3' }) }]);
    expect(sev3.obligations[0]?.dueAt).toBe(at(60));
    const out = accepted(decide(sev3, classifyAffected({ severity: 'SEV1' }), context(5)));
    expect(out.events.at(-1)).toEqual({
      type: 'obligation.rescheduled',
      data: { obligationId: 'ob-1', kind: 'initial', clientId: 'acme', before: at(60), after: at(15) },
    });
    expect(brief(out.obligationChanges)).toEqual([{ id: 'ob-1', kind: 'initial', clientId: 'acme', status: 'open', dueAt: at(15) }]);
  });

  it('reschedules the open update from the last message on the new cadence', () => {
    const out = accepted(decide(given.initialSent(), classifyAffected({ severity: 'SEV3' }), context(20)));
    expect(brief(out.obligationChanges)).toEqual([{ id: 'ob-2', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(130) }]);
  });

  it('cancels the open update when the new severity has no update cadence', () => {
    const out = accepted(decide(given.initialSent(), classifyAffected({ severity: 'SEV4' }), context(20)));
    expect(brief(out.obligationChanges)).toEqual([{ id: 'ob-2', kind: 'update', clientId: 'acme', status: 'cancelled', dueAt: at(40) }]);
    expect(out.state.obligations).toEqual([]);
  });
});

describe('a promised next update', () => {
  /** The initial notice sent at T0+10 promising the next update at `promise` (SEV1: the cadence says T0+40). */
  const promisedInInitial = (promise: string) => play(given.disclosed(), [{ at: 8, command: disclose({ nextUpdateAt: promise }) }, { at: 10, by: CL, command: send('initial') }]);

  it('pulls the update deadline in to the promise of the message sent when it is earlier than the cadence', () => {
    const state = promisedInInitial(at(25));
    expect(state.clients[0]?.promisedNextUpdateAt).toBe(at(25));
    expect(brief(state.obligations)).toEqual([{ id: 'ob-2', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(25) }]);
  });

  it('does not push the deadline out when the promise is later than the cadence', () => {
    expect(promisedInInitial(at(90)).obligations[0]?.dueAt).toBe(at(40));
  });

  it('holds a promise given with a UTC offset, at its instant', () => {
    // 10:25+01:00 is 09:25Z, T0+25: earlier than the cadence's T0+40.
    expect(promisedInInitial('2025-03-06T10:25:00+01:00').obligations[0]?.dueAt).toBe(at(25));
  });

  it('does not move the deadline when the draft next-update time is edited after sending', () => {
    const state = promisedInInitial(at(25));
    for (const draft of [at(20), at(35), at(90)]) {
      const out = accepted(decide(state, disclose({ nextUpdateAt: draft }), context(15)));
      expect(out.obligationChanges, draft).toEqual([]);
      expect(out.state.obligations[0]?.dueAt).toBe(at(25));
    }
    // Nor does a draft edited before the first message: nothing was promised yet, the cadence decides.
    const edited = play(given.initialSent(), [{ at: 15, command: disclose({ nextUpdateAt: at(20) }) }]);
    expect(edited.obligations[0]?.dueAt).toBe(at(40));
  });

  it('moves the deadline with the next message and its new promise', () => {
    const state = play(promisedInInitial(at(25)), [{ at: 15, command: disclose({ nextUpdateAt: at(45) }) }]);
    const out = accepted(decide(state, send('update'), context(20, CL)));
    expect(out.state.clients[0]?.promisedNextUpdateAt).toBe(at(45));
    // The old obligation is met on time; the new one is due at the new promise (the cadence says T0+50).
    expect(brief(out.obligationChanges)).toEqual([
      { id: 'ob-2', kind: 'update', clientId: 'acme', status: 'met', dueAt: at(25) },
      { id: 'ob-3', kind: 'update', clientId: 'acme', status: 'open', dueAt: at(45) },
    ]);
  });

  it('keeps each client to the promise it was given', () => {
    const both = play(given.twoClients(), [
      { at: 5, command: disclose(fullDisclosures(25)) },
      { at: 10, by: CL, command: send('initial', { to: ['acme'] }) },
      { at: 12, command: disclose({ nextUpdateAt: at(80) }) },
      { at: 14, by: CL, command: send('initial', { to: ['globex'], id: 'comm-initial-globex' }) },
    ]);
    const updates = both.obligations.filter((o) => o.kind === 'update').map((o) => [o.clientId, o.dueAt]);
    // Acme was promised T0+25; Globex was promised T0+80, later than its cadence (T0+14 + 30).
    expect(updates.sort()).toEqual([
      ['acme', at(25)],
      ['globex', at(44)],
    ]);
  });

  it('promises nothing with a resolution notice: after a reopen the cadence decides', () => {
    const state = play(given.resolved(), [
      { at: 90, by: CL, command: send('resolution') },
      { at: 100, command: reopen() },
    ]);
    expect(state.clients[0]?.promisedNextUpdateAt).toBeNull();
    expect(state.obligations.find((o) => o.kind === 'update')?.dueAt).toBe(at(130));
  });
});
