// Templates of maintenance notices: their context (the one documented list of what such a template
// can use), the shipped English and German texts for e-mail and chat, and checking and rendering in
// the same sandboxed Liquid as the incident templates.
import { MAINTENANCE_NOTICE_KINDS, templateKindOf, type MaintenanceKind, type MaintenanceNoticeKind, type MaintenanceTemplateKind } from '../domain/maintenance.js';
import type { TemplateIssue } from './template-issues.js';
import type { Channel, ChatParts, EmailParts, PartsOf } from './template-parts.js';
import { renderParts } from './template-renderer.js';
import { checkTemplateParts } from './template-validation.js';
import { markdownToHtml, markdownToText } from './markdown.js';
import { LANGUAGES, resolveLanguage, type Language } from './texts.js';

export interface MaintenanceTemplateContext {
  kind: MaintenanceTemplateKind;
  notice: MaintenanceNoticeKind;
  maintenance: {
    key: string;
    title: string;
    kind: MaintenanceKind;
    isEmergency: boolean;
    description: string | null;
    descriptionHtml: string | null;
    descriptionText: string | null;
    justification: string | null;
    startsAt: string;
    endsAt: string;
    previousStartsAt: string | null;
    previousEndsAt: string | null;
    cancelReason: string | null;
    incidentKey: string | null;
    url: string;
  };
  client: { name: string; slug: string };
  contact: { name: string; email: string; language: Language; role: string; timeZone: string };
  components: { name: string }[];
  message: { body: string | null; bodyHtml: string | null; bodyText: string | null };
  links: { statusPage: string; maintenance: string; calendar: string; unsubscribe: string | null };
  company: { name: string };
}

export interface MaintenanceTemplateData {
  notice: MaintenanceNoticeKind;
  maintenance: {
    key: string;
    title: string;
    kind: MaintenanceKind;
    description: string;
    justification: string | null;
    startsAt: Date;
    endsAt: Date;
    previousStartsAt?: Date | null;
    previousEndsAt?: Date | null;
    cancelReason?: string | null;
    incidentKey?: string | null;
  };
  client: { name: string; slug: string };
  contact: { name: string; email: string; role: string; timeZone?: string | null };
  components: { name: string }[];
  /** A note from the sender (Markdown), if any. */
  body?: string | null;
  baseUrl: string;
  company: { name: string };
}

