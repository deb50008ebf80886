// What the API answers about maintenance windows, their notices and the notice schedules per tier.
import { z } from 'zod';
import { MAINTENANCE_KINDS, MAINTENANCE_STATES } from '../../domain/maintenance.js';
import { id, isoTime } from './common.js';
import { deliveryFields } from './communications.js';

export const MaintenanceKind = z.enum(MAINTENANCE_KINDS).meta({ id: 'MaintenanceKind' });
export const MaintenanceState = z.enum(MAINTENANCE_STATES).meta({ id: 'MaintenanceState' });

/** A window; a client user sees only its own client among the affected, and nothing internal. */
export const MaintenanceWindow = z
  .object({
    id,
    key: z.string(),
    title: z.string(),
    description: z.string(),
    kind: MaintenanceKind,
    justification: z.string().nullable(),
    incidentId: id.nullable(),
    isInternal: z.boolean(),
    state: MaintenanceState,
    startsAt: isoTime,
    endsAt: isoTime,
    sequence: z.number().int().describe('Raised on every change of time and on cancellation (iCal SEQUENCE)'),
    componentIds: z.array(id),
    clientIds: z.array(id),
    clients: z.array(z.object({ clientId: id, source: z.string() })),
    createdBy: id.nullable(),
    createdAt: isoTime,
    updatedAt: isoTime,
    startedAt: isoTime.nullable(),
    completedAt: isoTime.nullable(),
    cancelledAt: isoTime.nullable(),
    cancelReason: z.string().nullable(),
  })
  .meta({ id: 'MaintenanceWindow' });

export const MaintenanceEvent = z
  .object({ seq: z.number().int(), at: isoTime, type: z.string(), actor: z.string().nullable(), data: z.unknown() })
  .meta({ id: 'MaintenanceEvent' });

/** One window with its timeline. */
export const MaintenanceDetail = MaintenanceWindow.extend({ timeline: z.array(MaintenanceEvent) }).meta({ id: 'MaintenanceDetail' });

export const NoticeSchedule = z
  .object({ tier: z.string(), advanceMinutes: z.array(z.number().int()).describe('Lead times, longest first (the longest is the announcement)'), atStart: z.boolean(), atCompletion: z.boolean(), updatedAt: isoTime })
  .meta({ id: 'NoticeSchedule' });
export const NoticeScheduleRemoval = z.object({ tier: z.string(), isRemoved: z.boolean() }).meta({ id: 'NoticeScheduleRemoval' });

export const MaintenanceDelivery = z
  .object({
    id,
    ...deliveryFields,
    result: z.string().nullable(),
    messageId: z.string(),
  })
  .meta({ id: 'MaintenanceDelivery' });

export const MaintenanceNotice = z
  .object({ id, kind: z.string(), clientId: id, sequence: z.number().int(), startsAt: isoTime, endsAt: isoTime, subject: z.string(), createdAt: isoTime, deliveries: z.array(MaintenanceDelivery) })
  .meta({ id: 'MaintenanceNotice' });
