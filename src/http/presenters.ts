// What the API shows of each stored row: dates as ISO strings, never a hash.
import type { ApiTokenRow } from '../services/auth/api-tokens.js';
import type { UserRow } from '../services/auth/users.js';
import type { ComponentRow, GroupRow } from '../services/catalog/components.js';
import type { ClientRow, ContactRow } from '../services/clients/clients.js';
import type { SlaPolicyRow } from '../services/sla/sla-policies.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const presentUser = (u: UserRow) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  clientId: u.clientId,
  isDisabled: u.isDisabled,
  hasPassword: u.passwordHash !== null,
  createdAt: iso(u.createdAt),
});

export const presentToken = (t: ApiTokenRow) => ({
  id: t.id,
  userId: t.userId,
  name: t.name,
  createdAt: iso(t.createdAt),
  expiresAt: iso(t.expiresAt),
  revokedAt: iso(t.revokedAt),
});

export const presentComponent = (c: ComponentRow) => ({
  id: c.id,
  name: c.name,
  description: c.description,
  groupId: c.groupId,
  status: c.status,
  position: c.position,
  updatedAt: iso(c.updatedAt),
});

export const presentGroup = (g: GroupRow) => ({ id: g.id, name: g.name, description: g.description, position: g.position });

export const presentClient = (c: ClientRow) => ({ id: c.id, name: c.name, slug: c.slug, tier: c.tier, componentIds: c.componentIds, createdAt: iso(c.createdAt) });

export const presentContact = (c: ContactRow) => ({
  id: c.id,
  clientId: c.clientId,
  name: c.name,
  email: c.email,
  language: c.language,
  role: c.role,
  channels: c.channels as string[],
  kinds: c.kinds as string[] | null,
});

export const presentPolicy = (p: SlaPolicyRow) => ({
  id: p.id,
  tier: p.tier,
  severity: p.severity,
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
