// Compile-time: what the verbs return is exactly what the response schemas document (no field more,
// none less, each of the documented type). `npx tsc` fails on drift; the test body only names it.
import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { Proof } from '../src/services/communications/delivery-proof.js';
import type { presentRecipient } from '../src/services/communications/read-communications.js';
import type { StaffIncidentView } from '../src/services/incidents/read-incidents.js';
import type { integrationStats } from '../src/services/intake/integrations.js';
import type { getReportLink } from '../src/services/intake/public-report.js';
import type { listNoticeSchedules } from '../src/services/maintenance/maintenance-schedules.js';
import type { WindowView } from '../src/services/maintenance/read-maintenance.js';
import type { ProofRow, Recipient } from '../src/http/response-schemas/communications.js';
import type { Incident } from '../src/http/response-schemas/incidents.js';
import type { IntegrationStats, ReportLink } from '../src/http/response-schemas/intake.js';
import type { MaintenanceWindow, NoticeSchedule } from '../src/http/response-schemas/maintenance.js';

type Answer<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

describe('the answers of the verbs', () => {
  it('are typed exactly as their documented schemas', () => {
    expectTypeOf<StaffIncidentView>().toEqualTypeOf<z.output<typeof Incident>>();
    expectTypeOf<WindowView>().toEqualTypeOf<z.output<typeof MaintenanceWindow>>();
    expectTypeOf<ReturnType<typeof presentRecipient>>().toEqualTypeOf<z.output<typeof Recipient>>();
    expectTypeOf<Proof>().toEqualTypeOf<AsyncIterable<z.output<typeof ProofRow>[]>>();
    expectTypeOf<Answer<typeof integrationStats>>().toEqualTypeOf<z.output<typeof IntegrationStats>>();
    expectTypeOf<Answer<typeof getReportLink>>().toEqualTypeOf<z.output<typeof ReportLink>>();
    expectTypeOf<Answer<typeof listNoticeSchedules>['items'][number]>().toEqualTypeOf<z.output<typeof NoticeSchedule>>();
  });
});
