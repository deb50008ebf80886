// Every refusal of decide, as a table: the command, the state it meets, the code and what is missing.
import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../types.js';
import { decide, type Command, type IncidentState, type RefusalCode } from './lifecycle.js';
import { ACME, addNote, adjust, ADMIN, buildIncident, fullDisclosures, CL, classifyAffected, classifyInternal, CLIENT_USER, close, context, DAY, disclose, documentIt, given, GLOBEX, IM, moveTo, play, reopen, resetIds, RESPONDER, send, VIEWER, waive, publishIt, unpublish } from './lifecycle-fixtures.js';

beforeEach(resetIds);

// ---------------------------------------------------------------------------------------------
// Every refusal

interface RefusalCase {
  name: string;
  given: () => IncidentState;
  by?: Actor;
  at?: number;
  command: Command;
  code: RefusalCode;
  missing?: string[];
}

const refusals: RefusalCase[] = [
  { name: 'refuses a viewer any change', given: given.initialSent, by: VIEWER, command: addNote(), code: 'forbidden' },
  { name: 'refuses a client user any change', given: given.reported, by: CLIENT_USER, command: classifyAffected(), code: 'forbidden' },
  { name: 'refuses to reopen a closed incident', given: given.closed, command: reopen(), code: 'incident_closed' },
  { name: 'refuses to reclassify a closed incident', given: given.closed, command: classifyAffected(), code: 'incident_closed' },
  { name: 'refuses to send a message on a closed incident', given: given.closed, by: CL, command: send('update'), code: 'incident_closed' },
  { name: 'refuses to close a closed incident again', given: given.closed, command: close(), code: 'incident_closed' },
  { name: 'refuses to adjust clients before classification', given: given.reported, command: adjust([GLOBEX]), code: 'not_classified' },
  { name: 'refuses to resolve before classification', given: given.reported, command: moveTo('resolved'), code: 'not_classified' },
  { name: 'refuses to write to clients before classification', given: given.reported, by: CL, command: send('initial'), code: 'not_classified' },
  { name: 'refuses to close before classification', given: given.reported, command: close(), code: 'not_classified' },
  { name: 'refuses to adjust clients of an internal-only incident', given: given.internal, command: adjust([GLOBEX]), code: 'clients_not_affected' },
  { name: 'refuses to write to clients about an internal-only incident', given: given.internal, by: CL, command: send('initial'), code: 'clients_not_affected' },
  {
    name: 'refuses to make an incident internal-only once clients were notified',
    given: given.initialSent,
    command: classifyInternal(),
    code: 'clients_already_notified',
    missing: ['acme'],
  },
  {
    name: 'refuses to drop a notified client on reclassification',
    given: given.initialSent,
    command: classifyAffected({ derived: [ACME, GLOBEX], remove: ['acme'] }),
    code: 'client_already_notified',
    missing: ['acme'],
  },
  { name: 'refuses to remove a notified client', given: given.initialSent, command: adjust([GLOBEX], ['acme']), code: 'client_already_notified', missing: ['acme'] },
  { name: 'refuses to remove a client that is not on the incident', given: given.affected, command: adjust([], ['globex']), code: 'client_not_affected', missing: ['globex'] },
  { name: 'refuses to write to a client that is not affected', given: given.disclosed, by: CL, command: send('initial', { to: ['acme', 'globex'] }), code: 'client_not_affected', missing: ['globex'] },
  {
    name: 'refuses to classify as affecting clients without naming any',
    given: given.reported,
    command: classifyAffected({ derived: [] }),
    code: 'no_affected_clients',
    missing: ['clients'],
  },
  {
    name: 'refuses a reclassification that removes every client',
    given: given.affected,
    command: classifyAffected({ remove: ['acme'] }),
    code: 'no_affected_clients',
    missing: ['clients'],
  },
  { name: 'refuses to remove the last affected client', given: given.affected, command: adjust([], ['acme']), code: 'no_affected_clients', missing: ['clients'] },
  { name: 'refuses a message addressed to nobody', given: given.disclosed, by: CL, command: send('initial', { to: [] }), code: 'no_affected_clients', missing: ['clientIds'] },
  { name: 'refuses a classification without a reason', given: given.reported, command: classifyAffected({ reason: '  ' }), code: 'reason_required', missing: ['reason'] },
  { name: 'refuses to reopen without a reason', given: given.resolved, command: reopen(null), code: 'reason_required', missing: ['note'] },
  { name: 'refuses to reopen with a blank reason', given: given.resolved, command: reopen(' \n'), code: 'reason_required', missing: ['note'] },
  { name: 'refuses a waiver without a written reason', given: given.initialSent, command: waive('ob-2', ' '), code: 'reason_required', missing: ['reason'] },
  { name: 'refuses an empty internal summary', given: given.internal, command: documentIt('  '), code: 'reason_required', missing: ['summary'] },
  { name: 'refuses an empty note', given: given.initialSent, command: addNote(''), code: 'reason_required', missing: ['text'] },
  {
    name: 'refuses to leave resolved other than by reopening to investigating',
    given: given.resolved,
    command: moveTo('monitoring', 'why not'),
    code: 'transition_not_allowed',
    missing: ['resolved->monitoring'],
  },
  { name: 'refuses to move to the state the incident is already in', given: given.reported, command: moveTo('investigating'), code: 'already_in_state' },
  {
    name: 'refuses an initial notice that states nothing, naming each missing field',
    given: given.affected,
    by: CL,
    command: send('initial'),
    code: 'missing_disclosures',
    missing: ['impactSummary', 'dataLoss', 'dataExposure', 'nextUpdateAt'],
  },
  {
    name: 'refuses an update whose promised next update is already past',
    given: given.initialSent,
    at: 601,
    by: CL,
    command: send('update'),
    code: 'missing_disclosures',
    missing: ['nextUpdateAt'],
  },
  {
    name: 'refuses a SEV4 initial notice with no timeline at all (no cadence: the expected resolution is asked)',
    given: () =>
      play(buildIncident(), [
        { at: 0, command: classifyAffected({ severity: 'SEV4' }) },
        { at: 5, command: disclose({ ...fullDisclosures(), nextUpdateAt: null }) },
      ]),
    by: CL,
    command: send('initial'),
    code: 'missing_disclosures',
    missing: ['expectedResolutionAt'],
  },
  {
    name: 'refuses an RCA without remediation or body',
    given: () => play(given.resolutionSent(), [{ at: DAY, command: disclose({ remediation: null }) }]),
    by: CL,
    command: send('rca', { body: null }),
    code: 'missing_disclosures',
    missing: ['remediation', 'body'],
  },
  { name: 'refuses a second initial notice', given: given.initialSent, by: CL, command: send('initial'), code: 'initial_already_sent', missing: ['acme'] },
  { name: 'refuses an update before the initial notice', given: given.disclosed, by: CL, command: send('update'), code: 'initial_not_sent', missing: ['acme'] },
  { name: 'refuses an update once the incident is resolved', given: given.resolved, by: CL, command: send('update'), code: 'incident_resolved' },
  { name: 'refuses a resolution notice while the incident is not resolved', given: given.initialSent, by: CL, command: send('resolution'), code: 'not_resolved' },
  { name: 'refuses an RCA while the incident is not resolved', given: given.initialSent, by: CL, command: send('rca'), code: 'not_resolved' },
  { name: 'refuses to close a client-affecting incident that is not resolved', given: given.initialSent, command: close(), code: 'not_resolved' },
  { name: 'refuses a second resolution notice', given: given.resolutionSent, by: CL, command: send('resolution'), code: 'resolution_already_sent', missing: ['acme'] },
  { name: 'refuses the RCA before the resolution notice', given: given.resolved, by: CL, command: send('rca'), code: 'resolution_not_sent', missing: ['acme'] },
  {
    name: 'refuses the RCA before the resolution notice of a reopened and re-resolved incident',
    given: () =>
      play(given.remediationStated(), [
        { at: DAY + 10, command: reopen() },
        { at: DAY + 20, command: moveTo('resolved') },
      ]),
    by: CL,
    command: send('rca'),
    code: 'resolution_not_sent',
    missing: ['acme'],
  },
  { name: 'refuses a second RCA', given: given.rcaSent, by: CL, command: send('rca'), code: 'rca_already_sent', missing: ['acme'] },
  { name: 'refuses to close while the RCA is owed', given: given.resolutionSent, command: close(), code: 'open_obligations', missing: ['rca:acme'] },
  { name: 'refuses to close while the resolution notice is owed', given: given.resolved, command: close(), code: 'open_obligations', missing: ['resolution:acme'] },
  { name: 'refuses a blank waiver reason as no waiver when closing', given: given.resolutionSent, command: close('  '), code: 'open_obligations', missing: ['rca:acme'] },
  { name: 'refuses to close an internal incident that was not documented', given: given.internal, command: close(), code: 'internal_summary_required', missing: ['internalSummary'] },
  { name: 'refuses a waiver by anyone but the Incident Manager', given: given.initialSent, by: CL, command: waive('ob-2'), code: 'not_incident_manager' },
  { name: 'refuses a waiver when no Incident Manager is assigned', given: () => given.unmanaged(given.initialSent()), by: ADMIN, command: waive('ob-2'), code: 'not_incident_manager' },
  { name: 'refuses closing by anyone but the Incident Manager', given: given.rcaSent, by: CL, command: close(), code: 'not_incident_manager' },
  {
    name: 'refuses to waive open obligations on close when no Incident Manager is assigned',
    given: () => given.unmanaged(given.resolutionSent()),
    by: ADMIN,
    command: close('The client declined an RCA'),
    code: 'not_incident_manager',
  },
  { name: 'refuses a client message from anyone but the Communication Lead or Incident Manager', given: given.disclosed, by: RESPONDER, command: send('initial'), code: 'not_communication_lead' },
  { name: 'refuses to waive an obligation that does not exist', given: given.initialSent, command: waive('nope'), code: 'obligation_not_open', missing: ['nope'] },
  { name: 'refuses publishing by a member who is neither Incident Manager nor Communication Lead', given: given.initialSent, by: RESPONDER, command: publishIt(), code: 'not_publisher' },
  { name: 'refuses withdrawing by a member who is neither Incident Manager nor Communication Lead', given: given.published, by: RESPONDER, command: unpublish(), code: 'not_publisher' },
  { name: 'refuses publishing before the classification', given: given.reported, command: publishIt(), code: 'not_classified' },
  { name: 'refuses publishing an internal-only incident', given: given.internal, command: publishIt(), code: 'clients_not_affected' },
  { name: 'refuses a first public entry without a title or a text', given: given.initialSent, command: publishIt({ title: null, body: '  ' }), code: 'public_text_required', missing: ['title', 'body'] },
  {
    name: 'refuses template variables in a public text (it is shown as written, never filled in for a client)',
    given: given.initialSent,
    command: publishIt({ body: 'Dear {{ client.name }}, your data' }),
    code: 'public_text_has_variables',
    missing: ['body'],
  },
  { name: 'refuses withdrawing an incident that is not published', given: given.initialSent, command: unpublish(), code: 'not_published' },
  { name: 'refuses withdrawing without a reason', given: given.published, command: unpublish(' '), code: 'reason_required', missing: ['reason'] },
  {
    name: 'refuses a member taking the Incident Manager role from its holder',
    given: given.initialSent,
    by: CL,
    command: { type: 'assignRoles', patch: { incidentManagerId: CL.userId } },
    code: 'not_incident_manager',
    missing: ['incidentManagerId'],
  },
  { name: 'refuses a member clearing the Incident Manager role of its holder', given: given.initialSent, by: RESPONDER, command: { type: 'assignRoles', patch: { incidentManagerId: null } }, code: 'not_incident_manager', missing: ['incidentManagerId'] },
  { name: 'refuses to waive an obligation that was already met', given: given.initialSent, command: waive('ob-1'), code: 'obligation_not_open', missing: ['ob-1'] },
];

