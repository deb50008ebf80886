// Herald's own Liquid filters: dates in the reader's language and time zone. Without arguments they
// use contact.language and contact.timeZone, so `{{ nextUpdateAt | datetime }}` is what a template needs.
import type { Context, Liquid } from 'liquidjs';
import { formatDate, formatDateTime, formatDuration, formatTime } from './dates.js';

export interface FilterDoc {
  name: string;
  usage: string;
  description: string;
  example: string;
}

export const FILTERS: readonly FilterDoc[] = [
  {
    name: 'datetime',
    usage: '{{ iso | datetime }} or {{ iso | datetime: language, timeZone }}',
    description: 'Date and time with the zone, in the contact’s language and time zone unless given. Null gives nothing.',
    example: '23 Nov 2026, 19:30 UTC / 23.11.2026, 19:30 UTC',
  },
  { name: 'date_only', usage: '{{ iso | date_only }}', description: 'The date alone.', example: '23 Nov 2026 / 23.11.2026' },
  { name: 'time_only', usage: '{{ iso | time_only }}', description: 'The time with the zone.', example: '19:30 UTC' },
  {
    name: 'duration',
    usage: '{{ incident.reportedAt | duration: incident.resolvedAt }}',
    description: 'The time between two instants in words (two units at most); nothing if either is null.',
    example: '2 hours 49 minutes / 2 Stunden 49 Minuten',
  },
];

interface FilterThis {
  context: Context;
}

function fromContact(self: FilterThis, field: 'language' | 'timeZone', fallback: string): string {
  try {
    const value = self.context.getSync(['contact', field]);
    return typeof value === 'string' && value ? value : fallback;
  } catch {
    return fallback; // strictVariables throws when the scope has no contact: the default stands
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : v == null ? null : String(v));

export function registerHeraldFilters(liquid: Liquid): void {
  liquid.registerFilter('datetime', function (this: FilterThis, value: unknown, language?: unknown, timeZone?: unknown) {
    return formatDateTime(str(value), str(language) ?? fromContact(this, 'language', 'en'), str(timeZone) ?? fromContact(this, 'timeZone', 'UTC'));
  });
  liquid.registerFilter('date_only', function (this: FilterThis, value: unknown, language?: unknown, timeZone?: unknown) {
    return formatDate(str(value), str(language) ?? fromContact(this, 'language', 'en'), str(timeZone) ?? fromContact(this, 'timeZone', 'UTC'));
  });
  liquid.registerFilter('time_only', function (this: FilterThis, value: unknown, language?: unknown, timeZone?: unknown) {
    return formatTime(str(value), str(language) ?? fromContact(this, 'language', 'en'), str(timeZone) ?? fromContact(this, 'timeZone', 'UTC'));
  });
  liquid.registerFilter('duration', function (this: FilterThis, value: unknown, until?: unknown, language?: unknown) {
    return formatDuration(str(value), str(until), str(language) ?? fromContact(this, 'language', 'en'));
  });
}
