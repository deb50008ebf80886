// What every answer shares: times, pages, and the problem+json body of every refusal. Schemas with an
// `id` become named components of the OpenAPI document (and named types in the console).
import { z } from 'zod';
import { COMPONENT_STATUSES, CONTACT_ROLES, DISCLOSURE_LEVELS, IMPACT_STATUSES, INSTALL_ROLES, MESSAGE_KINDS, OBLIGATION_STATUSES, SEVERITIES, SOURCES, STAGES, TECH_STATES } from '../../domain/types.js';

/** A moment as the API writes it: ISO 8601 in UTC (Date#toISOString). */
export const isoTime = z.string().meta({ format: 'date-time' });
export const id = z.string().meta({ format: 'uuid' });

export const Severity = z.enum(SEVERITIES).meta({ id: 'Severity' });
export const ComponentStatus = z.enum(COMPONENT_STATUSES).meta({ id: 'ComponentStatus' });
export const ImpactStatus = z.enum(IMPACT_STATUSES).meta({ id: 'ImpactStatus' });
export const TechState = z.enum(TECH_STATES).meta({ id: 'TechState' });
export const Stage = z.enum(STAGES).meta({ id: 'Stage' });
export const Source = z.enum(SOURCES).meta({ id: 'Source' });
export const MessageKind = z.enum(MESSAGE_KINDS).meta({ id: 'MessageKind' });
export const ObligationStatus = z.enum(OBLIGATION_STATUSES).meta({ id: 'ObligationStatus' });
export const DisclosureLevel = z.enum(DISCLOSURE_LEVELS).meta({ id: 'DisclosureLevel' });
export const InstallRole = z.enum(INSTALL_ROLES).meta({ id: 'InstallRole' });
export const ContactRole = z.enum(CONTACT_ROLES).meta({ id: 'ContactRole' });

/** A page of a list: `nextCursor` is given back as `cursor` for the next page; null on the last one. */
export const pageSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
/** A whole list in one answer. */
export const listSchema = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

/** RFC 9457 problem details, as src/http/problem.ts writes them. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('A stable machine-readable code, e.g. not_found, missing_disclosures'),
    instance: z.string().optional(),
    missing: z.array(z.string()).optional().describe('What a refused command lacks (e.g. disclosure fields)'),
    field: z.string().optional().describe('The request field at fault'),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    issues: z.array(z.object({ part: z.string(), line: z.number().int().nullable(), message: z.string() })).optional().describe('Why a template was refused: part, line, what'),
  })
  .meta({ id: 'Problem' });

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });

/** The refusals any /api/v1 route may answer with, in one place so every operation lists them alike. */
export const problemResponses = {
  400: problem('The input is not valid; `field` or `errors` name what'),
  401: problem('No valid credentials'),
  403: problem('Not allowed for this user (or the CSRF token is missing)'),
  404: problem('Not found, or not visible to this user'),
  409: problem('Conflicts with the current state'),
  422: problem('Refused by a rule; `code` and `missing` say which'),
  429: problem('Too many requests'),
} as const;

type ResponseSchema = z.ZodType | { description: string; content: Record<string, { schema: z.ZodType }> };

/**
 * A route's `response` map: its success answers plus the common refusals. Typed loosely on purpose:
 * with the precise type, fastify's type provider would check each handler's return value against the
 * schema, and many verbs return database text where the schema names an enum (or `unknown` JSON), so
 * the check would demand casts in every verb. What the answers really hold is checked instead by the
 * tests, against the OpenAPI document (test/support/response-contract.ts).
 */
export const replies = (ok: Record<number, ResponseSchema>): Record<number, unknown> => ({ ...problemResponses, ...ok });

/** An answer with no body (204). */
export const noContent = z.null().meta({ description: 'No content' });

/** A file sent as it is (an attachment). */
export const fileResponse = { description: 'The file itself', content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } } };
