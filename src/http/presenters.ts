// What the API shows of each stored row: dates as ISO strings, never a hash.
import type { ApiTokenRow } from '../services/auth/api-tokens.js';
import type { UserRow } from '../services/auth/users.js';
import type { ComponentRow, GroupRow } from '../services/catalog/components.js';
import type { ClientRow, ContactRow } from '../services/clients/clients.js';
import type { SlaPolicyRow } from '../services/sla/sla-policies.js';
import type { z } from 'zod';
import type { ApiToken, Client, Component, ComponentGroup, Contact, SlaPolicy, User } from './response-schemas/catalog.js';
import type { ComponentStatus, ContactRole, InstallRole, MessageKind, Severity } from './response-schemas/common.js';

// Each presenter returns the type of its documented schema, so a field added to one but not the
// other fails to compile. Columns stored as text are narrowed to the vocabulary the API documents.
type Out<T extends z.ZodType> = z.output<T>;

function iso(d: Date): string;
function iso(d: Date | null): string | null;
function iso(d: Date | null) {
  return d ? d.toISOString() : null;
}

export const presentUser = (u: UserRow): Out<typeof User> => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role as Out<typeof InstallRole>,
  clientId: u.clientId,
  isDisabled: u.isDisabled,
  hasPassword: u.passwordHash !== null,
  createdAt: iso(u.createdAt),
});

export const presentToken = (t: ApiTokenRow): Out<typeof ApiToken> => ({
  id: t.id,
  userId: t.userId,
  name: t.name,
  createdAt: iso(t.createdAt),
  expiresAt: iso(t.expiresAt),
  revokedAt: iso(t.revokedAt),
});

export const presentComponent = (c: ComponentRow): Out<typeof Component> => ({
  id: c.id,
  name: c.name,
  description: c.description,
  groupId: c.groupId,
  status: c.status as Out<typeof ComponentStatus>,
  position: c.position,
  updatedAt: iso(c.updatedAt),
});

export const presentGroup = (g: GroupRow): Out<typeof ComponentGroup> => ({ id: g.id, name: g.name, description: g.description, position: g.position });

export const presentClient = (c: ClientRow): Out<typeof Client> => ({ id: c.id, name: c.name, slug: c.slug, tier: c.tier, componentIds: c.componentIds, createdAt: iso(c.createdAt) });

export const presentContact = (c: ContactRow): Out<typeof Contact> => ({
  id: c.id,
  clientId: c.clientId,
  name: c.name,
  email: c.email,
  language: c.language,
  role: c.role as Out<typeof ContactRole>,
  channels: c.channels as string[],
  kinds: c.kinds as Out<typeof MessageKind>[] | null,
});

export const presentPolicy = (p: SlaPolicyRow): Out<typeof SlaPolicy> => ({
  id: p.id,
  tier: p.tier,
  severity: p.severity as Out<typeof Severity>,
  initialNoticeMinutes: p.initialNoticeMinutes,
  updateEveryMinutes: p.updateEveryMinutes,
  resolutionNoticeMinutes: p.resolutionNoticeMinutes,
  rcaBusinessDays: p.rcaBusinessDays,
  requiresApproval: p.requiresApproval,
  ownerId: p.ownerId,
  updatedAt: iso(p.updatedAt),
});

/** A page of rows fetched with limit+1: the extra row only tells that there is more. */
export function pageOf<T extends { id: string }, P>(rows: T[], limit: number, present: (r: T) => P) {
  const items = rows.slice(0, limit);
  return { items: items.map(present), nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}
