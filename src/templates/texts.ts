// Words the templates get ready-made in the contact's language: component statuses, incident states
// and disclosure levels. The default templates write full sentences around them.
import type { ComponentStatus, DisclosureLevel, TechState } from '../domain/types.js';

export const LANGUAGES = ['en', 'de'] as const;
/** A language Herald ships texts and default templates for. */
export type Language = (typeof LANGUAGES)[number];

/** The shipped language for a contact's language tag: "de-AT" → "de"; anything unknown → "en". */
export function resolveLanguage(tag: string | null | undefined): Language {
  const primary = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(primary ?? '') ? (primary as Language) : 'en';
}

export const STATUS_TEXT: Record<Language, Record<ComponentStatus, string>> = {
  en: {
    operational: 'operational',
    degraded_performance: 'degraded (slower than usual)',
    partial_outage: 'partly unavailable',
    major_outage: 'down',
    under_maintenance: 'under maintenance',
  },
  de: {
    operational: 'in Betrieb',
    degraded_performance: 'eingeschränkt (langsamer als üblich)',
    partial_outage: 'teilweise nicht verfügbar',
    major_outage: 'ausgefallen',
    under_maintenance: 'in Wartung',
  },
};

export const STATE_TEXT: Record<Language, Record<TechState, string>> = {
  en: {
    investigating: 'We are investigating the cause',
    identified: 'Cause identified, fix in progress',
    monitoring: 'Fix applied, we are monitoring the result',
    resolved: 'Resolved',
  },
  de: {
    investigating: 'Wir untersuchen die Ursache',
    identified: 'Ursache gefunden, die Behebung läuft',
    monitoring: 'Korrektur eingespielt, wir beobachten das Ergebnis',
    resolved: 'Behoben',
  },
};

/** Short answers to "was data lost?" / "was data accessible to third parties?"; `unknown` when not yet stated. */
export const LEVEL_TEXT: Record<Language, Record<DisclosureLevel | 'unknown', string>> = {
  en: { none: 'No', suspected: 'Not yet ruled out', confirmed: 'Yes', unknown: 'Not yet assessed' },
  de: { none: 'Nein', suspected: 'Noch nicht ausgeschlossen', confirmed: 'Ja', unknown: 'Noch nicht bewertet' },
};
