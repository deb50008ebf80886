// Files that came in with e-mail (kept with the incident or the triage item they belong to). Staff only.
import { keyset, pageByKey, type Page } from '../pagination.js';
import { and, eq } from 'drizzle-orm';
import { intakeAttachments } from '../../db/schema.js';
import { notFound } from '../app-error.js';
import { requireStaff, type Ctx } from '../context.js';
import { loadIncident } from '../incidents/incident-store.js';

export async function listIncidentAttachments(ctx: Ctx, incidentIdOrKey: string, page: Page) {
  requireStaff(ctx);
  const incident = await loadIncident(ctx.tx, incidentIdOrKey);
  const k = keyset(page, [intakeAttachments.createdAt, intakeAttachments.id]);
  const found = await ctx.tx
    .select({ id: intakeAttachments.id, filename: intakeAttachments.filename, contentType: intakeAttachments.contentType, sizeBytes: intakeAttachments.sizeBytes, createdAt: intakeAttachments.createdAt })
    .from(intakeAttachments)
    .where(and(eq(intakeAttachments.incidentId, incident.id), k.where))
    .orderBy(...k.orderBy)
    .limit(k.limit);
  return pageByKey(found, page, (a) => [a.createdAt, a.id]);
}

export async function getIncidentAttachment(ctx: Ctx, incidentIdOrKey: string, attachmentId: string) {
  requireStaff(ctx);
  const incident = await loadIncident(ctx.tx, incidentIdOrKey);
  const [row] = await ctx.tx.select().from(intakeAttachments).where(and(eq(intakeAttachments.incidentId, incident.id), eq(intakeAttachments.id, attachmentId)));
  if (!row) throw notFound('Attachment');
  return row;
}
