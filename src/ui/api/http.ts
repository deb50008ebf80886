// The one way the console talks to Herald: JSON over /api/v1 with the session cookie, the CSRF token
// on every change, and RFC 9457 problems turned into ApiError.

export interface TemplateIssue {
  part: string;
  line: number | null;
  message: string;
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly missing: string[];
  readonly field: string | null;
  readonly errors: { field: string; message: string }[];
  /** Where a template would not render: its part and line (422 invalid_template). */
  readonly issues: TemplateIssue[];
  /** How long to wait before asking again, from the Retry-After header (429 and 503 answers); null when not given. */
  readonly retryAfterS: number | null;

  constructor(
    status: number,
    body: { code?: string; detail?: string; title?: string; missing?: string[]; field?: string; errors?: { field: string; message: string }[]; issues?: TemplateIssue[] } | null,
    retryAfter: string | null = null,
  ) {
    super(body?.detail ?? body?.title ?? `The server answered ${status}.`);
    this.status = status;
    this.code = body?.code ?? 'http_error';
    this.missing = body?.missing ?? [];
    this.field = body?.field ?? null;
    this.errors = body?.errors ?? [];
    this.issues = body?.issues ?? [];
    this.retryAfterS = secondsFromRetryAfter(retryAfter);
  }
}

/** Retry-After is either a number of seconds or an HTTP date (RFC 9110 §10.2.3). */
function secondsFromRetryAfter(value: string | null): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`/api/v1${path}`, { method, headers, credentials: 'same-origin', ...(body !== undefined && { body: JSON.stringify(body) }) });
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const parsed: unknown = type.includes('json') ? await res.json() : null;
  if (!res.ok) throw new ApiError(res.status, parsed as ConstructorParameters<typeof ApiError>[1], res.headers.get('retry-after'));
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
};

/** A query string from the defined values only. */
export function qs(params: Record<string, string | number | null | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}
