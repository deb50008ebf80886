// What route-walking tests need to know about the API: every operation in the OpenAPI document,
// what each path parameter refers to, and a plausible body for every write. A route this file does
// not know makes those tests fail loudly, so a new route cannot go untested.
import type { Caller } from './test-app.js';
import { fullDisclosures } from './factories.js';

export type JsonSchema = {
  type?: string | string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  maxLength?: number;
  minLength?: number;
  [k: string]: unknown;
};

export interface Operation {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The OpenAPI path template, e.g. /api/v1/clients/{id}/contacts/{contactId}. */
  path: string;
  pathParams: string[];
  queryParams: { name: string; schema: JsonSchema }[];
  bodySchema: JsonSchema | null;
}

export const isWrite = (op: Operation) => op.method !== 'GET';

/**
 * Routes that answer with a stream that stays open (server-sent events): app.inject would wait
 * forever, so walkers test them over a real socket instead. Any other route that does not answer
 * in time fails the walk.
 */
export const STREAM_ROUTES = new Set(['GET /api/v1/events']);

/**
 * POSTs that only try a command and write nothing: they answer what the command would do, a refusal
 * included, in a 200 body, so an unknown id in their body is reported there rather than as a 4xx.
 */
export const DRY_RUN_ROUTES = new Set(['POST /api/v1/incidents/{id}/communications/preview']);
export const routeKey = (op: Pick<Operation, 'method' | 'path'>) => `${op.method} ${op.path}`;

export async function loadOperations(caller: Caller): Promise<Operation[]> {
  const res = await caller.get('/api/openapi.json');
  if (res.status !== 200) throw new Error(`GET /api/openapi.json answered ${res.status}`);
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(res.body.paths as Record<string, Record<string, any>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []) as { in: string; name: string; schema: JsonSchema }[];
      ops.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        pathParams: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        bodySchema: (op.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined) ?? null,
      });
    }
  }
  if (ops.length < 10) throw new Error(`The OpenAPI document lists only ${ops.length} operations`);
  return ops;
}

/** What a path parameter names. */
export type IdKind = 'user' | 'token' | 'group' | 'component' | 'client' | 'contact' | 'endpoint' | 'policy' | 'template' | 'incident' | 'obligation' | 'communication' | 'maintenance' | 'tier' | 'integration' | 'triage' | 'attachment';

const BY_COLLECTION: Record<string, IdKind> = {
  users: 'user',
  tokens: 'token',
  'component-groups': 'group',
  components: 'component',
  clients: 'client',
  'sla-policies': 'policy',
  incidents: 'incident',
  communications: 'communication',
  templates: 'template',
  maintenance: 'maintenance',
  integrations: 'integration',
  triage: 'triage',
};
const BY_NAME: Record<string, IdKind> = { contactId: 'contact', endpointId: 'endpoint', obligationId: 'obligation', attachmentId: 'attachment', tier: 'tier' };

/** The kind of each path parameter of `path`; throws for a parameter this walker cannot fill. */
export function pathParamKinds(path: string): Record<string, IdKind> {
  const segments = path.split('/');
  const kinds: Record<string, IdKind> = {};
  segments.forEach((seg, i) => {
    const m = /^\{(\w+)\}$/.exec(seg);
    if (!m) return;
    const name = m[1]!;
    const kind = name === 'id' ? BY_COLLECTION[segments[i - 1] ?? ''] : BY_NAME[name];
    if (!kind) throw new Error(`Route walker: no idea what path parameter {${name}} of ${path} refers to; teach test/support/openapi-walk.ts`);
    kinds[name] = kind;
  });
  return kinds;
}

/** The values of an enum query parameter (each is tried on its own). */
export const queryEnumValues = (op: Operation, name: string): string[] =>
  schemaVariants(op.queryParams.find((p) => p.name === name)?.schema).flatMap((s) => (s.enum ?? []).filter((v): v is string => typeof v === 'string'));

