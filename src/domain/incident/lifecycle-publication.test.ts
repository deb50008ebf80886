// Publishing to the public status page: who may, what each entry records, and withdrawing (issue 15).
import { describe, expect, it } from 'vitest';
import { decide } from './lifecycle.js';
import { accepted, ADMIN, at, CL, close, context, given, IM, play, publishIt, types, unpublish } from './lifecycle-fixtures.js';

describe('decide: publishing to the public status page', () => {
  it('records a first entry with its own title and text, and the moment the incident was published', () => {
    const outcome = accepted(decide(given.initialSent(), publishIt({ title: 'API errors', body: 'Some requests fail.' }), context(12, CL)));
    expect(outcome.state).toMatchObject({ publicTitle: 'API errors', publishedAt: at(12) });
    expect(outcome.events).toEqual([
      { type: 'publication.published', data: { publicUpdateId: 'pub-1', title: 'API errors', body: 'Some requests fail.', state: 'investigating', isFirst: true } },
    ]);
  });

  it('lets a later entry keep the public title, and announce a state of its own', () => {
    const outcome = accepted(decide(given.published(), publishIt({ id: 'pub-2', title: null, body: 'Fixed.', state: 'resolved' }), context(50, IM)));
    expect(outcome.state).toMatchObject({ publicTitle: 'API errors', publishedAt: at(12) });
    expect(outcome.events[0]).toMatchObject({ data: { publicUpdateId: 'pub-2', title: 'API errors', state: 'resolved', isFirst: false } });
  });

  it('lets an admin publish without holding a role on the incident', () => {
    expect(decide(given.unmanaged(given.initialSent()), publishIt(), context(12, ADMIN)).ok).toBe(true);
  });

  it('withdraws with a reason, also after closing; publishing again starts a new publication that names its title', () => {
    const closed = play(given.closed(), []);
    const published = { ...closed, publicTitle: 'API errors', publishedAt: at(12) };
    const withdrawn = accepted(decide(published, unpublish('The text named a client'), context(3 * 24 * 60, IM)));
    expect(withdrawn.state.publishedAt).toBeNull();
    expect(types(withdrawn)).toEqual(['publication.withdrawn']);
    const open = play(given.published(), [{ at: 20, command: unpublish() }]);
    expect(decide(open, publishIt({ title: null }), context(30, IM))).toMatchObject({ ok: false, code: 'public_text_required', missing: ['title'] });
    expect(decide(given.closed(), publishIt(), context(3 * 24 * 60, IM))).toMatchObject({ ok: false, code: 'incident_closed' });
    expect(decide(given.closed(), close(), context(3 * 24 * 60, IM))).toMatchObject({ ok: false });
  });
});
