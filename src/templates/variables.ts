// The one documented list of what a template can use. `TemplateContext` is its type, `VARIABLES` its
// documentation (the editor and the docs show it; a test keeps it equal to the context), and
// `buildContext` the only way a context is made, so every template sees the same shape.
import type { ComponentStatus, ContactRole, DisclosureLevel, Disclosures, MessageKind, Severity, TechState } from '../domain/types.js';
import { LruMap } from './lru-map.js';
import { markdownToHtml, markdownToText } from './markdown.js';
import { sampleData, type SampleVariant } from './sample-data.js';
import { LEVEL_TEXT, STATE_TEXT, STATUS_TEXT, resolveLanguage, type Language } from './texts.js';

/**
 * Everything a template can read. The shape never varies: leaves may be null or lists empty,
 * but no object is ever missing, so a template that renders against the sample renders for real.
 * Dates are ISO 8601 strings in UTC; format them with the `datetime`, `date_only` and `time_only` filters.
 */
export interface TemplateContext {
  kind: MessageKind;
  incident: {
    key: string;
    title: string;
    severity: Severity;
    state: TechState;
    stateText: string;
    reportedAt: string;
    resolvedAt: string | null;
    isResolved: boolean;
    url: string;
  };
  client: { name: string; slug: string };
  contact: { name: string; email: string; language: Language; role: string; timeZone: string };
  components: { name: string; status: ComponentStatus; statusText: string }[];
  disclosures: {
    impactSummary: string | null;
    dataLoss: { level: DisclosureLevel | null; levelText: string; details: string | null };
    dataExposure: { level: DisclosureLevel | null; levelText: string; details: string | null; isPersonalData: boolean };
    expectedResolutionAt: string | null;
    nextUpdateAt: string | null;
    remediation: string | null;
  };
  message: { body: string | null; bodyHtml: string | null; bodyText: string | null };
  timeline: { at: string; kind: MessageKind; text: string }[];
  nextUpdateAt: string | null;
  pastOccurrences: { key: string; title: string; reportedAt: string; rcaUrl: string | null }[];
  links: { statusPage: string; incident: string; unsubscribe: string | null };
  company: { name: string };
}

/** The plain data `buildContext` turns into a context: what the sending pipeline already holds. */
export interface TemplateData {
  kind: MessageKind;
  incident: { key: string; title: string; severity: Severity; state: TechState; reportedAt: string; resolvedAt: string | null };
  client: { name: string; slug: string };
  /** `timeZone` is an IANA name ("Europe/Berlin"); UTC when absent. */
  contact: { name: string; email: string; role: ContactRole | string; timeZone?: string | null };
  components: { name: string; status: ComponentStatus }[];
  disclosures: Disclosures;
  /** The author's Markdown. */
  body: string | null;
  /** Earlier public messages on the incident, any order: the context lists them oldest first. */
  timeline?: { at: string; kind: MessageKind; text: string }[] | null;
  pastOccurrences?: { key: string; title: string; reportedAt: string; rcaUrl: string | null }[] | null;
  /** `incident` is the incident's page on the client's status page; it is also `incident.url`. */
  links: { statusPage: string; incident: string; unsubscribe?: string | null };
  company: { name: string };
}

const text = (s: string | null | undefined) => (s?.trim() ? s.trim() : null);

/** Only web and mail links reach a message: a `javascript:` URL in data must not become a link. */
function safeUrl(url: string | null | undefined): string | null {
  const u = url?.trim();
  return u && /^(https?:\/\/|mailto:)/i.test(u) ? u : null;
}