/** The kind of a uuid query parameter; `null` for a position (cursor). Throws for an unknown one. */
export function queryParamKind(op: Operation, name: string): IdKind | null | undefined {
  const q = op.queryParams.find((p) => p.name === name)!;
  const isUuid = schemaVariants(q.schema).some((s) => s.format === 'uuid');
  if (name === 'cursor') return null;
  const known: Record<string, IdKind> = { clientId: 'client', componentId: 'component', incidentId: 'incident', integrationId: 'integration' };
  if (known[name]) return known[name];
  if (isUuid) throw new Error(`Route walker: no idea what query parameter ${name} of ${routeKey(op)} refers to; teach test/support/openapi-walk.ts`);
  return undefined;
}

/** Ids a body may name: the caller's own, or (in the tenant test) another tenant's. */
export interface BodyIds {
  clientId: string;
  componentId: string;
  groupId: string | null;
  userId: string;
  userEmail: string;
  incidentId: string;
  contactId: string;
}

/** A maintenance window's time in the bodies below: fixed per run, so a body is the same on every call. */
const WALK_START = new Date(Math.ceil((Date.now() + 3 * 86_400_000) / 3_600_000) * 3_600_000);
const walkTimes = (hours: number) => ({ startsAt: WALK_START.toISOString(), endsAt: new Date(WALK_START.getTime() + hours * 3_600_000).toISOString() });

