// Realistic incident data for previews, the docs and template validation: one outage of a customer
// portal, told at each stage, in English and German.
import type { MessageKind, TechState } from '../domain/types.js';
import type { Language } from './texts.js';
import type { TemplateData } from './variables.js';

/** typical: what most messages look like; grave: every list filled, every disclosure at its worst; sparse: nothing optional. */
export type SampleVariant = 'typical' | 'grave' | 'sparse';

const STATE: Record<MessageKind, TechState> = { initial: 'investigating', update: 'identified', resolution: 'resolved', rca: 'resolved' };

const BASE = 'https://status.brightline.example/meyer-sons';

interface Words {
  client: string;
  contact: { name: string; email: string; timeZone: string };
  title: string;
  components: [string, string];
  impact: string;
  body: Record<MessageKind, string>;
  timeline: [string, string, string];
  past: [string, string];
  remediation: string;
  dataLossDetails: string;
  exposureDetails: string;
}

const WORDS: Record<Language, Words> = {
  en: {
    client: 'Meyer & Sons Logistics',
    contact: { name: 'Anna Schmidt', email: 'anna.schmidt@meyer-logistics.example', timeZone: 'UTC' },
    title: 'Customer portal unavailable',
    components: ['Customer portal', 'Public API'],
    impact: 'Nobody can sign in to the customer portal. Orders sent through the API are accepted but confirmed up to 15 minutes late.',
    body: {
      initial: 'Since 17:45 UTC the customer portal has been unavailable. Our engineers are working on it with the highest priority.',
      update: 'We have found the cause: the storage of the database that holds sign-in sessions ran full. We are moving it to a larger volume and expect the portal to be available again within the hour.',
      resolution: 'The session database runs on a larger volume and the portal has been working normally since 20:41 UTC. All orders that came in through the API during the incident have been confirmed.',
      rca: [
        '## What happened',
        'On 23 November 2026 from 17:45 to 20:41 UTC nobody could sign in to the customer portal, and orders sent through the API were confirmed up to 15 minutes late.',
        '',
        '## Why it happened',
        'The database that holds sign-in sessions ran out of storage. Our alert for this fired only at 100 %, so we learned of it from failing sign-ins rather than in advance.',
        '',
        '## What we have changed',
        '- The session database now runs on a volume four times larger.',
        '- An alert now fires at 75 % storage use, with a runbook for the on-call engineer.',
        '- From December, sessions fail over automatically to a standby database.',
      ].join('\n'),
    },
    timeline: [
      'The customer portal is unavailable; we are investigating.',
      'Cause found: the session database ran out of storage. Fix in progress.',
      'Resolved at 20:41 UTC; all delayed orders have been confirmed.',
    ],
    past: ['Slow responses from the public API', 'Customer portal sign-in errors'],
    remediation: 'We are adding an alert that fires well before the session database runs out of storage, and an automatic failover to a standby database.',
    dataLossDetails: 'Orders placed in the portal between 17:45 and 17:52 UTC were not saved and need to be placed again.',
    exposureDetails: 'Session data of 212 portal users (names and e-mail addresses) was readable by other signed-in users of the portal for up to 7 minutes.',
  },
  de: {
    client: 'Meyer & Söhne Logistik',
    contact: { name: 'Jonas Becker', email: 'jonas.becker@meyer-logistik.example', timeZone: 'Europe/Berlin' },
    title: 'Kundenportal nicht erreichbar',
    components: ['Kundenportal', 'Öffentliche API'],
    impact: 'Niemand kann sich im Kundenportal anmelden. Über die API gesendete Bestellungen werden angenommen, aber mit bis zu 15 Minuten Verzögerung bestätigt.',
    body: {
      initial: 'Seit 18:45 Uhr ist das Kundenportal nicht erreichbar. Unser Technikteam arbeitet mit höchster Priorität an der Behebung.',
      update: 'Wir haben die Ursache gefunden: Der Speicher der Datenbank, die die Anmeldesitzungen verwaltet, ist vollgelaufen. Wir verlagern sie auf einen größeren Datenträger und erwarten, dass das Portal innerhalb der nächsten Stunde wieder erreichbar ist.',
      resolution: 'Die Sitzungsdatenbank läuft auf einem größeren Datenträger, und das Portal arbeitet seit 21:41 Uhr wieder normal. Alle Bestellungen, die während der Störung über die API eingegangen sind, wurden bestätigt.',
      rca: [
        '## Was ist passiert?',
        'Am 23. November 2026 von 18:45 bis 21:41 Uhr (MEZ) konnte sich niemand im Kundenportal anmelden, und über die API gesendete Bestellungen wurden mit bis zu 15 Minuten Verzögerung bestätigt.',
        '',
        '## Warum ist es passiert?',
        'Der Datenbank, die die Anmeldesitzungen verwaltet, ging der Speicherplatz aus. Unsere Warnung dafür löste erst bei 100 % aus. Deshalb haben wir das Problem erst an den fehlschlagenden Anmeldungen bemerkt und nicht vorher.',
        '',
        '## Was wir geändert haben',
        '- Die Sitzungsdatenbank läuft jetzt auf einem viermal so großen Datenträger.',
        '- Eine Warnung löst jetzt bereits bei 75 % Speicherbelegung aus, mit einer Handlungsanleitung für die Rufbereitschaft.',
        '- Ab Dezember schalten die Sitzungen automatisch auf eine Standby-Datenbank um.',
      ].join('\n'),
    },
    timeline: [
      'Das Kundenportal ist nicht erreichbar; wir untersuchen die Ursache.',
      'Ursache gefunden: Der Sitzungsdatenbank ist der Speicherplatz ausgegangen. Die Behebung läuft.',
      'Seit 21:41 Uhr behoben; alle verzögerten Bestellungen wurden bestätigt.',
    ],
    past: ['Langsame Antworten der öffentlichen API', 'Anmeldefehler im Kundenportal'],
    remediation: 'Wir richten eine Warnung ein, die lange vor einem vollen Speicher der Sitzungsdatenbank auslöst, und eine automatische Umschaltung auf eine Standby-Datenbank.',
    dataLossDetails: 'Bestellungen, die zwischen 18:45 und 18:52 Uhr im Portal aufgegeben wurden, wurden nicht gespeichert und müssen erneut aufgegeben werden.',
    exposureDetails: 'Sitzungsdaten von 212 Portalnutzerinnen und -nutzern (Namen und E-Mail-Adressen) waren bis zu 7 Minuten lang für andere angemeldete Nutzer des Portals lesbar.',
  },
};

