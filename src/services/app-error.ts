// The one error type services throw. Codes know nothing of HTTP; the edge maps them to statuses.
import type { RefusalCode } from '../domain/incident/lifecycle.js';

export type ErrorCode =
  | RefusalCode
  | 'unauthenticated'
  | 'not_found'
  | 'invalid_input'
  | 'conflict'
  | 'rate_limited'
  | 'idempotency_key_reused'
  | 'csrf_failed'
  | 'no_contacts'
  | 'invalid_template'
  | 'not_approver';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { missing?: string[]; field?: string; issues?: { part: string; line: number | null; message: string }[]; retryAfterS?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found.`);