/** Plausible bodies per write route (the first is the "valid" base body); undefined means no body. */
const WRITE_BODIES: Record<string, (ids: BodyIds) => unknown[]> = {
  'POST /api/v1/auth/login': (ids) => [{ email: ids.userEmail, password: 'not-the-password-1' }],
  'POST /api/v1/auth/logout': () => [undefined],
  'POST /api/v1/setup': () => [{ token: '3f1c2a8e-0d4b-4b8e-9a51-2f6c1d7e9b00.not-a-secret', email: 'setup-walker@example.test', name: 'Setup walker', password: 'a-long-password-1' }],
  'POST /api/v1/users': (ids) => [
    { email: 'walker-user@example.test', name: 'Walker user', role: 'client', clientId: ids.clientId },
    { email: 'walker-member@example.test', name: 'Walker member', role: 'member' },
  ],
  'PATCH /api/v1/users/{id}': () => [{ name: 'Walker renamed' }, { role: 'viewer' }, { isDisabled: true }],
  'POST /api/v1/tokens': () => [{ name: 'Walker token', expiresInDays: 1 }],
  'DELETE /api/v1/tokens/{id}': () => [undefined],
  'POST /api/v1/component-groups': () => [{ name: 'Walker group', description: 'Made by a test', position: 1 }],
  'PATCH /api/v1/component-groups/{id}': () => [{ name: 'Walker group renamed', position: 3 }],
  'POST /api/v1/components': (ids) => [{ name: 'Walker component', groupId: ids.groupId }],
  'PATCH /api/v1/components/{id}': (ids) => [{ status: 'major_outage' }, { name: 'Walker component renamed', groupId: ids.groupId }],
  'POST /api/v1/clients': (ids) => [{ name: 'Walker client', slug: 'walker-client', tier: 'gold', componentIds: [ids.componentId] }],
  'PATCH /api/v1/clients/{id}': (ids) => [{ name: 'Walker client renamed' }, { componentIds: [ids.componentId] }],
  'POST /api/v1/clients/{id}/contacts': () => [{ name: 'Walker contact', email: 'walker-contact@example.test', language: 'de', role: 'executive' }],
  'PATCH /api/v1/clients/{id}/contacts/{contactId}': () => [{ name: 'Walker contact renamed', email: 'walker-contact-2@example.test' }],
  'DELETE /api/v1/clients/{id}/contacts/{contactId}': () => [undefined],
  'POST /api/v1/clients/{id}/endpoints': () => [{ kind: 'webhook', name: 'Walker hook', url: 'https://hooks.example.test/walker' }],
  'PATCH /api/v1/clients/{id}/endpoints/{endpointId}': () => [{ name: 'Walker hook renamed', url: 'https://hooks.example.test/renamed' }, { isEnabled: false, rotateSecret: true }],
  'DELETE /api/v1/clients/{id}/endpoints/{endpointId}': () => [undefined],
  'POST /api/v1/clients/{id}/status-link': () => [{}],
  'POST /api/v1/templates': () => [{ kind: 'update', language: 'de', channel: 'email', parts: { subject: 'Walker {{ incident.key }}', text: 'Walker text' }, note: 'Walker' }],
  'POST /api/v1/templates/{id}/preview': (ids) => [
    { incidentId: ids.incidentId, clientId: ids.clientId, contactId: ids.contactId, body: 'Walker body' },
    { incidentId: ids.incidentId, clientId: ids.clientId, parts: { subject: 'Walker', text: 'Walker {{ incident.key }}' } },
  ],
  'PATCH /api/v1/templates/{id}': () => [{ parts: { subject: 'Walker', text: 'Walker text' }, note: 'Walker' }],
  'POST /api/v1/incidents/{id}/communications/preview': (ids) => [{ kind: 'update', clientIds: [ids.clientId], body: 'Walker body' }, { kind: 'initial' }],
  'POST /api/v1/communications/{id}/approval': () => [{ isApproved: true, note: 'Walker' }, { isApproved: false, note: 'Walker' }],
  'POST /api/v1/notifications/read': () => [{ ids: ['0b7e4c1a-5d2f-4a8e-9c3b-6f1d2e3a4b5c'] }],
  'POST /api/v1/sla-policies': (ids) => [
    { tier: 'walker', severity: 'SEV1', initialNoticeMinutes: 30, updateEveryMinutes: 60, resolutionNoticeMinutes: 60, rcaBusinessDays: 5, ownerId: ids.userId },
  ],
  'PATCH /api/v1/sla-policies/{id}': (ids) => [{ initialNoticeMinutes: 45 }, { ownerId: ids.userId }],
  'POST /api/v1/incidents': (ids) => [
    { title: 'Walker report', description: 'Walker description', impacts: [{ componentId: ids.componentId, status: 'degraded_performance' }], clientIds: [ids.clientId] },
    { title: 'Walker report', description: 'Walker description' },
    { title: 'Walker report', impacts: [{ componentId: ids.componentId, status: 'degraded_performance' }] },
    { title: 'Walker report', clientIds: [ids.clientId] },
  ],
  'POST /api/v1/incidents/{id}/classification': (ids) => [
    { severity: 'SEV3', impacts: [{ componentId: ids.componentId, status: 'partial_outage' }], isClientAffected: true, reason: 'Walker', addClientIds: [ids.clientId] },
    { severity: 'SEV4', impacts: [], isClientAffected: false, reason: 'Walker', removeClientIds: [ids.clientId] },
  ],
  'POST /api/v1/incidents/{id}/affected-clients': (ids) => [{ addClientIds: [ids.clientId] }, { removeClientIds: [ids.clientId] }],
  'POST /api/v1/incidents/{id}/state': () => [{ state: 'identified', note: 'Walker' }],
  'POST /api/v1/incidents/{id}/disclosures': () => [fullDisclosures()],
  'POST /api/v1/incidents/{id}/roles': (ids) => [{ incidentManagerId: ids.userId, communicationLeadId: ids.userId }, { technicalTeamIds: [ids.userId] }],
  'POST /api/v1/incidents/{id}/internal-summary': () => [{ summary: 'Walker summary' }],
  'POST /api/v1/incidents/{id}/close': () => [{ waiveReason: 'Walker' }, {}],
  'POST /api/v1/incidents/{id}/notes': () => [{ text: 'Walker note' }],
  'POST /api/v1/incidents/{id}/obligations/{obligationId}/waiver': () => [{ reason: 'Walker waiver' }],
  'POST /api/v1/incidents/{id}/public-updates': () => [{ title: 'Walker public', body: 'Walker public text', state: 'identified' }, { body: 'Walker public text' }],
  'POST /api/v1/incidents/{id}/public-updates/withdrawal': () => [{ reason: 'Walker withdrawal' }],
  'POST /api/v1/maintenance': (ids) => [
    { title: 'Walker window', description: 'Walker', componentIds: [ids.componentId], ...walkTimes(2) },
    { title: 'Walker emergency', kind: 'emergency', justification: 'Walker', incidentId: ids.incidentId, componentIds: [ids.componentId], addClientIds: [ids.clientId], endsAt: walkTimes(1).endsAt },
  ],
  'PATCH /api/v1/maintenance/{id}': (ids) => [{ title: 'Walker window renamed' }, { componentIds: [ids.componentId], addClientIds: [ids.clientId] }],
  'POST /api/v1/maintenance/{id}/reschedule': () => [{ ...walkTimes(3), note: 'Walker' }],
  'POST /api/v1/maintenance/{id}/cancel': () => [{ reason: 'Walker' }],
  'POST /api/v1/maintenance/{id}/start': () => [{ note: 'Walker' }],
  'POST /api/v1/maintenance/{id}/complete': () => [{ note: 'Walker' }],
  'PUT /api/v1/maintenance/notice-schedules/{tier}': () => [{ advanceMinutes: [1440, 60], atStart: true, atCompletion: false }],
  'DELETE /api/v1/maintenance/notice-schedules/{tier}': () => [undefined],
  'POST /api/v1/integrations': (ids) => [
    { kind: 'generic', name: 'Walker checks', slug: 'walker-checks', groupKeyPath: 'labels.service', rules: [{ match: { service: 'api' }, componentIds: [ids.componentId], severity: 'SEV2' }], defaultComponentIds: [ids.componentId] },
    { kind: 'alertmanager', name: 'Walker Prometheus', slug: 'walker-prometheus', isSigned: true, defaultAction: 'triage' },
  ],
  'PATCH /api/v1/integrations/{id}': (ids) => [{ name: 'Walker renamed', rules: [{ matchRegex: { service: 'api|web' }, componentIds: [ids.componentId], action: 'triage' }] }, { rotateToken: true, rotateSecret: true }],
  'POST /api/v1/triage/{id}/promotion': (ids) => [{ severity: 'SEV3', componentIds: [ids.componentId], clientId: ids.clientId, note: 'Walker' }, {}],
  'POST /api/v1/triage/{id}/dismissal': () => [{ reason: 'Walker dismissal' }],
  'POST /api/v1/clients/{id}/report-link': () => [undefined],
  'DELETE /api/v1/clients/{id}/report-link': () => [undefined],
  'POST /api/v1/incidents/{id}/communications': (ids) => [
    { kind: 'update', clientIds: [ids.clientId], subject: 'Walker update', body: 'Walker body' },
    { kind: 'initial' },
  ],
};

