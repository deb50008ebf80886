// The SLA clock at work: before an obligation falls due the Communication Lead is reminded; once it
// is overdue the Incident Manager is alerted and the breach is written on the timeline.
// Each step is claimed with one UPDATE … RETURNING, so several processes never repeat one.
import { sql } from 'drizzle-orm';
import { inBackground, type ReportFailure } from '../background-failures.js';
import type { Mailer } from '../channels/email.js';
import type { MessageKind } from '../domain/types.js';
import type { Database, Db } from '../db/open.js';
import { userAddresses } from '../services/auth/user-addresses.js';
import { appendEvents } from '../services/incidents/incident-store.js';
import { notify } from '../services/notifications.js';
import { iso, rows } from '../services/sql-rows.js';

export interface StaffAlert {
  userIds: string[];
  subject: string;
  text: string;
}

interface Claimed {
  id: string;
  incident_id: string;
  client_id: string;
  kind: MessageKind;
  due_at: unknown;
  number: number;
  title: string;
  communication_lead_id: string | null;
  incident_manager_id: string | null;
  client_name: string;
}

/** How long before the deadline the reminder goes out: 10 minutes, or a third of a shorter window. */
const REMINDER_LEAD = sql`LEAST(interval '10 minutes', (o.due_at - o.created_at) / 3)`;

async function admins(tx: Db): Promise<string[]> {
  return (await rows<{ id: string }>(tx, sql`SELECT id FROM users WHERE role = 'admin' AND NOT is_disabled`)).map((r) => r.id);
}

const KIND_WORDS: Record<string, string> = { initial: 'initial notice', update: 'status update', resolution: 'resolution notice', rca: 'root-cause analysis' };

export async function checkObligations(database: Database, now: Date): Promise<{ reminders: number; escalations: number; alerts: StaffAlert[] }> {
  const alerts: StaffAlert[] = [];
  const counts = await database.transaction(async (tx) => {
    const returning = sql`RETURNING o.id, o.incident_id, o.client_id, o.kind, o.due_at, i.number, i.title, i.communication_lead_id, i.incident_manager_id,
      (SELECT name FROM clients c WHERE c.id = o.client_id) AS client_name`;
    const reminded = await rows<Claimed>(
      tx,
      sql`UPDATE incident_obligations o SET reminded_at = ${now} FROM incidents i
        WHERE i.id = o.incident_id AND o.status = 'open' AND o.reminded_at IS NULL AND o.escalated_at IS NULL
          AND o.due_at > ${now} AND o.due_at - ${REMINDER_LEAD} <= ${now} ${returning}`,
    );
    const overdue = await rows<Claimed>(
      tx,
      sql`UPDATE incident_obligations o SET escalated_at = ${now}, breached_at = ${now} FROM incidents i
        WHERE i.id = o.incident_id AND o.status = 'open' AND o.escalated_at IS NULL AND o.due_at <= ${now} ${returning}`,
    );
    const fallback = reminded.length || overdue.length ? await admins(tx) : [];
    for (const o of reminded) {
      const due = iso(o.due_at)!;
      const to = o.communication_lead_id ? [o.communication_lead_id] : o.incident_manager_id ? [o.incident_manager_id] : fallback;
      const title = `INC-${o.number}: ${KIND_WORDS[o.kind] ?? o.kind} to ${o.client_name} due at ${due.slice(11, 16)} UTC`;
      const body = `The ${KIND_WORDS[o.kind] ?? o.kind} to ${o.client_name} on INC-${o.number} (${o.title}) is due at ${due}.`;
      await notify(tx, { userIds: to, kind: 'obligation.reminder', incidentId: o.incident_id, title, body }, now);
      await appendEvents(tx, o.incident_id, [{ type: 'obligation.reminder', data: { obligationId: o.id, kind: o.kind, clientId: o.client_id, dueAt: due, notifiedUserIds: to } }], null, now);
      alerts.push({ userIds: to, subject: title, text: body });
    }
    for (const o of overdue) {
      const due = iso(o.due_at)!;
      const to = [...new Set([o.incident_manager_id, o.communication_lead_id].filter((x): x is string => !!x))];
      const recipients = to.length ? to : fallback;
      const title = `Overdue: INC-${o.number} ${KIND_WORDS[o.kind] ?? o.kind} to ${o.client_name}`;
      const body = `The ${KIND_WORDS[o.kind] ?? o.kind} to ${o.client_name} on INC-${o.number} (${o.title}) was due at ${due} and has not been sent.`;
      await notify(tx, { userIds: recipients, kind: 'obligation.escalated', incidentId: o.incident_id, title, body }, now);
      await appendEvents(
        tx,
        o.incident_id,
        [
          { type: 'obligation.escalated', data: { obligationId: o.id, kind: o.kind, clientId: o.client_id, dueAt: due, notifiedUserIds: recipients } },
          { type: 'obligation.breached', data: { obligationId: o.id, kind: o.kind, clientId: o.client_id, dueAt: due } },
        ],
        null,
        now,
      );
      alerts.push({ userIds: recipients, subject: title, text: body });
    }
    const touched = [...new Set([...reminded, ...overdue].map((o) => o.incident_id))];
    if (touched.length) {
      // Lets consoles know (the incidents trigger announces the change).
      await tx.execute(sql`UPDATE incidents SET updated_at = ${now} WHERE id::text IN (SELECT jsonb_array_elements_text(${JSON.stringify(touched)}::jsonb))`);
    }
    return { reminders: reminded.length, escalations: overdue.length };
  });
  return { ...counts, alerts };
}

export interface ObligationWatch {
  /** Runs the SLA clock once at `now` (tests drive it with their own clock). */
  check(now: Date): Promise<{ reminders: number; escalations: number }>;
  stop(): Promise<void>;
}

/** The SLA clock on a timer; staff alerts also go out by e-mail when an SMTP server is configured. */
export function startObligationWatch(deps: { database: Database; mailer: Mailer | null; runsJobs: boolean; intervalMs: number; reportFailure: ReportFailure }): ObligationWatch {
  const { database, mailer } = deps;
  const mailAlerts = async (alerts: StaffAlert[]) => {
    if (!mailer || !alerts.length) return;
    for (const alert of alerts) {
      for (const user of await userAddresses(database.db, alert.userIds)) {
        const sent = await mailer.send({ deliveryId: `alert-${Date.now().toString(36)}-${user.id}`, to: { name: user.name, address: user.email }, subject: alert.subject, text: alert.text, html: '' });
        if (!sent.ok) deps.reportFailure('staff-alert-mail', new Error(sent.error));
      }
    }
  };
  const check = async (now: Date) => {
    const result = await checkObligations(database, now);
    // Best effort: the in-app notification is the record; a mail that fails is reported, not retried.
    await inBackground(deps.reportFailure, 'staff-alert-mail', () => mailAlerts(result.alerts));
    return { reminders: result.reminders, escalations: result.escalations };
  };
  let watching: Promise<void> = Promise.resolve();
  const timer = deps.runsJobs && deps.intervalMs > 0 ? setInterval(() => (watching = inBackground(deps.reportFailure, 'obligation-watch', () => check(new Date()))), deps.intervalMs) : null;
  timer?.unref();
  return {
    check,
    async stop() {
      if (timer) clearInterval(timer);
      await watching;
    },
  };
}
