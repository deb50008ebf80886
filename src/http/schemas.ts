// Shared request schemas: one place for ids, pages and the incident vocabulary.
import { z } from 'zod';
import {
  COMPONENT_STATUSES,
  CONTACT_ROLES,
  DISCLOSURE_LEVELS,
  IMPACT_STATUSES,
  INSTALL_ROLES,
  MESSAGE_KINDS,
  SEVERITIES,
  SOURCES,
  STAGES,
  TECH_STATES,
} from '../domain/types.js';

export const text = (max: number) => z.string().trim().min(1).max(max);
export const optionalText = (max: number) => z.string().max(max).nullable().optional();
/** A UUID, written in lower case whatever case it came in (RFC 9562: read without regard to case). */
export const uuid = z.uuid().overwrite((v) => v.toLowerCase());
export const idParam = z.object({ id: uuid });
export const incidentParam = z.object({ id: z.string().regex(/^(INC-\d{1,9}|[0-9a-fA-F-]{36})$/, 'an incident id or key like INC-42').describe('Incident id or key (INC-42)') });
/** Every list under /api/v1 pages: at most 200 items an answer (50 unless asked), the next page after `cursor`. */
export const pageQuery = {
  cursor: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
};
/** The service's Page from a query that spread pageQuery. */
export const pageFrom = (q: { cursor?: string | undefined; limit: number }) => ({ cursor: q.cursor ?? null, limit: q.limit });
/** A page of rows as the API answers it: each item presented, the cursor kept. */
export const presentPage = <T, U>(page: { items: T[]; nextCursor: string | null }, present: (row: T) => U) => ({ items: page.items.map(present), nextCursor: page.nextCursor });
export const isoDate = z.iso.datetime({ offset: true });

export const severity = z.enum(SEVERITIES);
export const componentStatus = z.enum(COMPONENT_STATUSES);
export const impact = z.object({ componentId: uuid, status: z.enum(IMPACT_STATUSES) });
export const techState = z.enum(TECH_STATES);
export const stage = z.enum(STAGES);
export const source = z.enum(SOURCES);
export const messageKind = z.enum(MESSAGE_KINDS);
export const installRole = z.enum(INSTALL_ROLES);
export const contactRole = z.enum(CONTACT_ROLES);
export const language = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a language tag like en or de-AT');
export const slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'lowercase letters, digits and dashes');
export const email = z.email().max(320);
export const password = z.string().min(12, 'at least 12 characters').max(200);
export const uuidList = z.array(uuid).max(500);

const level = z.enum(DISCLOSURE_LEVELS);
export const disclosuresPatch = z
  .object({
    impactSummary: optionalText(5000),
    dataLoss: z.object({ level, details: optionalText(5000).transform((v) => v ?? null) }).nullable().optional(),
    dataExposure: z
      .object({ level, details: optionalText(5000).transform((v) => v ?? null), isPersonalData: z.boolean().default(false) })
      .nullable()
      .optional(),
    expectedResolutionAt: isoDate.nullable().optional(),
    nextUpdateAt: isoDate.nullable().optional(),
    remediation: optionalText(10000),
  })
  .strict();

/** Drops keys that were not sent, so a patch changes only what it names. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
