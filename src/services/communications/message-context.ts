// Everything a client message is built from, read in one statement: the clients it goes to (and which
// of them can be reached), their endpoints and components, the names of the impacted components, the
// current templates of the message's kind, what was sent on the incident before, the earlier incidents
// each client is told about in an initial notice, the Message-IDs later messages thread under and,
// for a message to a few clients, their contacts. A message is one of the busiest commands; as a
// dozen statements it spent more time on round trips than on its work.
import { json } from '../sql-rows.js';
import type { PastOccurrence } from '../../domain/messages/past-occurrence.js';
import type { MessageKind } from '../../domain/types.js';
import { sql, type SQL } from 'drizzle-orm';
import { queryComposed } from '../../db/raw.js';
import { memoryOf } from '../handle-memory.js';
import type { Ctx } from '../context.js';
import type { ActiveTemplate } from '../templates/templates.js';
import { pastOccurrencesSince, pastOccurrencesSql, toPastOccurrences } from './past-occurrences.js';

/** Clients whose contacts are read with one query (and up to which the context statement reads them). */
export const CLIENTS_PER_READ = 50;

export interface ContextClient {
  id: string;
  name: string;
  slug: string;
  tier: string;
  /** Has a contact who takes e-mail and this kind of message. */
  isReached: boolean;
}

export interface ContextContact {
  id: string;
  clientId: string;
  name: string;
  email: string;
  language: string;
  role: string;
}

export interface ContextEndpoint {
  id: string;
  clientId: string;
  kind: string;
  name: string;
}

export interface EarlierMessage {
  kind: MessageKind;
  body: string;
  sentAt: Date | null;
  clientIds: string[];
}

export interface MessageContext {
  /** In name order. */
  clients: ContextClient[];
  endpoints: ContextEndpoint[];
  componentNames: Map<string, string>;
  links: { clientId: string; componentId: string }[];
  /** The current version of each template of the message's kind, keyed "kind/language/channel". */
  templates: Map<string, ActiveTemplate>;
  /** Messages sent on the incident before, oldest first. */
  earlier: EarlierMessage[];
  /** Initial notices only: the earlier incidents of each client. */
  past: Record<string, PastOccurrence[]>;
  /** Later messages: the Message-ID of the initial notice each contact received. */
  threads: Map<string, string>;
  /** The contacts who receive this kind by e-mail, by address, when the message goes to at most CLIENTS_PER_READ clients; else null (read a group at a time). */
  contacts: ContextContact[] | null;
  /** Whether anyone follows a client's status page (else no subscriber notices need to be looked for; the public page's followers get only published entries). */
  hasSubscribers: boolean;
}

/** Contacts `k` who take e-mail and messages of kind `kind` (no kinds listed: every kind). */
export const receives = (kind: MessageKind) => sql`k.channels ? 'email' AND (k.kinds IS NULL OR jsonb_typeof(k.kinds) = 'null' OR k.kinds ? ${kind}::text)`;

const CONTACT_JSON = sql.raw(`json_build_object('id', k.id, 'clientId', k.client_id, 'name', k.name, 'email', k.email, 'language', k.language, 'role', k.role)`);

interface ContextValues {
  incidentId: string;
  clientIds: string[];
  kind: MessageKind;
  componentIds: string[];
  /** Past occurrences are looked for in [since, before): before is the incident's report time. */
  since: Date;
  before: Date;
  /** The template versions this process has the parts of ("id:version"). */
  knownVersions: string[];
}

/**
 * The context statement. Its text depends only on the kind of message (initial or later) and whether
 * contacts are read, so that each of the four is planned once: a condition on a value would have it
 * planned at every call.
 */
