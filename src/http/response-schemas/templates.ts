// What the API answers about message templates and their previews.
import { z } from 'zod';
import { MAINTENANCE_TEMPLATE_KINDS } from '../../domain/maintenance.js';
import { MESSAGE_KINDS } from '../../domain/types.js';
import { id, isoTime, MessageKind } from './common.js';

/** A client message kind, or a maintenance notice's (maintenance_scheduled, maintenance_reminder, …). */
export const TemplateKind = z.enum([...MESSAGE_KINDS, ...MAINTENANCE_TEMPLATE_KINDS]).meta({ id: 'TemplateKind' });
export const TemplateChannel = z.enum(['email', 'chat']).meta({ id: 'TemplateChannel' });
export const TemplateOwnerRole = z.enum(['communication_lead', 'incident_manager']).meta({ id: 'TemplateOwnerRole' });
const parts = z.record(z.string(), z.string()).describe('subject, text and html (e-mail) or text (chat)');

export const TemplateVersion = z.object({ version: z.number().int(), parts, note: z.string().nullable(), createdBy: id.nullable(), createdAt: isoTime }).meta({ id: 'TemplateVersion' });

export const Template = z
  .object({
    id,
    kind: TemplateKind,
    language: z.string(),
    channel: TemplateChannel,
    ownerUserId: id.nullable(),
    ownerRole: TemplateOwnerRole.nullable(),
    currentVersion: z.number().int(),
    parts,
    updatedAt: isoTime,
    versions: z.array(TemplateVersion).optional().describe('The history, newest first (one template only)'),
  })
  .meta({ id: 'Template' });

const described = z.object({ name: z.string(), description: z.string(), example: z.string() });
export const TemplateVariables = z
  .object({ variables: z.array(described.extend({ type: z.string() })), filters: z.array(described.extend({ usage: z.string() })) })
  .meta({ id: 'TemplateVariables' });

export const RenderedTemplate = z
  .object({ channel: TemplateChannel, to: z.string(), language: z.string(), subject: z.string().nullable(), text: z.string(), html: z.string().nullable() })
  .meta({ id: 'RenderedTemplate' });

/** Why a template would not render: where (part, line, column) and what. */
export const TemplateIssue = z
  .object({
    part: z.string().describe("'subject', 'html', 'text', or 'template' for the whole"),
    line: z.number().int().nullable(),
    column: z.number().int().nullable(),
    code: z.string().describe('missing-part, unknown-part, too-large, …'),
    message: z.string(),
    kind: MessageKind.optional().describe('The message kind whose sample showed the problem, when it depends on the kind'),
  })
  .meta({ id: 'TemplateIssue' });

export const TemplatePreview = z.object({ issues: z.array(TemplateIssue), rendered: RenderedTemplate.nullable() }).meta({ id: 'TemplatePreview' });
