import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { buildCalendar, escapeText, foldLine } from './ical.js';
import type { PublicMaintenance } from './read-maintenance.js';

const window = (over: Partial<PublicMaintenance> = {}): PublicMaintenance => ({
  id: '6f1c2a8e-0d4b-4b8e-9a51-2f6c1d7e9b00',
  key: 'MNT-7',
  title: 'Database upgrade; part 1, with commas',
  description: 'Line one\nLine two with a backslash \\ and “quotes” — and ümlauts, repeated: ' + 'Wartungsfenster für die Datenbank. '.repeat(6),
  kind: 'planned',
  state: 'scheduled',
  startsAt: new Date('2026-12-05T22:00:00Z'),
  endsAt: new Date('2026-12-06T02:00:00Z'),
  startedAt: null,
  completedAt: null,
  cancelledAt: null,
  sequence: 0,
  createdAt: new Date('2026-11-20T10:00:00Z'),
  updatedAt: new Date('2026-11-21T10:00:00Z'),
  componentIds: [],
  ...over,
});

describe('the maintenance calendar', () => {
  it('escapes TEXT values as RFC 5545 says', () => {
    expect(escapeText('a;b,c\\d\ne')).toBe('a\\;b\\,c\\\\d\\ne');
  });

  it('folds lines at 75 octets without splitting a UTF-8 character', () => {
    const line = `DESCRIPTION:${'ü'.repeat(100)}`;
    const folded = foldLine(line).split('\r\n');
    expect(folded.length).toBeGreaterThan(1);
    for (const part of folded) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
    expect(folded.map((p, i) => (i ? p.slice(1) : p)).join('')).toBe(line);
    expect(folded.slice(1).every((p) => p.startsWith(' '))).toBe(true);
  });

  it('round-trips through a real iCal parser: times, text, sequence and cancellation', () => {
    const text = buildCalendar([window(), window({ id: '7f1c2a8e-0d4b-4b8e-9a51-2f6c1d7e9b01', key: 'MNT-8', state: 'cancelled', sequence: 3 })], { name: 'Brightline maintenance', uidDomain: 'status.example', url: 'https://status.example/status' });
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    const root = new ICAL.Component(ICAL.parse(text));
    const [first, second] = root.getAllSubcomponents('vevent').map((v) => ({ v, e: new ICAL.Event(v) }));
    expect(first!.e.uid).toBe('6f1c2a8e-0d4b-4b8e-9a51-2f6c1d7e9b00@status.example');
    expect(first!.e.startDate.toJSDate().toISOString()).toBe('2026-12-05T22:00:00.000Z');
    expect(first!.e.endDate.toJSDate().toISOString()).toBe('2026-12-06T02:00:00.000Z');
    expect(first!.e.summary).toBe('Maintenance: Database upgrade; part 1, with commas [MNT-7]');
    expect(first!.e.description).toContain('Line one\nLine two with a backslash \\ and “quotes”');
    expect(first!.e.description).toContain('Wartungsfenster für die Datenbank. Wartungsfenster');
    expect(first!.v.getFirstPropertyValue('status')).toBe('CONFIRMED');
    expect(second!.e.sequence).toBe(3);
    expect(second!.v.getFirstPropertyValue('status')).toBe('CANCELLED');
  });
});