export function contextStatement(v: ContextValues, withContacts: boolean): SQL {
  const incident = sql`${v.incidentId}::uuid`;
  const pastOrThreads =
    v.kind === 'initial'
      ? sql`(SELECT COALESCE(json_object_agg(t.id, ${pastOccurrencesSql({
          client: sql`t.id`,
          incident,
          since: sql`${v.since.toISOString()}::timestamptz`,
          before: sql`${v.before.toISOString()}::timestamptz`,
          impacted: sql`SELECT id FROM impacted`,
        })}), '{}') FROM target t) AS past, NULL::json AS threads`
      : sql`NULL::json AS past, (SELECT COALESCE(json_agg(json_build_object('contactId', d.contact_id, 'messageId', d.message_id)), '[]')
    FROM communications m JOIN communication_recipients d ON d.communication_id = m.id
    WHERE m.incident_id = ${incident} AND m.kind = 'initial' AND d.channel IN ('email', 'outbox') AND d.contact_id IS NOT NULL) AS threads`;
  const contacts = withContacts
    ? sql`(SELECT COALESCE(json_agg(${CONTACT_JSON} ORDER BY k.email), '[]') FROM contacts k WHERE k.client_id IN (SELECT id FROM target) AND ${receives(v.kind)}) AS contacts`
    : sql`NULL::json AS contacts`;
  return sql`WITH target AS (SELECT DISTINCT value::uuid AS id FROM jsonb_array_elements_text(${JSON.stringify(v.clientIds)}::jsonb)),
  impacted AS (SELECT DISTINCT value::uuid AS id FROM jsonb_array_elements_text(${JSON.stringify(v.componentIds)}::jsonb))
SELECT
  (SELECT COALESCE(json_agg(json_build_object('id', c.id, 'name', c.name, 'slug', c.slug, 'tier', c.tier,
      'isReached', EXISTS (SELECT 1 FROM contacts k WHERE k.client_id = c.id AND ${receives(v.kind)})) ORDER BY c.name, c.id), '[]')
    FROM clients c WHERE c.id IN (SELECT id FROM target)) AS clients,
  (SELECT COALESCE(json_agg(json_build_object('id', e.id, 'clientId', e.client_id, 'kind', e.kind, 'name', e.name) ORDER BY e.created_at, e.id), '[]')
    FROM client_endpoints e WHERE e.client_id IN (SELECT id FROM target) AND e.is_enabled) AS endpoints,
  (SELECT COALESCE(json_agg(json_build_object('id', co.id, 'name', co.name)), '[]') FROM components co WHERE co.id IN (SELECT id FROM impacted)) AS components,
  (SELECT COALESCE(json_agg(json_build_object('clientId', l.client_id, 'componentId', l.component_id)), '[]')
    FROM client_components l WHERE l.client_id IN (SELECT id FROM target)) AS links,
  (SELECT COALESCE(json_agg(json_build_object('kind', t.kind, 'language', t.language, 'channel', t.channel, 'id', t.id, 'version', t.current_version,
      'parts', CASE WHEN ${JSON.stringify(v.knownVersions)}::jsonb ? (t.id::text || ':' || t.current_version::text) THEN NULL
        ELSE (SELECT tv.parts FROM template_versions tv WHERE tv.template_id = t.id AND tv.version = t.current_version) END)), '[]')
    FROM templates t WHERE t.kind = ${v.kind}) AS templates,
  (SELECT COALESCE(json_agg(json_build_object('kind', m.kind, 'body', m.body, 'sentAt', m.sent_at, 'clientIds', m.client_ids) ORDER BY m.sent_at), '[]')
    FROM communications m WHERE m.incident_id = ${incident} AND m.status = 'sent') AS earlier,
  ${pastOrThreads},
  ${contacts},
  EXISTS (SELECT 1 FROM status_subscribers s WHERE s.status = 'active' AND s.client_id IS NOT NULL) AS has_subscribers`;
}

/** Versions kept per kind of message (a few per language and channel; edits add more). */
const TEMPLATE_PARTS_KEPT = 64;

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string));

export async function loadMessageContext(
  ctx: Ctx,
  input: { incidentId: string; clientIds: string[]; kind: MessageKind; componentIds: string[]; reportedAt: string },
): Promise<MessageContext> {
  const before = new Date(input.reportedAt);
  const since = pastOccurrencesSince(ctx, before);
  // The parts of template versions already read, by "id:version" (a version never changes once saved):
  // a message reads only the parts of a version this process has not seen.
  const templateParts = memoryOf(ctx.tx).templateParts;
  // The versions this call says it has, and resolves from (another call may drop them from the cache meanwhile).
  const had = new Map(templateParts.get(input.kind) ?? []);
  const statement = contextStatement({ ...input, since, before, knownVersions: [...had.keys()] }, input.clientIds.length <= CLIENTS_PER_READ);
  const [row] = await queryComposed<Record<string, unknown>>(ctx.tx, statement, 'herald_message_context');
  const r = row!;
  const templates = new Map<string, ActiveTemplate>();
  for (const t of json<{ kind: string; language: string; channel: string; id: string; version: number; parts: Record<string, string> | null }[]>(r.templates)) {
    const key = `${t.id}:${t.version}`;
    let known = templateParts.get(input.kind);
    if (!known) templateParts.set(input.kind, (known = new Map()));
    let parts = t.parts ?? had.get(key);
    if (!parts) throw new Error(`template ${key} came without its parts`);
    if (t.parts) {
      if (known.size >= TEMPLATE_PARTS_KEPT) known.clear();
      known.set(key, (parts = t.parts));
    }
    templates.set(`${t.kind}/${t.language}/${t.channel}`, { templateId: t.id, version: t.version, parts });
  }
  const past: Record<string, PastOccurrence[]> = {};
  if (r.past) for (const [clientId, found] of Object.entries(json<Record<string, unknown>>(r.past))) past[clientId] = toPastOccurrences(ctx, found);
  return {
    clients: json<ContextClient[]>(r.clients),
    endpoints: json<ContextEndpoint[]>(r.endpoints),
    componentNames: new Map(json<{ id: string; name: string }[]>(r.components).map((c) => [c.id, c.name])),
    links: json<{ clientId: string; componentId: string }[]>(r.links),
    templates,
    earlier: json<{ kind: MessageKind; body: string; sentAt: string | null; clientIds: string[] }[]>(r.earlier).map((e) => ({ ...e, sentAt: date(e.sentAt) })),
    past,
    threads: new Map(r.threads ? json<{ contactId: string; messageId: string }[]>(r.threads).map((t) => [t.contactId, t.messageId]) : []),
    contacts: r.contacts ? json<ContextContact[]>(r.contacts) : null,
    hasSubscribers: r.has_subscribers === true,
  };
}

/** The contacts of a group of clients who receive this kind of message by e-mail, by address. */
export async function loadContacts(ctx: Ctx, clientIds: string[], kind: MessageKind): Promise<ContextContact[]> {
  const [row] = await queryComposed<{ contacts: unknown }>(
    ctx.tx,
    sql`SELECT COALESCE(json_agg(${CONTACT_JSON} ORDER BY k.email), '[]') AS contacts
      FROM contacts k WHERE k.client_id IN (SELECT value::uuid FROM jsonb_array_elements_text(${JSON.stringify(clientIds)}::jsonb)) AND ${receives(kind)}`,
    'herald_message_contacts',
  );
  return json<ContextContact[]>(row?.contacts ?? '[]');
}
