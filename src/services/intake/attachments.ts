// Files that came in with e-mail (kept with the incident or the triage item they belong to). Staff only.
import { and, asc, eq } from 'drizzle-orm';
import { intakeAttachments } from '../../db/schema.js';
import { notFound } from '../app-error.js';
import { requireStaff, type Ctx } from '../context.js';
import { loadIncident } from '../incidents/incident-store.js';

export async function listIncidentAttachments(ctx: Ctx, incidentIdOrKey: string) {
  requireStaff(ctx);
  const incident = await loadIncident(ctx.tx, incidentIdOrKey);
  return ctx.tx
    .select({ id: intakeAttachments.id, filename: intakeAttachments.filename, contentType: intakeAttachments.contentType, sizeBytes: intakeAttachments.sizeBytes, createdAt: intakeAttachments.createdAt })
    .from(intakeAttachments)
    .where(eq(intakeAttachments.incidentId, incident.id))
    .orderBy(asc(intakeAttachments.createdAt), asc(intakeAttachments.id));
}

export async function getIncidentAttachment(ctx: Ctx, incidentIdOrKey: string, attachmentId: string) {
  requireStaff(ctx);
  const incident = await loadIncident(ctx.tx, incidentIdOrKey);
  const [row] = await ctx.tx.select().from(intakeAttachments).where(and(eq(intakeAttachments.incidentId, incident.id), eq(intakeAttachments.id, attachmentId)));
  if (!row) throw notFound('Attachment');
  return row;
}