const text = (s: string | null | undefined) => (s?.trim() ? s.trim() : null);
const safeUrl = (url: string) => (/^https?:\/\//i.test(url) ? url : '');

export function buildMaintenanceContext(data: MaintenanceTemplateData, language: string): MaintenanceTemplateContext {
  const lang = resolveLanguage(language);
  const m = data.maintenance;
  const description = text(m.description);
  const body = text(data.body);
  const base = data.baseUrl.replace(/\/+$/, '');
  return {
    kind: templateKindOf(data.notice),
    notice: data.notice,
    maintenance: {
      key: m.key,
      title: m.title,
      kind: m.kind,
      isEmergency: m.kind === 'emergency',
      description,
      descriptionHtml: description ? markdownToHtml(description) : null,
      descriptionText: description ? markdownToText(description) : null,
      justification: text(m.justification),
      startsAt: m.startsAt.toISOString(),
      endsAt: m.endsAt.toISOString(),
      previousStartsAt: m.previousStartsAt?.toISOString() ?? null,
      previousEndsAt: m.previousEndsAt?.toISOString() ?? null,
      cancelReason: text(m.cancelReason),
      incidentKey: m.incidentKey ?? null,
      url: safeUrl(`${base}/status/${data.client.slug}`),
    },
    client: { name: data.client.name, slug: data.client.slug },
    contact: { name: data.contact.name, email: data.contact.email, language: lang, role: data.contact.role, timeZone: text(data.contact.timeZone) ?? 'UTC' },
    components: data.components.map((c) => ({ name: c.name })),
    message: body === null ? { body: null, bodyHtml: null, bodyText: null } : { body, bodyHtml: markdownToHtml(body), bodyText: markdownToText(body) },
    links: { statusPage: safeUrl(`${base}/status`), maintenance: safeUrl(`${base}/status/${data.client.slug}`), calendar: safeUrl(`${base}/maintenance.ics`), unsubscribe: null },
    company: { name: data.company.name },
  };
}

/** The paths a maintenance template may use (lists marked `[]`). */
export const MAINTENANCE_VARIABLES: readonly { name: string; type: string; description: string }[] = [
  { name: 'kind', type: 'string', description: 'The template kind: maintenance_scheduled, maintenance_reminder, …' },
  { name: 'notice', type: "'scheduled' | 'reminder' | 'started' | 'completed' | 'rescheduled' | 'cancelled' | 'emergency'", description: 'What this notice says.' },
  { name: 'maintenance.key', type: 'string', description: 'The window’s reference (MNT-7).' },
  { name: 'maintenance.title', type: 'string', description: 'Its public title.' },
  { name: 'maintenance.kind', type: "'planned' | 'emergency'", description: 'Planned, or an emergency change.' },
  { name: 'maintenance.isEmergency', type: 'boolean', description: 'Whether it is an emergency change.' },
  { name: 'maintenance.description', type: 'string (Markdown) | null', description: 'What is done and what clients notice.' },
  { name: 'maintenance.descriptionHtml', type: 'string (HTML) | null', description: 'The description as safe HTML; write {{ maintenance.descriptionHtml | raw }}.' },
  { name: 'maintenance.descriptionText', type: 'string | null', description: 'The description as plain text.' },
  { name: 'maintenance.justification', type: 'string | null', description: 'Why an emergency change could not wait.' },
  { name: 'maintenance.startsAt', type: 'ISO date-time', description: 'When the window starts.' },
  { name: 'maintenance.endsAt', type: 'ISO date-time', description: 'When it ends.' },
  { name: 'maintenance.previousStartsAt', type: 'ISO date-time | null', description: 'The start before a reschedule.' },
  { name: 'maintenance.previousEndsAt', type: 'ISO date-time | null', description: 'The end before a reschedule.' },
  { name: 'maintenance.cancelReason', type: 'string | null', description: 'Why it was cancelled.' },
  { name: 'maintenance.incidentKey', type: 'string | null', description: 'The incident that made an emergency change necessary.' },
  { name: 'maintenance.url', type: 'string (URL)', description: 'The client’s status page.' },
  { name: 'client.name', type: 'string', description: 'The client organisation.' },
  { name: 'client.slug', type: 'string', description: 'Its short name in URLs.' },
  { name: 'contact.name', type: 'string', description: 'The person addressed.' },
  { name: 'contact.email', type: 'string', description: 'Their e-mail address.' },
  { name: 'contact.language', type: "'en' | 'de'", description: 'The language of this notice.' },
  { name: 'contact.role', type: 'string', description: 'The contact’s role.' },
  { name: 'contact.timeZone', type: 'string', description: 'Dates are shown in this zone by default.' },
  { name: 'components', type: 'list', description: 'The components the work touches that this client uses.' },
  { name: 'components[].name', type: 'string', description: 'Component name.' },
  { name: 'message.body', type: 'string | null', description: 'A note from the sender, as written.' },
  { name: 'message.bodyHtml', type: 'string (HTML) | null', description: 'The note as safe HTML.' },
  { name: 'message.bodyText', type: 'string | null', description: 'The note as plain text.' },
  { name: 'links.statusPage', type: 'string (URL)', description: 'The public status page.' },
  { name: 'links.maintenance', type: 'string (URL)', description: 'The client’s status page.' },
  { name: 'links.calendar', type: 'string (URL)', description: 'The maintenance calendar (iCal).' },
  { name: 'links.unsubscribe', type: 'string (URL) | null', description: 'Where the contact stops these messages; null for contractual contacts.' },
  { name: 'company.name', type: 'string', description: 'Our company, the sender.' },
];

type Shape = 'list' | 'object' | 'scalar';
const SHAPES: ReadonlyMap<string, Shape> = (() => {
  const shapes = new Map<string, Shape>();
  for (const v of MAINTENANCE_VARIABLES) {
    shapes.set(v.name, v.type === 'list' ? 'list' : 'scalar');
    for (let p = v.name, i = p.lastIndexOf('.'); i > 0; i = p.lastIndexOf('.')) {
      p = p.slice(0, i);
      if (!shapes.has(p)) shapes.set(p, 'object');
    }
  }
  return shapes;
})();

function unknownPath(segments: readonly unknown[]): string | null {
  let path = '';
  const seen: string[] = [];
  for (const seg of segments) {
    if (typeof seg !== 'string' && typeof seg !== 'number') return null;
    seen.push(String(seg));
    const shape: Shape = path ? SHAPES.get(path)! : 'object';
    if (shape === 'list') {
      if (typeof seg === 'number' || seg === 'first' || seg === 'last') {
        path += '[]';
        continue;
      }
      return seg === 'size' ? null : seen.join('.');
    }
    if (shape === 'scalar') return seg === 'size' || seg === 'first' || seg === 'last' ? null : seen.join('.');
    const next = path ? `${path}.${seg}` : String(seg);
    if (!SHAPES.has(next)) return seen.join('.');
    path = next;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Shipped texts

interface Words {
  title: Record<MaintenanceNoticeKind, string>;
  intro: Record<MaintenanceNoticeKind, string>;
  greeting: string;
  window: string;
  previously: string;
  components: string;
  noComponents: string;
  reason: string;
  cancelReason: string;
  incident: string;
  follow: string;
  calendar: string;
  regards: string;
  note: string;
}

const WORDS: Record<Language, Words> = {
  en: {
    title: {
      scheduled: 'Planned maintenance',
      reminder: 'Reminder: planned maintenance',
      started: 'Maintenance started',
      completed: 'Maintenance completed',
      rescheduled: 'Maintenance rescheduled',
      cancelled: 'Maintenance cancelled',
      emergency: 'Emergency maintenance',
    },
    intro: {
      scheduled: 'we will carry out maintenance on services you use. Here is when, and what you may notice.',
      reminder: 'this is a reminder of the maintenance on services you use, coming up soon.',
      started: 'the maintenance announced to you has started.',
      completed: 'the maintenance is complete and the services are back in normal operation.',
      rescheduled: 'the maintenance announced to you has been moved to a new time.',
      cancelled: 'the maintenance announced to you has been cancelled; nothing will change at the announced time.',
      emergency: 'we have to carry out an urgent change on services you use at short notice. We are sorry for the short notice; here is why, when, and what you may notice.',
    },
    greeting: 'Hello {{ contact.name }},',
    window: 'Time',
    previously: 'Previously planned',
    components: 'Affected services',
    noComponents: 'No service you use is expected to be interrupted.',
    reason: 'Why this cannot wait',
    cancelReason: 'Reason',
    incident: 'Related incident',
    follow: 'Follow the progress on your status page',
    calendar: 'Calendar (iCal)',
    regards: 'Kind regards',
    note: 'Note',
  },
  de: {
    title: {
      scheduled: 'Geplante Wartung',
      reminder: 'Erinnerung: geplante Wartung',
      started: 'Wartung begonnen',
      completed: 'Wartung abgeschlossen',
      rescheduled: 'Wartung verschoben',
      cancelled: 'Wartung abgesagt',
      emergency: 'Notfallwartung',
    },
    intro: {
      scheduled: 'wir führen Wartungsarbeiten an Diensten durch, die Sie nutzen. Hier lesen Sie, wann und was Sie davon bemerken können.',
      reminder: 'wir erinnern Sie an die bald anstehenden Wartungsarbeiten an Diensten, die Sie nutzen.',
      started: 'die angekündigten Wartungsarbeiten haben begonnen.',
      completed: 'die Wartungsarbeiten sind abgeschlossen, die Dienste laufen wieder im Normalbetrieb.',
      rescheduled: 'die angekündigten Wartungsarbeiten wurden auf einen neuen Zeitpunkt verschoben.',
      cancelled: 'die angekündigten Wartungsarbeiten wurden abgesagt; zum angekündigten Zeitpunkt ändert sich nichts.',
      emergency: 'wir müssen kurzfristig eine dringende Änderung an Diensten vornehmen, die Sie nutzen. Bitte entschuldigen Sie die kurze Vorankündigung; hier lesen Sie, warum, wann und was Sie davon bemerken können.',
    },
    greeting: 'Guten Tag {{ contact.name }},',
    window: 'Zeitraum',
    previously: 'Bisher geplant',
    components: 'Betroffene Dienste',
    noComponents: 'Kein Dienst, den Sie nutzen, wird voraussichtlich unterbrochen.',
    reason: 'Warum dies nicht warten kann',
    cancelReason: 'Grund',
    incident: 'Zugehöriger Vorfall',
    follow: 'Den Fortgang sehen Sie auf Ihrer Statusseite',
    calendar: 'Kalender (iCal)',
    regards: 'Mit freundlichen Grüßen',
    note: 'Hinweis',
  },
};

const RANGE = '{{ maintenance.startsAt | datetime }} – {{ maintenance.endsAt | datetime }}';
const PREVIOUS = '{{ maintenance.previousStartsAt | datetime }} – {{ maintenance.previousEndsAt | datetime }}';

function subjectOf(kind: MaintenanceNoticeKind, w: Words): string {
  return `${w.title[kind]}: {{ maintenance.title }} ({{ maintenance.startsAt | datetime }}) [{{ maintenance.key }}]`;
}

function textOf(kind: MaintenanceNoticeKind, w: Words): string {
  const lines = [
    w.greeting,
    '',
    w.intro[kind],
    '',
    '{% if message.bodyText %}{{ message.bodyText }}\n\n{% endif %}{{ maintenance.key }}: {{ maintenance.title }}',
    `${w.window}: ${RANGE}`,
    `{% if maintenance.previousStartsAt %}${w.previously}: ${PREVIOUS}\n{% endif %}`,
    '{% if maintenance.descriptionText %}{{ maintenance.descriptionText }}\n{% endif %}',
    `{% if maintenance.justification %}${w.reason}: {{ maintenance.justification }}\n{% endif %}`,
    `{% if maintenance.incidentKey %}${w.incident}: {{ maintenance.incidentKey }}\n{% endif %}`,
    `{% if maintenance.cancelReason %}${w.cancelReason}: {{ maintenance.cancelReason }}\n{% endif %}`,
    `${w.components}:`,
    `{% for c in components %}- {{ c.name }}\n{% else %}${w.noComponents}\n{% endfor %}`,
    `${w.follow}: {{ links.maintenance }}`,
    `${w.calendar}: {{ links.calendar }}`,
    '{% if links.unsubscribe %}{{ links.unsubscribe }}\n{% endif %}',
    w.regards,
    '{{ company.name }}',
  ];
  return lines.join('\n');
}

function htmlOf(kind: MaintenanceNoticeKind, w: Words): string {
  const p = 'style="margin:0 0 14px 0;"';
  return [
    '<!DOCTYPE html>',
    '<html lang="{{ contact.language }}" dir="ltr">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">',
    `<title>${w.title[kind]}: {{ maintenance.title }}</title></head>`,
    '<body style="margin:0;padding:24px 12px;background-color:#f6f8fa;font-family:-apple-system,BlinkMacSystemFont,\'Segoe UI\',Helvetica,Arial,sans-serif;font-size:16px;line-height:1.55;color:#1f2328;">',
    '<div style="max-width:600px;margin:0 auto;background-color:#ffffff;border:1px solid #d0d7de;border-radius:6px;padding:24px 28px;">',
    '<p style="margin:0 0 8px 0;color:#59636e;font-size:14px;">{{ company.name }} · {{ maintenance.key }}</p>',
    `<h1 style="margin:0 0 16px 0;font-size:22px;line-height:1.3;">${w.title[kind]}: {{ maintenance.title }}</h1>`,
    `<p ${p}>${w.greeting}</p>`,
    `<p ${p}>${w.intro[kind]}</p>`,
    `{% if message.bodyHtml %}<div>{{ message.bodyHtml | raw }}</div>{% endif %}`,
    `<p ${p}><strong>${w.window}:</strong> ${RANGE}`,
    `{% if maintenance.previousStartsAt %}<br><strong>${w.previously}:</strong> <s>${PREVIOUS}</s>{% endif %}</p>`,
    '{% if maintenance.descriptionHtml %}<div>{{ maintenance.descriptionHtml | raw }}</div>{% endif %}',
    `{% if maintenance.justification %}<p ${p}><strong>${w.reason}:</strong> {{ maintenance.justification }}</p>{% endif %}`,
    `{% if maintenance.incidentKey %}<p ${p}><strong>${w.incident}:</strong> {{ maintenance.incidentKey }}</p>{% endif %}`,
    `{% if maintenance.cancelReason %}<p ${p}><strong>${w.cancelReason}:</strong> {{ maintenance.cancelReason }}</p>{% endif %}`,
    `<h2 style="margin:20px 0 8px 0;font-size:17px;">${w.components}</h2>`,
    `{% if components.size > 0 %}<ul>{% for c in components %}<li>{{ c.name }}</li>{% endfor %}</ul>{% else %}<p ${p}>${w.noComponents}</p>{% endif %}`,
    `<p ${p}><a href="{{ links.maintenance }}">${w.follow}</a> · <a href="{{ links.calendar }}">${w.calendar}</a></p>`,
    `<p ${p}>${w.regards}<br>{{ company.name }}</p>`,
    '{% if links.unsubscribe %}<p style="font-size:13px;color:#59636e;"><a href="{{ links.unsubscribe }}">Unsubscribe</a></p>{% endif %}',
    '</div>',
    '</body>',
    '</html>',
  ].join('\n');
}

function chatOf(kind: MaintenanceNoticeKind, w: Words): string {
  return [
    `${w.title[kind]}: {{ maintenance.title }} ({{ maintenance.key }})`,
    `${w.window}: ${RANGE}`,
    `{% if maintenance.previousStartsAt %}${w.previously}: ${PREVIOUS}\n{% endif %}`,
    `{% if maintenance.justification %}${w.reason}: {{ maintenance.justification }}\n{% endif %}`,
    `{% if maintenance.cancelReason %}${w.cancelReason}: {{ maintenance.cancelReason }}\n{% endif %}`,
    `{% if components.size > 0 %}${w.components}:\n{% for c in components %}- {{ c.name }}\n{% endfor %}{% endif %}`,
    '{{ links.maintenance }}',
  ].join('\n');
}

export interface DefaultMaintenanceTemplate {
  kind: MaintenanceTemplateKind;
  language: Language;
  channel: Channel;
  parts: EmailParts | ChatParts;
}

/** Every shipped maintenance template: 7 notice kinds × 2 languages × 2 channels. */
export const DEFAULT_MAINTENANCE_TEMPLATES: readonly DefaultMaintenanceTemplate[] = MAINTENANCE_NOTICE_KINDS.flatMap((kind) =>
  LANGUAGES.flatMap((language) => {
    const w = WORDS[language];
    return [
      { kind: templateKindOf(kind), language, channel: 'email' as const, parts: { subject: subjectOf(kind, w), html: htmlOf(kind, w), text: textOf(kind, w) } },
      { kind: templateKindOf(kind), language, channel: 'chat' as const, parts: { text: chatOf(kind, w) } },
    ];
  }),
);

// ---------------------------------------------------------------------------------------------------
// Checking and rendering

function sampleContexts(kind: MaintenanceTemplateKind, language: string): MaintenanceTemplateContext[] {
  const notice = kind.slice('maintenance_'.length) as MaintenanceNoticeKind;
  const starts = new Date('2026-12-05T22:00:00Z');
  const ends = new Date('2026-12-06T02:00:00Z');
  const full: MaintenanceTemplateData = {
    notice,
    maintenance: {
      key: 'MNT-12',
      title: 'Database upgrade',
      kind: notice === 'emergency' ? 'emergency' : 'planned',
      description: 'We upgrade the **database cluster**. Logins may fail for up to 10 minutes.',
      justification: notice === 'emergency' ? 'A security fix that cannot wait.' : null,
      startsAt: starts,
      endsAt: ends,
      previousStartsAt: notice === 'rescheduled' ? new Date('2026-12-04T22:00:00Z') : null,
      previousEndsAt: notice === 'rescheduled' ? new Date('2026-12-05T02:00:00Z') : null,
      cancelReason: notice === 'cancelled' ? 'The vendor withdrew the update.' : null,
      incidentKey: notice === 'emergency' ? 'INC-1042' : null,
    },
    client: { name: 'Meyer & Sons Logistics', slug: 'meyer-sons' },
    contact: { name: 'Anna Schmidt', email: 'anna@meyer.example', role: 'technical' },
    components: [{ name: 'Customer portal' }, { name: 'Public API' }],
    body: 'We will keep you posted.',
    baseUrl: 'https://status.example',
    company: { name: 'Brightline Cloud' },
  };
  const sparse: MaintenanceTemplateData = { ...full, maintenance: { ...full.maintenance, description: '', justification: null, previousStartsAt: null, previousEndsAt: null, cancelReason: null, incidentKey: null }, components: [], body: null };
  return [buildMaintenanceContext(full, language), buildMaintenanceContext(sparse, language)];
}

/** Everything wrong with a maintenance template, each naming its part and line. Never throws. */
export function validateMaintenanceTemplate(kind: MaintenanceTemplateKind, channel: Channel, parts: Readonly<Record<string, unknown>>, language = 'en'): TemplateIssue[] {
  return checkTemplateParts(channel, parts, { unknownPath, contexts: () => sampleContexts(kind, language).map((context) => ({ context })) });
}

export function renderMaintenanceTemplate<C extends Channel>(channel: C, parts: PartsOf<C>, context: MaintenanceTemplateContext): PartsOf<C> {
  return renderParts(channel, parts, context, unknownPath);
}
