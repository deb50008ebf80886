// `herald demo`: loads the five-minute tour (demo-story.ts) into an empty database and prints what to
// open, in order. It refuses a database that has clients already, a second run included: the story's
// client slugs would collide and its times are relative to the moment it is loaded.
import { randomBytes } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Database, Db } from '../db/open.js';
import { clients, users } from '../db/schema.js';
import type { Actor } from '../domain/types.js';
import { insertUser } from '../services/auth/users.js';
import type { Enqueuer, ServiceSettings } from '../services/context.js';
import { acceptAlertPayload, processAlertPayload } from '../services/intake/alert-payloads.js';
import { countAlerts, parseJsonBody, readAlertPayload } from '../services/intake/alert-formats.js';
import type { IntegrationRow } from '../services/intake/integrations.js';
import { ensureDefaultTemplates } from '../services/templates/templates.js';
import { writeDemoStory, type DemoStory } from './demo-story.js';

export type DemoConfig = Pick<Config, 'baseUrl' | 'companyName' | 'pastOccurrenceMonths' | 'adminEmail' | 'adminPassword'>;

/** Thrown when the database is not empty; the CLI prints the message and exits with status 2. */
export class DemoRefusedError extends Error {}

const DEMO_ADMIN_EMAIL = 'admin@demo.herald.local';
const ALERT_TITLE = 'Invoice run slower than usual';

interface AdminLogin {
  actor: Actor;
  email: string;
  /** Printed only when the demo chose it; an admin given or found keeps the password its owner knows. */
  password: string | null;
}

export async function loadDemo(database: Database, config: DemoConfig, now: Date): Promise<string> {
  const [existing] = await database.db.select({ id: clients.id }).from(clients).limit(1);
  if (existing) {
    throw new DemoRefusedError(
      'the database already has clients, so the demo was not loaded (it loads only into an empty one). ' +
        'To see it, point HERALD_DATA_DIR (or DATABASE_URL) at a new database and run `herald demo` again.',
    );
  }
  await ensureDefaultTemplates(database.db, now);
  const password = randomBytes(12).toString('base64url');
  // Demo messages go to the local outbox even where SMTP is configured: the contacts are made up.
  const settings: ServiceSettings = {
    baseUrl: config.baseUrl,
    pastOccurrenceMonths: config.pastOccurrenceMonths,
    companyName: config.companyName,
    emailChannel: 'outbox',
    messageIdDomain: 'demo.herald.local',
  };
  const { story, admin } = await database.transaction(async (tx) => {
    const admin = await adminLogin(tx, config, now);
    const onCall = await insertUser(tx, { email: 'oncall@demo.herald.local', name: 'Dana On-Call', role: 'member', password }, now);
    const story = await writeDemoStory({ tx, now, settings }, { admin: admin.actor, onCall: { userId: onCall.id, role: 'member', clientId: null, label: onCall.name } });
    const acmeId = (await tx.select({ id: clients.id }).from(clients).where(eq(clients.slug, 'acme')))[0]!.id;
    await insertUser(tx, { email: 'alice.park@acme.example', name: 'Alice Park', role: 'client', clientId: acmeId, password }, now);
    return { story, admin };
  });
  await alertIntoTriage(database, story.integration, now);
  return tour(config.baseUrl, story, admin, password);
}

/** The admin the tour logs in as: the one given in the environment, else one that exists, else a new one. */
async function adminLogin(tx: Db, config: DemoConfig, now: Date): Promise<AdminLogin> {
  const asActor = (u: { id: string; name: string }): Actor => ({ userId: u.id, role: 'admin', clientId: null, label: u.name });
  const admins = await tx.select().from(users).where(eq(users.role, 'admin')).orderBy(asc(users.createdAt));
  const given = config.adminEmail?.toLowerCase();
  const found = admins.find((u) => u.email.toLowerCase() === given) ?? (given ? undefined : admins[0]);
  if (found) return { actor: asActor(found), email: found.email, password: null };
  if (config.adminEmail && config.adminPassword) {
    const created = await insertUser(tx, { email: config.adminEmail, name: 'Administrator', role: 'admin', password: config.adminPassword }, now);
    return { actor: asActor(created), email: created.email, password: null };
  }
  const password = randomBytes(12).toString('base64url');
  const created = await insertUser(tx, { email: DEMO_ADMIN_EMAIL, name: 'Demo Admin', role: 'admin', password }, now);
  return { actor: asActor(created), email: created.email, password };
}

/**
 * An alert through the real intake path: the hook's step (the payload stored with its job) and the
 * job's step (alerts stored, the group routed by the integration's rule to triage). The job's work is
 * done here at once, so the item waits in triage before the server starts; the enqueued job is not
 * kept, or the server would find the payload processed and skip it anyway.
 */
async function alertIntoTriage(database: Database, integration: IntegrationRow, now: Date): Promise<void> {
  const bodyText = JSON.stringify({
    alerts: [
      {
        id: 'billing-invoice-run',
        status: 'firing',
        title: ALERT_TITLE,
        description: 'The nightly invoice run has taken 3 hours; it usually takes 40 minutes.',
        labels: { service: 'billing', check: 'invoice-run-duration' },
        startsAt: new Date(now.getTime() - 15 * 60_000).toISOString(),
      },
    ],
  });
  const groups = readAlertPayload('generic', parseJsonBody(bodyText), { groupKeyPath: integration.groupKeyPath });
  const jobs: Enqueuer = { enqueue: async () => {} };
  const { payloadId } = await acceptAlertPayload(database, jobs, { integration, bodyText, alertCount: countAlerts(groups), now });
  const outcome = await processAlertPayload(database, payloadId, () => now);
  if (outcome.status !== 'processed' || !outcome.groups.every((g) => g.triageItemId)) throw new Error(`the demo alert did not reach triage: ${JSON.stringify(outcome)}`);
}

function tour(baseUrl: string, story: DemoStory, admin: AdminLogin, password: string): string {
  const login = admin.password ? `${admin.email} / ${admin.password}` : `${admin.email} (with the password you set)`;
  return [
    `Demo loaded: ${story.componentCount} components, ${story.clients.length} clients with contacts, 3 incidents (${story.active.key} in progress), a maintenance window and an alert in triage.`,
    '',
    'Start the server (npm start), then open, in this order:',
    `  1. The console          ${baseUrl}/`,
    `     log in as ${login}`,
    `     - the board: ${story.active.key} "${story.active.title}" (SEV2), its next update due`,
    `     - ${story.active.key}: the initial notice lists ${story.closed.key} "${story.closed.title}" with its RCA as a past occurrence`,
    `     - Triage: the alert "${ALERT_TITLE}" from "${story.integration.name}", to promote or dismiss`,
    `     - Maintenance: ${story.maintenanceKey}, scheduled for next week`,
    `  2. The public page      ${baseUrl}/status`,
    `  3. Acme's private page  ${story.acmeStatusUrl}`,
    '     (a secret link, shown only now; POST /api/v1/clients/{id}/status-link makes a new one)',
    `  4. The Atom feed        ${baseUrl}/status.atom`,
    `  5. The calendar         ${baseUrl}/maintenance.ics`,
    '',
    `Other logins, password ${password}: oncall@demo.herald.local (a member on call), alice.park@acme.example (Acme's client user).`,
  ].join('\n');
}
