// The maintenance calendar as iCalendar (RFC 5545): one VEVENT per window with a stable UID, the
// SEQUENCE raised on every reschedule and on cancellation, STATUS:CANCELLED for cancelled windows,
// TEXT values escaped and lines folded at 75 octets, CRLF line ends.
import type { PublicMaintenance } from './read-maintenance.js';

/** TEXT value escaping (RFC 5545 §3.3.11). */
export function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');
}

/** Folds a content line into lines of at most 75 octets, never inside a UTF-8 character (§3.1). */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
      limit = 74; // continuation lines start with one space
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

/** UTC date-time form: 20261205T220000Z. */
export const icalDate = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

export interface CalendarOptions {
  /** The calendar's name (X-WR-CALNAME). */
  name: string;
  /** The right-hand side of every UID (the install's host name): UIDs stay the same across renders. */
  uidDomain: string;
  /** Link to where a window is shown. */
  url: string;
  /** Component names by id, for the description. */
  componentNames?: Map<string, string>;
}

export function buildCalendar(windows: PublicMaintenance[], opts: CalendarOptions): string {
  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Herald//Maintenance calendar//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(opts.name)}`,
    'X-WR-TIMEZONE:UTC',
  ];
  for (const w of windows) {
    const names = w.componentIds.map((id) => opts.componentNames?.get(id)).filter((n): n is string => !!n);
    const description = [
      w.kind === 'emergency' ? 'Emergency change.' : 'Planned maintenance.',
      w.description.trim(),
      names.length ? `Affected: ${names.join(', ')}` : '',
      w.state === 'cancelled' ? 'Cancelled.' : '',
    ]
      .filter(Boolean)
      .join('\n\n');
    lines.push(
      'BEGIN:VEVENT',
      `UID:${w.id}@${opts.uidDomain}`,
      `DTSTAMP:${icalDate(w.updatedAt)}`,
      `CREATED:${icalDate(w.createdAt)}`,
      `LAST-MODIFIED:${icalDate(w.updatedAt)}`,
      `DTSTART:${icalDate(w.startsAt)}`,
      `DTEND:${icalDate(w.endsAt)}`,
      `SEQUENCE:${w.sequence}`,
      `SUMMARY:${escapeText(`${w.kind === 'emergency' ? 'Emergency maintenance' : 'Maintenance'}: ${w.title} [${w.key}]`)}`,
      `DESCRIPTION:${escapeText(description)}`,
      `STATUS:${w.state === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
      `CATEGORIES:${w.kind === 'emergency' ? 'EMERGENCY MAINTENANCE' : 'MAINTENANCE'}`,
      'TRANSP:TRANSPARENT',
      `URL:${opts.url}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
