// The incident commands that need nothing looked up beyond the incident itself. Each is one
// conditional write (see run-incident-command.ts), so it may run outside a transaction.
import type { Disclosures, TechState } from '../../domain/types.js';
import { defineVerb, type Ctx } from '../context.js';
import { runIncidentCommand } from './run-incident-command.js';

export const changeTechState = defineVerb({
  autocommit: true,
  run: (ctx: Ctx, id: string, input: { state: TechState; note?: string | null | undefined }) =>
    runIncidentCommand(ctx, id, () => ({ type: 'setTechState', to: input.state, note: input.note ?? null })),
});

export const updateDisclosures = defineVerb({
  autocommit: true,
  run: (ctx: Ctx, id: string, patch: Partial<Disclosures>) => runIncidentCommand(ctx, id, () => ({ type: 'updateDisclosures', patch })),
});

export const waiveObligation = defineVerb({
  autocommit: true,
  run: (ctx: Ctx, id: string, obligationId: string, reason: string) => runIncidentCommand(ctx, id, () => ({ type: 'waiveObligation', obligationId, reason })),
});

export const documentIncident = defineVerb({
  autocommit: true,
  run: (ctx: Ctx, id: string, summary: string) => runIncidentCommand(ctx, id, () => ({ type: 'document', summary })),
});

export const closeIncident = defineVerb({
  autocommit: true,
  run: (ctx: Ctx, id: string, input: { waiveReason?: string | null | undefined }) => runIncidentCommand(ctx, id, () => ({ type: 'close', waiveReason: input.waiveReason ?? null })),
});

export const addNote = defineVerb({
  autocommit: true,
  run: (ctx: Ctx, id: string, text: string) => runIncidentCommand(ctx, id, () => ({ type: 'addNote', text })),
});
