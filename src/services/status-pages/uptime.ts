// Uptime bars: how long each day a component spent in each status, from its status history.
import type { ComponentStatus } from '../../domain/types.js';

export interface HistoryRow {
  at: number;
  status: ComponentStatus;
}

export interface UptimeDay {
  /** UTC day, YYYY-MM-DD. */
  date: string;
  /** Share of the measured part of the day without a partial or major outage; null without data. */
  uptime: number | null;
  /** The worst status the component had that day. */
  worst: ComponentStatus | null;
  /** Minutes of partial or major outage. */
  outageMinutes: number;
}

const DAY_MS = 86_400_000;
const RANK: Record<ComponentStatus, number> = { operational: 0, under_maintenance: 1, degraded_performance: 2, partial_outage: 3, major_outage: 4 };
const isDown = (s: ComponentStatus) => s === 'partial_outage' || s === 'major_outage';

/** The last `count` UTC days up to and including the day of `now`, oldest first. */
export function dayKeys(now: Date, count: number): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: count }, (_, i) => new Date(today - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

/**
 * Walks the history (sorted by time; the first row may be from before the window) day by day. Time
 * before the component existed is not measured. The status after the last row lasts until `now`.
 */
export function uptimeDays(
  history: HistoryRow[],
  opts: { days: string[]; now: number; createdAt: number },
): (UptimeDay & { coveredMs: number })[] {
  return opts.days.map((date) => {
    const dayStart = Date.parse(`${date}T00:00:00.000Z`);
    const from = Math.max(dayStart, opts.createdAt);
    const to = Math.min(dayStart + DAY_MS, opts.now);
    if (to <= from) return { date, uptime: null, worst: null, outageMinutes: 0, coveredMs: 0 };
    // The status in force at `from`, then each change within the day.
    let status: ComponentStatus = 'operational';
    for (const h of history) if (h.at <= from) status = h.status;
    const changes = history.filter((h) => h.at > from && h.at < to);
    let at = from;
    let down = 0;
    let worst = status;
    for (const change of changes) {
      if (isDown(status)) down += change.at - at;
      at = change.at;
      status = change.status;
      if (RANK[status] > RANK[worst]) worst = status;
    }
    if (isDown(status)) down += to - at;
    const covered = to - from;
    return { date, uptime: Math.round((1 - down / covered) * 100_000) / 100_000, worst, outageMinutes: Math.round(down / 60_000), coveredMs: covered };
  });
}
