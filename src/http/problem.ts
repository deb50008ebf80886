// RFC 9457 problem details: the only place that knows which error code is which HTTP status.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode } from '../services/app-error.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_incident_manager: 403,
  not_communication_lead: 403,
  not_publisher: 403,
  not_published: 409,
  public_text_required: 422,
  public_text_has_variables: 422,
  csrf_failed: 403,
  not_found: 404,
  conflict: 409,
  idempotency_key_reused: 422,
  missing_disclosures: 422,
  reason_required: 422,
  internal_summary_required: 422,
  no_contacts: 422,
  invalid_template: 422,
  not_approver: 403,
  rate_limited: 429,
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  missing?: string[];
  field?: string;
  errors?: { field: string; message: string }[];
  issues?: { part: string; line: number | null; message: string }[];
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, p: Omit<Problem, 'type' | 'title'> & { title?: string }) {
  const body: Problem = { type: `urn:herald:problem:${p.code}`, title: p.title ?? p.code.replaceAll('_', ' '), ...p, instance: request.url.split('?')[0] };
  return reply.code(p.status).type('application/problem+json').send(body);
}

/** PostgreSQL errors that mean "your input was wrong", never a server fault. */
const PG_INPUT_ERRORS: Record<string, [number, string]> = {
  '22P02': [400, 'invalid_input'],
  '22007': [400, 'invalid_input'],
  '22008': [400, 'invalid_input'],
  '22003': [400, 'invalid_input'],
  '22001': [400, 'invalid_input'],
  '22021': [400, 'invalid_input'],
  '22P05': [400, 'invalid_input'],
  '23503': [409, 'conflict'],
  '23505': [409, 'conflict'],
};

/** The SQLSTATE of a database error; drizzle wraps driver errors (DrizzleQueryError), the code is on `cause`. */
export function pgErrorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 3; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

/** Where in a request's body, query or params a string holds a NUL character (PostgreSQL cannot store one). */
function nulAt(v: unknown, at: string): string | null {
  if (typeof v === 'string') return v.includes('\u0000') ? at : null;
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const found = nulAt(x, `${at}.${k}`);
      if (found) return found;
    }
  }
  return null;
}

/** preValidation hook: refuses NUL characters in any string of the request, naming the field. */
export async function rejectNulCharacters(request: FastifyRequest) {
  const field = nulAt(request.body, 'body') ?? nulAt(request.query, 'querystring') ?? nulAt(request.params, 'params');
  if (field) throw new AppError('invalid_input', `${field} contains a NUL character (\\u0000), which cannot be stored.`, { field });
}

export function errorHandler(error: FastifyError & { code?: string }, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof AppError) {
    const status = STATUS[error.code] ?? 409;
    if (error.details.retryAfterS !== undefined) reply.header('retry-after', String(error.details.retryAfterS));
    return sendProblem(reply, request, {
      status,
      code: error.code,
      detail: error.message,
      ...(error.details.missing && { missing: error.details.missing }),
      ...(error.details.field && { field: error.details.field }),
      ...(error.details.issues && { issues: error.details.issues }),
    });
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((v) => ({
      field: [error.validationContext, ...String(v.instancePath).split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'is not valid',
    }));
    return sendProblem(reply, request, {
      status: 400,
      code: 'invalid_input',
      detail: `Invalid ${errors.map((e) => e.field).join(', ')}: ${errors[0]?.message ?? ''}`,
      field: errors[0]?.field ?? String(error.validationContext),
      errors,
    });
  }
  const sqlState = pgErrorCode(error);
  const pg = sqlState ? PG_INPUT_ERRORS[sqlState] : undefined;
  if (pg) return sendProblem(reply, request, { status: pg[0], code: pg[1], detail: 'The request refers to something that does not exist or has a value of the wrong form.' });
  if (error.statusCode && error.statusCode < 500) {
    const code = error.statusCode === 429 ? 'rate_limited' : error.statusCode === 413 ? 'payload_too_large' : error.statusCode === 415 ? 'unsupported_media_type' : 'invalid_input';
    return sendProblem(reply, request, { status: error.statusCode, code, detail: error.message, ...(code === 'invalid_input' && { field: 'body' }) });
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, request, { status: 500, code: 'internal', detail: 'Something went wrong on our side; it has been logged.' });
}
