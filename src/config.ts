// Configuration: environment variables, validated once at start. A bad value stops start-up naming it.
import { isIP } from 'node:net';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

/**
 * Which proxies in front of Herald are believed about the client's address (X-Forwarded-For), as
 * Fastify's `trustProxy` takes it: `false` (default: the connecting address is the client, and
 * X-Forwarded-For is ignored), `true` (every hop: only when nothing but the proxy can reach Herald),
 * or a comma-separated list of the proxies' addresses, CIDR ranges, or proxy-addr's names
 * (`loopback`, `linklocal`, `uniquelocal`). A hop count is refused: Fastify 5 cannot check the
 * connecting peer with one, so it trusts nothing for it (fails closed), which would surprise whoever
 * set it. Rate limits count per `request.ip`, so this decides them.
 */
export type TrustProxy = boolean | string[];
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
function isProxyAddress(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address ?? '');
  if (!version || rest.length) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}
const trustProxy = z
  .string()
  .default('false')
  .transform((value, ctx): TrustProxy => {
    const v = value.trim();
    if (v === 'true' || v === 'false') return v === 'true';
    if (/^\d+$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: 'a hop count cannot tell a proxy from a client: give true, false, or the proxies\' addresses / CIDR ranges' });
      return z.NEVER;
    }
    const entries = v.split(',').map((x) => x.trim());
    const bad = entries.filter((x) => !isProxyAddress(x));
    if (!bad.length) return entries;
    ctx.addIssue({ code: 'custom', message: `expected true, false, or a comma-separated list of addresses / CIDR ranges; not one: ${bad.map((x) => JSON.stringify(x)).join(', ')}` });
    return z.NEVER;
  });