const AT = {
  reported: '2026-11-23T17:52:00.000Z',
  initialSent: '2026-11-23T18:05:00.000Z',
  updateSent: '2026-11-23T19:28:00.000Z',
  resolved: '2026-11-23T20:41:00.000Z',
  resolutionSent: '2026-11-23T20:50:00.000Z',
  nextUpdate: { initial: '2026-11-23T19:30:00.000Z', update: '2026-11-23T20:30:00.000Z' },
  expectedResolution: '2026-11-23T21:00:00.000Z',
};

const EARLIER_KINDS: Record<MessageKind, MessageKind[]> = {
  initial: [],
  update: ['initial'],
  resolution: ['initial', 'update'],
  rca: ['initial', 'update', 'resolution'],
};
const SENT_AT: Record<MessageKind, string> = { initial: AT.initialSent, update: AT.updateSent, resolution: AT.resolutionSent, rca: AT.resolutionSent };

export function sampleData(kind: MessageKind, language: Language, variant: SampleVariant = 'typical'): TemplateData {
  const w = WORDS[language];
  const grave = variant === 'grave';
  const sparse = variant === 'sparse';
  const isRunning = kind === 'initial' || kind === 'update';
  const earlier = grave ? (['initial', 'update', 'resolution'] as MessageKind[]) : EARLIER_KINDS[kind];
  return {
    kind,
    incident: { key: 'INC-1042', title: w.title, severity: 'SEV2', state: STATE[kind], reportedAt: AT.reported, resolvedAt: isRunning || sparse ? null : AT.resolved },
    client: { name: w.client, slug: 'meyer-sons' },
    contact: { name: w.contact.name, email: w.contact.email, role: 'technical', timeZone: sparse ? null : w.contact.timeZone },
    components: sparse
      ? []
      : [
          { name: w.components[0], status: 'major_outage' },
          { name: w.components[1], status: 'degraded_performance' },
        ],
    disclosures: sparse
      ? { impactSummary: null, dataLoss: null, dataExposure: null, expectedResolutionAt: null, nextUpdateAt: null, remediation: null }
      : {
          impactSummary: w.impact,
          dataLoss: grave ? { level: 'confirmed', details: w.dataLossDetails } : { level: 'none', details: null },
          dataExposure: grave ? { level: 'confirmed', details: w.exposureDetails, isPersonalData: true } : { level: 'none', details: null, isPersonalData: false },
          expectedResolutionAt: isRunning || grave ? AT.expectedResolution : null,
          nextUpdateAt: kind === 'initial' || kind === 'update' ? AT.nextUpdate[kind] : grave ? AT.nextUpdate.update : null,
          remediation: kind === 'resolution' || kind === 'rca' || grave ? w.remediation : null,
        },
    body: sparse ? null : w.body[kind],
    timeline: sparse ? [] : earlier.map((k, i) => ({ at: SENT_AT[k], kind: k, text: w.timeline[i]! })),
    pastOccurrences:
      sparse || (kind !== 'initial' && !grave)
        ? []
        : [
            { key: 'INC-0987', title: w.past[0], reportedAt: '2026-08-14T09:12:00.000Z', rcaUrl: 'https://status.brightline.example/rca/INC-0987' },
            { key: 'INC-0912', title: w.past[1], reportedAt: '2026-03-02T07:40:00.000Z', rcaUrl: null },
          ],
    links: {
      statusPage: BASE,
      incident: `${BASE}/incidents/INC-1042`,
      unsubscribe: grave || sparse ? null : 'https://status.brightline.example/unsubscribe/6f1c2a9e',
    },
    company: { name: 'Brightline Cloud' },
  };
}
