// A process keeps the SLA policies it last loaded under their version number (services/handle-memory.ts)
// and gets the rows again only when the number changed. These tests hold the number to its promise:
// it names one set of policies, whatever rolled back in between.
import { describe, expect, it } from 'vitest';
import type { Severity } from '../../src/domain/types.js';
import { listObligations } from '../../src/services/incidents/read-incidents.js';
import { createSlaPolicy } from '../../src/services/sla/sla-policies.js';
import { buildActor, buildAffectedIncidentThrough, buildCatalogThrough } from '../support/factories.js';
import { inRolledBackTransaction, serviceCtx, useServiceDatabase } from '../support/service-context.js';
import { testBackends } from '../support/test-database.js';

/** A page larger than any list these tests make. */
const ALL = { cursor: null, limit: 200 };

const T0 = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const goldSev2 = (initialNoticeMinutes: number) =>
  ({ tier: 'gold', severity: 'SEV2' as Severity, initialNoticeMinutes, updateEveryMinutes: 30, resolutionNoticeMinutes: 60, rcaBusinessDays: 3 }) as const;

describe.each(testBackends())('SLA policy versions on %s', (kind) => {
  const db = useServiceDatabase(kind);

  it('decides with the policies as committed after a change that rolled back, though a command saw it', async () => {
    // A policy change and a command that decided with it, in a transaction that rolls back.
    await inRolledBackTransaction(db.database, async (scope) => {
      const admin = await buildActor(scope.tx, 'admin');
      await createSlaPolicy(scope.ctx(admin, T0), goldSev2(5));
      const { componentId } = await buildCatalogThrough(scope.ctx(admin, T0), { tier: 'gold' });
      const incident = await buildAffectedIncidentThrough(scope.ctx(admin, T0), componentId);
      const [initial] = (await listObligations(scope.ctx(admin, T0), incident.id, ALL)).items.filter((o) => o.kind === 'initial');
      expect(initial!.dueAt).toBe(new Date(T0.getTime() + 5 * 60_000).toISOString());
    });
    // Another change to the same policy, committed: the next command decides with it, not with the one that rolled back.
    const dueAt = await db.database.transaction(async (tx) => {
      const admin = await buildActor(tx, 'admin');
      const ctx = serviceCtx({ database: db.database, tx }, admin, T0);
      await createSlaPolicy(ctx, goldSev2(25));
      const { componentId } = await buildCatalogThrough(ctx, { tier: 'gold' });
      const incident = await buildAffectedIncidentThrough(ctx, componentId);
      return (await listObligations(ctx, incident.id, ALL)).items.find((o) => o.kind === 'initial')!.dueAt;
    });
    expect(dueAt).toBe(new Date(T0.getTime() + 25 * 60_000).toISOString());
  });
});
