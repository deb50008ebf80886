// Dates as clients read them: "23 Nov 2026, 19:30 UTC" in English, "23.11.2026, 19:30 UTC" in German,
// in the contact's time zone. Formatters are cached: building an Intl formatter costs far more than using one.
import { resolveLanguage, type Language } from './texts.js';

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LOCALE: Record<Language, string> = { en: 'en-GB', de: 'de-DE' };

interface Parts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  zone: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(language: Language, timeZone: string): Intl.DateTimeFormat {
  const key = `${language}|${timeZone}`;
  let f = formatters.get(key);
  if (!f) {
    let zone = timeZone;
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
    } catch {
      zone = 'UTC'; // an unknown zone must not break a message; UTC is stated in the output
    }
    f = new Intl.DateTimeFormat(LOCALE[language], {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(key, f);
  }
  return f;
}

// A message to thousands of recipients formats the same few instants again and again, and the output
// only shows the minute: instants are remembered by their minute.
const known = new Map<string, Parts>();
const KNOWN_ENTRIES = 10_000;

function parts(iso: string, language: Language, timeZone: string): Parts | null {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) return null;
  const minute = Math.floor(ms / 60_000);
  const key = `${minute}|${language}|${timeZone}`;
  const hit = known.get(key);
  if (hit) return hit;
  const out: Parts = { year: '', month: '', day: '', hour: '', minute: '', zone: '' };
  for (const p of formatter(language, timeZone).formatToParts(minute * 60_000)) {
    if (p.type === 'timeZoneName') out.zone = p.value;
    else if (p.type in out) out[p.type as keyof Parts] = p.value;
  }
  if (known.size >= KNOWN_ENTRIES) known.clear();
  known.set(key, out);
  return out;
}

function dateOf(p: Parts, language: Language): string {
  return language === 'de' ? `${p.day}.${p.month}.${p.year}` : `${Number(p.day)} ${MONTHS_EN[Number(p.month) - 1]} ${p.year}`;
}

const timeOf = (p: Parts) => `${p.hour}:${p.minute} ${p.zone}`;

/** "23 Nov 2026, 19:30 UTC" / "23.11.2026, 19:30 UTC". Null or empty gives ""; an unparseable value is returned as it is. */
export function formatDateTime(iso: string | null | undefined, language: string, timeZone = 'UTC'): string {
  if (!iso) return '';
  const lang = resolveLanguage(language);
  const p = parts(iso, lang, timeZone);
  return p ? `${dateOf(p, lang)}, ${timeOf(p)}` : iso;
}

/** "23 Nov 2026" / "23.11.2026". */
export function formatDate(iso: string | null | undefined, language: string, timeZone = 'UTC'): string {
  if (!iso) return '';
  const lang = resolveLanguage(language);
  const p = parts(iso, lang, timeZone);
  return p ? dateOf(p, lang) : iso;
}

/** "19:30 UTC". */
export function formatTime(iso: string | null | undefined, language: string, timeZone = 'UTC'): string {
  if (!iso) return '';
  const p = parts(iso, resolveLanguage(language), timeZone);
  return p ? timeOf(p) : iso;
}

const UNITS: Record<Language, { day: [string, string]; hour: [string, string]; minute: [string, string]; lessThanMinute: string }> = {
  en: { day: ['day', 'days'], hour: ['hour', 'hours'], minute: ['minute', 'minutes'], lessThanMinute: 'less than a minute' },
  de: { day: ['Tag', 'Tage'], hour: ['Stunde', 'Stunden'], minute: ['Minute', 'Minuten'], lessThanMinute: 'weniger als eine Minute' },
};

/** The time between two instants in words, two units at most: "2 hours 15 minutes" / "2 Stunden 15 Minuten". */
export function formatDuration(fromIso: string | null | undefined, toIso: string | null | undefined, language: string): string {
  if (!fromIso || !toIso) return '';
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return '';
  const units = UNITS[resolveLanguage(language)];
  const minutes = Math.floor(Math.abs(to - from) / 60_000);
  if (minutes < 1) return units.lessThanMinute;
  const amounts: [number, [string, string]][] = [
    [Math.floor(minutes / 1440), units.day],
    [Math.floor((minutes % 1440) / 60), units.hour],
    [minutes % 60, units.minute],
  ];
  const first = amounts.findIndex(([n]) => n > 0);
  return amounts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, [one, many]]) => `${n} ${n === 1 ? one : many}`)
    .join(' ');
}
