// The vocabulary of planned and unplanned changes (maintenance windows) and of the notices about them.

export const MAINTENANCE_KINDS = ['planned', 'emergency'] as const;
export type MaintenanceKind = (typeof MAINTENANCE_KINDS)[number];

export const MAINTENANCE_STATES = ['scheduled', 'in_progress', 'completed', 'cancelled'] as const;
export type MaintenanceState = (typeof MAINTENANCE_STATES)[number];

/** What a notice to clients says: announced, reminded, started, completed, moved, cancelled, or an emergency change. */
export const MAINTENANCE_NOTICE_KINDS = ['scheduled', 'reminder', 'started', 'completed', 'rescheduled', 'cancelled', 'emergency'] as const;
export type MaintenanceNoticeKind = (typeof MAINTENANCE_NOTICE_KINDS)[number];

/** The template kind of a notice kind, as stored beside the incident message kinds: maintenance_scheduled, … */
export type MaintenanceTemplateKind = `maintenance_${MaintenanceNoticeKind}`;
export const MAINTENANCE_TEMPLATE_KINDS = MAINTENANCE_NOTICE_KINDS.map((k) => `maintenance_${k}` as MaintenanceTemplateKind);
export const templateKindOf = (kind: MaintenanceNoticeKind): MaintenanceTemplateKind => `maintenance_${kind}`;
export const isMaintenanceTemplateKind = (kind: string): kind is MaintenanceTemplateKind => (MAINTENANCE_TEMPLATE_KINDS as readonly string[]).includes(kind);

/** The default advance-notice schedule (tier '*'): 7 days and 24 hours before, at start, at completion. */
export const DEFAULT_NOTICE_SCHEDULE = { advanceMinutes: [7 * 24 * 60, 24 * 60], atStart: true, atCompletion: true } as const;

/** The longest a window may last, and how far ahead it may be planned. */
export const MAX_WINDOW_MINUTES = 14 * 24 * 60;
export const MAX_PLAN_AHEAD_DAYS = 730;