export const configSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  HERALD_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  HERALD_BASE_URL: z.url().optional(),
  HERALD_ADMIN_EMAIL: z.email().optional(),
  HERALD_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  HERALD_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  HERALD_PAST_OCCURRENCE_MONTHS: z.coerce.number().int().min(1).max(120).default(12),
  HERALD_TRUST_PROXY: trustProxy,
  HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS: z.enum(['true', 'false']).default('false'),
  HERALD_STATUS_PENDING_SIGNUPS_MAX: z.coerce.number().int().min(1).max(1_000_000).default(500),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  HERALD_MAIL_FROM: z.string().min(3).default('Herald <herald@localhost>'),
  HERALD_COMPANY_NAME: z.string().min(1).max(200).default('Herald'),
  HERALD_DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  HERALD_DELIVERY_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(30_000),
  HERALD_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  HERALD_INTAKE_SMTP_PORT: port.optional(),
  HERALD_INTAKE_SMTP_HOST: z.string().min(1).optional(),
  HERALD_INTAKE_MAX_MAIL_BYTES: z.coerce.number().int().min(1024).max(200 * 1024 * 1024).default(25 * 1024 * 1024),
  HERALD_INTAKE_MAX_ATTACHMENT_BYTES: z.coerce.number().int().min(0).max(200 * 1024 * 1024).default(10 * 1024 * 1024),
  HERALD_INTAKE_IMAP_URL: z
    .string()
    .regex(/^imaps?:\/\/.+/, 'must start with imap:// or imaps://')
    .optional(),
  HERALD_INTAKE_IMAP_INTERVAL_S: z.coerce.number().int().min(5).max(86_400).default(60),
  HERALD_INTAKE_VERIFY_SENDER: z.enum(['true', 'false']).default('true'),
  HERALD_INTAKE_IMAP_TRUSTED_AUTHSERV_ID: z
    .string()
    .max(255)
    .regex(/^[^\s;()"\\]+$/, 'must be the authserv-id the receiving server writes first in its Authentication-Results header, e.g. mx.example.com')
    .optional(),
  HERALD_HOOK_MAX_BYTES: z.coerce.number().int().min(1024).max(512 * 1024 * 1024).default(32 * 1024 * 1024),
  HERALD_HOOK_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(64),
  HERALD_HOOK_MAX_IN_FLIGHT_BYTES: z.coerce.number().int().min(1024).max(8 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
  HERALD_HOOK_MAX_IN_FLIGHT_PER_INTEGRATION: z.coerce.number().int().min(1).max(10_000).default(16),
  HERALD_HOOK_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(20),
  HERALD_SERVER_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  HERALD_SERVER_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  HERALD_SERVER_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  HERALD_REPORT_MIN_FILL_S: z.coerce.number().min(0).max(3600).default(3),
  HERALD_REPORT_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(5),
  HERALD_EVENT_STREAMS_PER_USER: z.coerce.number().int().min(1).max(100).default(5),
  HERALD_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').regex(/^\S+$/, 'must not contain spaces').optional(),
  HERALD_METRICS_LISTEN: z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:9464 or [::1]:9464')
    .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, 'the port must be at most 65535')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof configSchema>;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  poolMax: number;
  baseUrl: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  isCookieSecure: boolean;
  pastOccurrenceMonths: number;
  /** Fastify's trustProxy: whose X-Forwarded-For is believed (HERALD_TRUST_PROXY). */
  trustProxy: TrustProxy;
  /** Webhook subscriptions and client endpoints (webhook, Slack, Teams) may reach private networks (for installations inside a closed network). */
  allowsPrivateWebhookTargets: boolean;
  /** E-mail sign-ups and changes of one status page waiting for confirmation, at most. */
  statusPendingSignupsMax: number;
  logLevel: Env['LOG_LEVEL'];
  /** Event streams one user may hold open on one process (more: 429). */
  eventStreamsPerUser: number;
  /** Who reads /metrics (HERALD_METRICS_TOKEN, HERALD_METRICS_LISTEN); neither: /metrics is 404. */
  metrics: { token: string | null; listen: { host: string; port: number } | null };
  smtpUrl: string | null;
  mailFrom: string;
  companyName: string;
  delivery: { maxAttempts: number; retryBaseMs: number; retryMaxMs: number; httpTimeoutMs: number };
  /** How long the HTTP server waits for a client: all headers, the whole request, and an idle connection. */
  serverTimeouts: { headersTimeoutMs: number; requestTimeoutMs: number; idleTimeoutMs: number };
  intake: {
    smtpPort: number | null;
    smtpHost: string;
    maxMailBytes: number;
    maxAttachmentBytes: number;
    imapUrl: string | null;
    imapIntervalMs: number;
    /** Check SPF, DKIM and DMARC before mail speaks for a client (off only behind a relay that does). */
    verifiesSender: boolean;
    /** The receiving server whose Authentication-Results header is trusted for IMAP mail. */
    imapTrustedAuthservId: string | null;
    hookMaxBytes: number;
    hookLimits: { maxInFlight: number; maxInFlightBytes: number; maxInFlightPerIntegration: number; failuresPerMinute: number };
    reportMinFillMs: number;
    reportsPerMinute: number;
  };
}

export class ConfigError extends Error {}

/** `127.0.0.1:9464` or `[::1]:9464` (as checked by the schema) into what listen() takes. */
function hostPort(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  return { host: value.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(value.slice(at + 1)) };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.HERALD_ADMIN_EMAIL && !e.HERALD_ADMIN_PASSWORD) throw new ConfigError('Invalid configuration:\n  HERALD_ADMIN_PASSWORD: required when HERALD_ADMIN_EMAIL is set');
  if (e.HERALD_SERVER_HEADERS_TIMEOUT_MS > e.HERALD_SERVER_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('Invalid configuration:\n  HERALD_SERVER_HEADERS_TIMEOUT_MS: must not be more than HERALD_SERVER_REQUEST_TIMEOUT_MS');
  }
  const baseUrl = (e.HERALD_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.HERALD_DATA_DIR,
    databaseUrl: e.DATABASE_URL ?? null,
    poolMax: e.DATABASE_POOL_MAX,
    baseUrl,
    adminEmail: e.HERALD_ADMIN_EMAIL,
    adminPassword: e.HERALD_ADMIN_PASSWORD,
    isCookieSecure: e.HERALD_COOKIE_SECURE === 'auto' ? baseUrl.startsWith('https://') : e.HERALD_COOKIE_SECURE === 'true',
    pastOccurrenceMonths: e.HERALD_PAST_OCCURRENCE_MONTHS,
    trustProxy: e.HERALD_TRUST_PROXY,
    allowsPrivateWebhookTargets: e.HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS === 'true',
    statusPendingSignupsMax: e.HERALD_STATUS_PENDING_SIGNUPS_MAX,
    logLevel: e.LOG_LEVEL,
    eventStreamsPerUser: e.HERALD_EVENT_STREAMS_PER_USER,
    metrics: { token: e.HERALD_METRICS_TOKEN ?? null, listen: e.HERALD_METRICS_LISTEN ? hostPort(e.HERALD_METRICS_LISTEN) : null },
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.HERALD_MAIL_FROM,
    companyName: e.HERALD_COMPANY_NAME,
    intake: {
      smtpPort: e.HERALD_INTAKE_SMTP_PORT ?? null,
      smtpHost: e.HERALD_INTAKE_SMTP_HOST ?? e.HOST,
      maxMailBytes: e.HERALD_INTAKE_MAX_MAIL_BYTES,
      maxAttachmentBytes: e.HERALD_INTAKE_MAX_ATTACHMENT_BYTES,
      imapUrl: e.HERALD_INTAKE_IMAP_URL ?? null,
      imapIntervalMs: e.HERALD_INTAKE_IMAP_INTERVAL_S * 1000,
      verifiesSender: e.HERALD_INTAKE_VERIFY_SENDER === 'true',
      imapTrustedAuthservId: e.HERALD_INTAKE_IMAP_TRUSTED_AUTHSERV_ID ?? null,
      hookMaxBytes: e.HERALD_HOOK_MAX_BYTES,
      hookLimits: { maxInFlight: e.HERALD_HOOK_MAX_IN_FLIGHT, maxInFlightBytes: e.HERALD_HOOK_MAX_IN_FLIGHT_BYTES, maxInFlightPerIntegration: e.HERALD_HOOK_MAX_IN_FLIGHT_PER_INTEGRATION, failuresPerMinute: e.HERALD_HOOK_FAILURES_PER_MINUTE },
      reportMinFillMs: e.HERALD_REPORT_MIN_FILL_S * 1000,
      reportsPerMinute: e.HERALD_REPORT_RATE_PER_MINUTE,
    },
    serverTimeouts: { headersTimeoutMs: e.HERALD_SERVER_HEADERS_TIMEOUT_MS, requestTimeoutMs: e.HERALD_SERVER_REQUEST_TIMEOUT_MS, idleTimeoutMs: e.HERALD_SERVER_IDLE_TIMEOUT_MS },
    delivery: { maxAttempts: e.HERALD_DELIVERY_MAX_ATTEMPTS, retryBaseMs: e.HERALD_DELIVERY_RETRY_BASE_MS, retryMaxMs: 3_600_000, httpTimeoutMs: e.HERALD_HTTP_TIMEOUT_MS },
  };
}
