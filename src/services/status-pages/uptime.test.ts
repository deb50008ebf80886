import { describe, expect, it } from 'vitest';
import { dayKeys, uptimeDays } from './uptime.js';

const at = (iso: string) => Date.parse(iso);

describe('uptime bars', () => {
  it('lists the last days up to today, oldest first', () => {
    expect(dayKeys(new Date('2026-03-02T10:00:00Z'), 3)).toEqual(['2026-02-28', '2026-03-01', '2026-03-02']);
  });

  it('counts partial and major outages as down time, degraded performance and maintenance as up', () => {
    const history = [
      { at: at('2026-02-01T00:00:00Z'), status: 'operational' as const },
      { at: at('2026-03-01T06:00:00Z'), status: 'major_outage' as const },
      { at: at('2026-03-01T12:00:00Z'), status: 'degraded_performance' as const },
      { at: at('2026-03-01T18:00:00Z'), status: 'operational' as const },
      { at: at('2026-03-02T00:00:00Z'), status: 'under_maintenance' as const },
    ];
    const [before, outage, today] = uptimeDays(history, { days: ['2026-02-28', '2026-03-01', '2026-03-02'], now: at('2026-03-02T12:00:00Z'), createdAt: at('2026-01-01T00:00:00Z') });
    expect(before).toMatchObject({ uptime: 1, worst: 'operational', outageMinutes: 0 });
    expect(outage).toMatchObject({ uptime: 0.75, worst: 'major_outage', outageMinutes: 360 });
    // Today counts only the hours so far.
    expect(today).toMatchObject({ uptime: 1, worst: 'under_maintenance', outageMinutes: 0, coveredMs: 12 * 3600_000 });
  });

  it('measures nothing before the component existed, and carries a status over from before the window', () => {
    const history = [{ at: at('2026-02-20T00:00:00Z'), status: 'partial_outage' as const }];
    const [none, half] = uptimeDays(history, { days: ['2026-02-28', '2026-03-01'], now: at('2026-03-05T00:00:00Z'), createdAt: at('2026-03-01T12:00:00Z') });
    expect(none).toMatchObject({ uptime: null, worst: null });
    expect(half).toMatchObject({ uptime: 0, worst: 'partial_outage', outageMinutes: 720, coveredMs: 12 * 3600_000 });
  });
});
