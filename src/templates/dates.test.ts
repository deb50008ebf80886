import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatDuration, formatTime } from './dates.js';

const AT = '2026-11-23T19:30:00.000Z';

describe('dates for clients', () => {
  it('writes date and time per language with the zone', () => {
    expect(formatDateTime(AT, 'en')).toBe('23 Nov 2026, 19:30 UTC');
    expect(formatDateTime(AT, 'de')).toBe('23.11.2026, 19:30 UTC');
    expect(formatDateTime('2026-03-02T07:05:00Z', 'en')).toBe('2 Mar 2026, 07:05 UTC');
  });

  it('converts to the contact’s time zone, naming it in their language', () => {
    expect(formatDateTime(AT, 'de', 'Europe/Berlin')).toBe('23.11.2026, 20:30 MEZ');
    expect(formatDateTime('2026-07-01T12:00:00Z', 'en', 'Europe/London')).toBe('1 Jul 2026, 13:00 BST');
  });

  it('shows the minute an instant falls in, whatever its seconds, offset or zone', () => {
    expect(formatDateTime('2026-11-23T19:30:59.999Z', 'en')).toBe('23 Nov 2026, 19:30 UTC');
    expect(formatDateTime('2026-11-23T19:31:00.000Z', 'en')).toBe('23 Nov 2026, 19:31 UTC');
    expect(formatDateTime('2026-11-23T20:30:59+01:00', 'en')).toBe('23 Nov 2026, 19:30 UTC');
    expect(formatDateTime('2026-11-23T18:29:59.500Z', 'en', 'Asia/Kolkata')).toBe('23 Nov 2026, 23:59 GMT+5:30');
    expect(formatDateTime('2026-11-23T18:30:00Z', 'en', 'Asia/Kolkata')).toBe('24 Nov 2026, 00:00 GMT+5:30');
    expect(formatDateTime('2026-11-23T18:30:00Z', 'en', 'UTC')).toBe('23 Nov 2026, 18:30 UTC');
    expect(formatDateTime('1969-12-31T23:59:30Z', 'en')).toBe('31 Dec 1969, 23:59 UTC');
  });

  it('falls back to UTC for an unknown zone rather than failing the message', () => {
    expect(formatDateTime(AT, 'en', 'Mars/Olympus')).toBe('23 Nov 2026, 19:30 UTC');
  });

  it('writes nothing for a missing date and leaves an unparseable one as it is', () => {
    expect(formatDateTime(null, 'en')).toBe('');
    expect(formatDateTime('soon', 'en')).toBe('soon');
  });

  it('formats the date and the time alone', () => {
    expect(formatDate(AT, 'en')).toBe('23 Nov 2026');
    expect(formatDate(AT, 'de')).toBe('23.11.2026');
    expect(formatTime(AT, 'de', 'Europe/Berlin')).toBe('20:30 MEZ');
  });

  it('writes durations in words, two units at most', () => {
    expect(formatDuration('2026-11-23T17:52:00Z', '2026-11-23T20:41:00Z', 'en')).toBe('2 hours 49 minutes');
    expect(formatDuration('2026-11-23T17:52:00Z', '2026-11-23T18:53:00Z', 'de')).toBe('1 Stunde 1 Minute');
    expect(formatDuration('2026-11-20T17:52:00Z', '2026-11-23T18:53:05Z', 'en')).toBe('3 days 1 hour');
    expect(formatDuration('2026-11-23T17:52:00Z', '2026-11-23T17:52:30Z', 'de')).toBe('weniger als eine Minute');
    expect(formatDuration('2026-11-23T17:52:00Z', null, 'en')).toBe('');
  });
});
