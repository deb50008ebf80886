// The incident commands that need nothing looked up beyond the incident itself.
import type { Disclosures, TechState } from '../../domain/types.js';
import type { Ctx } from '../context.js';
import { runIncidentCommand } from './run-incident-command.js';

export const changeTechState = (ctx: Ctx, id: string, input: { state: TechState; note?: string | null | undefined }) =>
  runIncidentCommand(ctx, id, () => ({ type: 'setTechState', to: input.state, note: input.note ?? null }));

export const updateDisclosures = (ctx: Ctx, id: string, patch: Partial<Disclosures>) =>
  runIncidentCommand(ctx, id, () => ({ type: 'updateDisclosures', patch }));

export const waiveObligation = (ctx: Ctx, id: string, obligationId: string, reason: string) =>
  runIncidentCommand(ctx, id, () => ({ type: 'waiveObligation', obligationId, reason }));

export const documentIncident = (ctx: Ctx, id: string, summary: string) => runIncidentCommand(ctx, id, () => ({ type: 'document', summary }));

export const closeIncident = (ctx: Ctx, id: string, input: { waiveReason?: string | null | undefined }) =>
  runIncidentCommand(ctx, id, () => ({ type: 'close', waiveReason: input.waiveReason ?? null }));

export const addNote = (ctx: Ctx, id: string, text: string) => runIncidentCommand(ctx, id, () => ({ type: 'addNote', text }));