/** Plausible bodies for a write route; throws for a route this walker does not know. */
export function writeBodies(op: Operation, ids: BodyIds): unknown[] {
  const make = WRITE_BODIES[routeKey(op)];
  if (!make) throw new Error(`Route walker: no plausible body for ${routeKey(op)}; add one to test/support/openapi-walk.ts`);
  return make(ids);
}

/** A schema's alternatives (anyOf/oneOf flattened). */
export function schemaVariants(s: JsonSchema | undefined): JsonSchema[] {
  if (!s) return [];
  if (s.anyOf) return s.anyOf.flatMap(schemaVariants);
  if (s.oneOf) return s.oneOf.flatMap(schemaVariants);
  return [s];
}

/** The JSON types a schema accepts ('integer' counted as 'number'). */
export function jsonTypes(s: JsonSchema | undefined): Set<string> {
  const out = new Set<string>();
  for (const v of schemaVariants(s)) {
    const types = v.type === undefined ? (v.enum ? v.enum.map((e) => (e === null ? 'null' : Array.isArray(e) ? 'array' : typeof e)) : ['any']) : Array.isArray(v.type) ? v.type : [v.type];
    for (const t of types) out.add(t === 'integer' ? 'number' : t);
  }
  return out;
}

/** Fills a path template: `/clients/{id}` with `{ id: 'x' }`. */
export const fillPath = (path: string, values: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name]!));