function isoOrNull(value: string | null | undefined): string | null {
  if (!value) return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

const iso = (value: string) => isoOrNull(value) ?? value;

// One message body goes to every recipient: convert it once, not once per contact. Keyed by the text
// alone, so the same for every database a process opens.
const bodies = new LruMap<string, { bodyHtml: string; bodyText: string }>(100);

function convertBody(body: string): { bodyHtml: string; bodyText: string } {
  return bodies.getOrSet(body, () => ({ bodyHtml: markdownToHtml(body), bodyText: markdownToText(body) }));
}

/** The `contact` of a template context: the recipient, in the message's language. */
export function contactContext(contact: TemplateData['contact'], language: string): TemplateContext['contact'] {
  return { name: contact.name, email: contact.email, language: resolveLanguage(language), role: contact.role, timeZone: text(contact.timeZone) ?? 'UTC' };
}

/** Makes the context for one message in one language (the contact's; unknown languages fall back to English). */
export function buildContext(data: TemplateData, language: string): TemplateContext {
  const lang = resolveLanguage(language);
  const d = data.disclosures;
  const body = text(data.body);
  const nextUpdateAt = isoOrNull(d.nextUpdateAt);
  const incidentUrl = safeUrl(data.links.incident) ?? '';
  return {
    kind: data.kind,
    incident: {
      key: data.incident.key,
      title: data.incident.title,
      severity: data.incident.severity,
      state: data.incident.state,
      stateText: STATE_TEXT[lang][data.incident.state],
      reportedAt: iso(data.incident.reportedAt),
      resolvedAt: isoOrNull(data.incident.resolvedAt),
      isResolved: data.incident.state === 'resolved',
      url: incidentUrl,
    },
    client: { name: data.client.name, slug: data.client.slug },
    contact: contactContext(data.contact, lang),
    components: data.components.map((c) => ({ name: c.name, status: c.status, statusText: STATUS_TEXT[lang][c.status] })),
    disclosures: {
      impactSummary: text(d.impactSummary),
      dataLoss: {
        level: d.dataLoss?.level ?? null,
        levelText: LEVEL_TEXT[lang][d.dataLoss?.level ?? 'unknown'],
        details: text(d.dataLoss?.details),
      },
      dataExposure: {
        level: d.dataExposure?.level ?? null,
        levelText: LEVEL_TEXT[lang][d.dataExposure?.level ?? 'unknown'],
        details: text(d.dataExposure?.details),
        isPersonalData: d.dataExposure?.isPersonalData ?? false,
      },
      expectedResolutionAt: isoOrNull(d.expectedResolutionAt),
      nextUpdateAt,
      remediation: text(d.remediation),
    },
    message: body === null ? { body, bodyHtml: null, bodyText: null } : { body, ...convertBody(body) },
    timeline: (data.timeline ?? [])
      .map((t) => ({ at: iso(t.at), kind: t.kind, text: t.text.trim() }))
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    nextUpdateAt,
    pastOccurrences: (data.pastOccurrences ?? []).map((p) => ({
      key: p.key,
      title: p.title,
      reportedAt: iso(p.reportedAt),
      rcaUrl: safeUrl(p.rcaUrl),
    })),
    links: {
      statusPage: safeUrl(data.links.statusPage) ?? '',
      incident: incidentUrl,
      unsubscribe: safeUrl(data.links.unsubscribe),
    },
    company: { name: data.company.name },
  };
}

/** A realistic, complete context for a kind and language: what previews and the docs show. */
export function sampleContext(kind: MessageKind, language: string): TemplateContext {
  return buildContext(sampleData(kind, resolveLanguage(language), 'typical'), language);
}

/**
 * The contexts a template is rendered against before it is saved: the typical sample, one where every
 * list is filled and every disclosure is at its gravest (personal data, no unsubscribe link), and one
 * where every optional value is absent and every list empty.
 */
export function validationContexts(kind: MessageKind, language: string): TemplateContext[] {
  const variants: SampleVariant[] = ['typical', 'grave', 'sparse'];
  return variants.map((v) => buildContext(sampleData(kind, resolveLanguage(language), v), language));
}

export interface VariableDoc {
  /** The path as written in a template; `[]` marks the items of a list (`{% for c in components %}{{ c.name }}`). */
  name: string;
  type: string;
  description: string;
  example: string;
}

const ISO = 'ISO date-time';

export const VARIABLES: readonly VariableDoc[] = [
  { name: 'kind', type: "'initial' | 'update' | 'resolution' | 'rca'", description: 'The kind of message being sent.', example: 'initial' },
  { name: 'incident.key', type: 'string', description: 'The incident’s reference, for the client to quote.', example: 'INC-1042' },
  { name: 'incident.title', type: 'string', description: 'The incident’s public title.', example: 'Customer portal unavailable' },
  { name: 'incident.severity', type: "'SEV1' | 'SEV2' | 'SEV3' | 'SEV4'", description: 'Internal severity. The default templates do not show it.', example: 'SEV2' },
  { name: 'incident.state', type: "'investigating' | 'identified' | 'monitoring' | 'resolved'", description: 'Where the technical work stands.', example: 'investigating' },
  { name: 'incident.stateText', type: 'string', description: 'The state in words, in the contact’s language.', example: 'We are investigating the cause' },
  { name: 'incident.reportedAt', type: ISO, description: 'When the incident was reported.', example: '2026-11-23T17:52:00.000Z' },
  { name: 'incident.resolvedAt', type: `${ISO} | null`, description: 'When the incident was resolved; null while it runs.', example: '2026-11-23T20:41:00.000Z' },
  { name: 'incident.isResolved', type: 'boolean', description: 'Whether the incident is resolved.', example: 'false' },
  { name: 'incident.url', type: 'string (URL)', description: 'The incident on the client’s status page (same as links.incident).', example: 'https://status.brightline.example/meyer-sons/incidents/INC-1042' },
  { name: 'client.name', type: 'string', description: 'The client organisation this message is for.', example: 'Meyer & Sons Logistics' },
  { name: 'client.slug', type: 'string', description: 'The client’s short name in URLs.', example: 'meyer-sons' },
  { name: 'contact.name', type: 'string', description: 'The person this message is addressed to.', example: 'Anna Schmidt' },
  { name: 'contact.email', type: 'string', description: 'Their e-mail address.', example: 'anna.schmidt@meyer-logistics.example' },
  { name: 'contact.language', type: "'en' | 'de'", description: 'The language this message is written in (the contact’s, or English when Herald has no texts in theirs).', example: 'en' },
  { name: 'contact.role', type: "'technical' | 'executive' | 'billing' | 'security' | 'other'", description: 'The contact’s role at the client.', example: 'technical' },
  { name: 'contact.timeZone', type: 'string (IANA time zone)', description: 'The time zone dates are shown in by default; UTC unless known.', example: 'UTC' },
  { name: 'components', type: 'list', description: 'The affected components this client uses.', example: '2 items' },
  { name: 'components[].name', type: 'string', description: 'Component name.', example: 'Customer portal' },
  { name: 'components[].status', type: "'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage' | 'under_maintenance'", description: 'Its status because of this incident.', example: 'major_outage' },
  { name: 'components[].statusText', type: 'string', description: 'The status in plain words, in the contact’s language.', example: 'down' },
  { name: 'disclosures.impactSummary', type: 'string | null', description: 'What the client and its users notice, in the author’s words.', example: 'Nobody can sign in to the customer portal.' },
  { name: 'disclosures.dataLoss.level', type: "'none' | 'suspected' | 'confirmed' | null", description: 'Whether data was lost; null while not yet stated.', example: 'none' },
  { name: 'disclosures.dataLoss.levelText', type: 'string', description: 'The level as a short answer in the contact’s language.', example: 'No' },
  { name: 'disclosures.dataLoss.details', type: 'string | null', description: 'What was or may have been lost.', example: 'null' },
  { name: 'disclosures.dataExposure.level', type: "'none' | 'suspected' | 'confirmed' | null", description: 'Whether data was or may have been accessible to unintended third parties; null while not yet stated.', example: 'none' },
  { name: 'disclosures.dataExposure.levelText', type: 'string', description: 'The level as a short answer in the contact’s language.', example: 'No' },
  { name: 'disclosures.dataExposure.details', type: 'string | null', description: 'Which data, to whom, for how long.', example: 'null' },
  { name: 'disclosures.dataExposure.isPersonalData', type: 'boolean', description: 'Whether the exposed data includes personal data (GDPR).', example: 'false' },
  { name: 'disclosures.expectedResolutionAt', type: `${ISO} | null`, description: 'When we expect the incident to be resolved.', example: '2026-11-23T21:00:00.000Z' },
  { name: 'disclosures.nextUpdateAt', type: `${ISO} | null`, description: 'When the client will hear from us next (same as nextUpdateAt).', example: '2026-11-23T19:30:00.000Z' },
  { name: 'disclosures.remediation', type: 'string | null', description: 'What we change so that it does not happen again.', example: 'An automatic failover for the session database.' },
  { name: 'message.body', type: 'string (Markdown) | null', description: 'The author’s message as written.', example: 'Since 17:45 UTC the customer portal has been unavailable. …' },
  { name: 'message.bodyHtml', type: 'string (HTML) | null', description: 'The author’s message as safe HTML; in the html part write {{ message.bodyHtml | raw }}.', example: '<p>Since 17:45 UTC …</p>' },
  { name: 'message.bodyText', type: 'string | null', description: 'The author’s message as plain text, for text and chat.', example: 'Since 17:45 UTC the customer portal has been unavailable. …' },
  { name: 'timeline', type: 'list', description: 'Earlier messages to clients on this incident, oldest first.', example: '1 item' },
  { name: 'timeline[].at', type: ISO, description: 'When it was sent.', example: '2026-11-23T18:05:00.000Z' },
  { name: 'timeline[].kind', type: "'initial' | 'update' | 'resolution' | 'rca'", description: 'Its kind.', example: 'initial' },
  { name: 'timeline[].text', type: 'string', description: 'What it said, in short.', example: 'The customer portal is unavailable; we are investigating.' },
  { name: 'nextUpdateAt', type: `${ISO} | null`, description: 'When the client will hear from us next.', example: '2026-11-23T19:30:00.000Z' },
  { name: 'pastOccurrences', type: 'list', description: 'Earlier incidents of this client on the same components (filled for the initial notice).', example: '2 items' },
  { name: 'pastOccurrences[].key', type: 'string', description: 'Its reference.', example: 'INC-0987' },
  { name: 'pastOccurrences[].title', type: 'string', description: 'Its title.', example: 'Slow responses from the public API' },
  { name: 'pastOccurrences[].reportedAt', type: ISO, description: 'When it was reported.', example: '2026-08-14T09:12:00.000Z' },
  { name: 'pastOccurrences[].rcaUrl', type: 'string (URL) | null', description: 'Its root-cause analysis, if the client received one.', example: 'https://status.brightline.example/rca/INC-0987' },
  { name: 'links.statusPage', type: 'string (URL)', description: 'The client’s status page.', example: 'https://status.brightline.example/meyer-sons' },
  { name: 'links.incident', type: 'string (URL)', description: 'This incident on the status page.', example: 'https://status.brightline.example/meyer-sons/incidents/INC-1042' },
  { name: 'links.unsubscribe', type: 'string (URL) | null', description: 'Where the contact stops these messages; null when they cannot (e.g. contractual contacts).', example: 'https://status.brightline.example/unsubscribe/…' },
  { name: 'company.name', type: 'string', description: 'Our company, the sender.', example: 'Brightline Cloud' },
];