const EVERY_REFUSAL_CODE: Record<RefusalCode, true> = {
  forbidden: true,
  incident_closed: true,
  not_classified: true,
  clients_not_affected: true,
  clients_already_notified: true,
  client_already_notified: true,
  client_not_affected: true,
  no_affected_clients: true,
  reason_required: true,
  transition_not_allowed: true,
  already_in_state: true,
  missing_disclosures: true,
  initial_already_sent: true,
  initial_not_sent: true,
  incident_resolved: true,
  not_resolved: true,
  resolution_already_sent: true,
  resolution_not_sent: true,
  rca_already_sent: true,
  open_obligations: true,
  internal_summary_required: true,
  not_incident_manager: true,
  not_communication_lead: true,
  obligation_not_open: true,
  not_publisher: true,
  not_published: true,
  public_text_required: true,
  public_text_has_variables: true,
};

describe('decide: refusals', () => {
  it.each(refusals)('$name ($code)', (c) => {
    const incident = c.given();
    const before = structuredClone(incident);
    const outcome = decide(incident, c.command, context(c.at ?? 30, c.by ?? IM));
    expect(outcome).toMatchObject({ ok: false, code: c.code });
    if (outcome.ok) return;
    expect(outcome.missing).toEqual(c.missing);
    expect(outcome.message).not.toBe('');
    expect(incident).toEqual(before);
  });

  it('covers every refusal code there is', () => {
    expect(new Set(refusals.map((r) => r.code))).toEqual(new Set(Object.keys(EVERY_REFUSAL_CODE)));
  });
});
