import { describe, expect, it } from 'vitest';
import { MESSAGE_KINDS, type MessageKind } from '../domain/types.js';
import { DEFAULT_TEMPLATES, defaultTemplate } from './defaults.js';
import type { EmailParts } from './template-parts.js';
import { renderTemplate } from './template-renderer.js';
import { validateTemplate } from './template-validation.js';
import type { Language } from './texts.js';
import { sampleContext, validationContexts, type TemplateContext } from './variables.js';

/** What each language's defaults must say, given the sample incident (German sample: Europe/Berlin). */
const SAYS = {
  en: {
    impact: 'Nobody can sign in to the customer portal.',
    components: ['Customer portal: down', 'Public API: degraded (slower than usual)'],
    noLoss: 'No data was lost.',
    noExposure: 'No data was accessible to unauthorised third parties.',
    nextUpdate: { initial: '23 Nov 2026, 19:30 UTC', update: '23 Nov 2026, 20:30 UTC' },
    expected: '23 Nov 2026, 21:00 UTC',
    resolvedAt: '23 Nov 2026, 20:41 UTC',
    remediation: 'automatic failover to a standby database',
    past: ['INC-0987 (14 Aug 2026): Slow responses from the public API', 'https://status.brightline.example/rca/INC-0987', 'INC-0912 (2 Mar 2026)'],
    lossConfirmed: 'Data was lost.',
    exposureConfirmed: 'Data was accessible to unauthorised third parties.',
    personal: 'Art. 33(2) GDPR',
    lossUnknown: 'We are still checking whether any data was lost',
    exposureUnknown: 'We are still checking whether any data was accessible to unauthorised third parties',
    noPast: 'We have no record of earlier incidents on these services',
    foreign: ['Datenverlust', 'Störung', 'Ihre'],
  },
  de: {
    impact: 'Niemand kann sich im Kundenportal anmelden.',
    components: ['Kundenportal: ausgefallen', 'Öffentliche API: eingeschränkt (langsamer als üblich)'],
    noLoss: 'Es sind keine Daten verloren gegangen.',
    noExposure: 'Es waren keine Daten für unbefugte Dritte zugänglich.',
    nextUpdate: { initial: '23.11.2026, 20:30 MEZ', update: '23.11.2026, 21:30 MEZ' },
    expected: '23.11.2026, 22:00 MEZ',
    resolvedAt: '23.11.2026, 21:41 MEZ',
    remediation: 'automatische Umschaltung auf eine Standby-Datenbank',
    past: ['INC-0987 (14.08.2026): Langsame Antworten der öffentlichen API', 'https://status.brightline.example/rca/INC-0987', 'INC-0912 (02.03.2026)'],
    lossConfirmed: 'Es sind Daten verloren gegangen.',
    exposureConfirmed: 'Es waren Daten für unbefugte Dritte zugänglich.',
    personal: 'Art. 33 Abs. 2 DSGVO',
    lossUnknown: 'Wir prüfen noch, ob Daten verloren gegangen sind',
    exposureUnknown: 'Wir prüfen noch, ob Daten für unbefugte Dritte zugänglich waren',
    noPast: 'Uns sind keine früheren Störungen dieser Dienste bekannt',
    foreign: ['Data loss', 'Incident', 'Your data', 'Dear', 'Resolved'],
  },
} satisfies Record<Language, unknown>;

const CASES = MESSAGE_KINDS.flatMap((kind) => (['en', 'de'] as const).map((language) => ({ kind, language })));

/** Every rendered output of a kind and language that a client can receive: e-mail text, e-mail HTML, chat. */
function outputs(kind: MessageKind, language: Language, context: TemplateContext = sampleContext(kind, language)) {
  const email = renderTemplate('email', defaultTemplate(kind, language, 'email'), context);
  const chat = renderTemplate('chat', defaultTemplate(kind, language, 'chat'), context);
  return { email, bodies: { text: email.text, html: email.html.replace(/<[^>]+>/g, ''), chat: chat.text } };
}

describe('default templates', () => {
  it('ship every kind in English and German for e-mail and chat', () => {
    expect(DEFAULT_TEMPLATES).toHaveLength(16);
    expect(new Set(DEFAULT_TEMPLATES.map((t) => `${t.kind}.${t.language}.${t.channel}`)).size).toBe(16);
  });

  it.each(DEFAULT_TEMPLATES.map((t) => [`${t.kind}.${t.language}.${t.channel}`, t] as const))('%s validates', (_name, t) => {
    expect(validateTemplate(t.channel, t.parts, { kinds: [t.kind], language: t.language })).toEqual([]);
  });

  it.each(CASES)('$kind in $language states impact, components, data loss and data exposure everywhere', ({ kind, language }) => {
    const says = SAYS[language];
    const { bodies } = outputs(kind, language);
    for (const [part, body] of Object.entries(bodies)) {
      expect(body, part).toContain(says.impact);
      for (const c of says.components) expect(body, part).toContain(c);
      expect(body, part).toContain(says.noLoss);
      expect(body, part).toContain(says.noExposure);
      expect(body, part).toContain(sampleContext(kind, language).message.bodyText!.split('\n').at(-1)!.replace(/^- /, ''));
    }
  });

  it.each(CASES.filter((c) => c.kind === 'initial' || c.kind === 'update'))('$kind in $language promises the next update and the expected resolution', ({ kind, language }) => {
    const says = SAYS[language];
    for (const [part, body] of Object.entries(outputs(kind, language).bodies)) {
      expect(body, part).toContain(says.nextUpdate[kind as 'initial' | 'update']);
      expect(body, part).toContain(says.expected);
    }
  });

  it.each(CASES.filter((c) => c.kind === 'resolution' || c.kind === 'rca'))('$kind in $language states the resolution time and the remediation', ({ kind, language }) => {
    const says = SAYS[language];
    for (const [part, body] of Object.entries(outputs(kind, language).bodies)) {
      expect(body, part).toContain(says.resolvedAt);
      expect(body, part).toContain(says.remediation);
    }
  });

  it.each((['en', 'de'] as const).map((language) => ({ language })))('the initial notice in $language lists past occurrences with their RCA links', ({ language }) => {
    const { bodies, email } = outputs('initial', language);
    for (const [part, body] of Object.entries(bodies)) {
      for (const line of SAYS[language].past.filter((l) => part !== 'html' || !l.startsWith('https'))) expect(body, part).toContain(line);
    }
    expect(email.html).toContain('<a href="https://status.brightline.example/rca/INC-0987"');
    const none = outputs('initial', language, validationContexts('initial', language)[2]);
    for (const body of Object.values(none.bodies)) expect(body).toContain(SAYS[language].noPast);
  });

  it.each(CASES)('$kind in $language states confirmed loss and exposure of personal data with GDPR wording', ({ kind, language }) => {
    const says = SAYS[language];
    const grave = validationContexts(kind, language)[1]!;
    for (const [part, body] of Object.entries(outputs(kind, language, grave).bodies)) {
      expect(body, part).toContain(says.lossConfirmed);
      expect(body, part).toContain(grave.disclosures.dataLoss.details);
      expect(body, part).toContain(says.exposureConfirmed);
      expect(body, part).toContain(says.personal);
    }
  });

  it.each(CASES)('$kind in $language says what is still being checked when nothing is disclosed yet', ({ kind, language }) => {
    const says = SAYS[language];
    for (const [part, body] of Object.entries(outputs(kind, language, validationContexts(kind, language)[2]).bodies)) {
      expect(body, part).toContain(says.lossUnknown);
      expect(body, part).toContain(says.exposureUnknown);
    }
  });

  it.each(CASES)('$kind in $language says nothing internal and stays in its language', ({ kind, language }) => {
    for (const [part, body] of Object.entries(outputs(kind, language, validationContexts(kind, language)[1]).bodies)) {
      expect(body, part).not.toContain('SEV');
      for (const word of SAYS[language].foreign) expect(body, part).not.toContain(word);
    }
  });

  it('writes a one-line subject with the incident key', () => {
    expect(renderTemplate('email', defaultTemplate('initial', 'en', 'email'), sampleContext('initial', 'en')).subject).toBe(
      'Incident notice: Customer portal unavailable [INC-1042]',
    );
    expect(renderTemplate('email', defaultTemplate('resolution', 'de', 'email'), sampleContext('resolution', 'de')).subject).toBe(
      'Behoben: Kundenportal nicht erreichbar [INC-1042]',
    );
  });

  it('writes accessible HTML that adapts to dark mode', () => {
    const { html } = renderTemplate('email', defaultTemplate('update', 'de', 'email'), sampleContext('update', 'de')) as EmailParts;
    expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="de" dir="ltr">/);
    expect(html).toContain('<meta name="color-scheme" content="light dark">');
    expect(html).toContain('@media (prefers-color-scheme: dark)');
    expect(html).toContain('<title>Neuer Stand zur Störung: Kundenportal nicht erreichbar</title>');
    expect(html.match(/<table role="presentation"/g)).toHaveLength(2);
    expect(html).toContain('<h1 ');
  });

  it('offers unsubscribing only where a link exists', () => {
    const typical = outputs('update', 'en').email;
    expect(typical.text).toContain('To stop receiving these messages: https://status.brightline.example/unsubscribe/6f1c2a9e');
    expect(typical.html).toContain('>Unsubscribe</a>');
    const none = outputs('update', 'en', validationContexts('update', 'en')[1]).email;
    expect(none.text).not.toContain('To stop receiving');
    expect(none.html).not.toContain('Unsubscribe');
  });

  it('falls back to English for a language Herald ships no templates in', () => {
    expect(defaultTemplate('update', 'fr', 'chat')).toBe(defaultTemplate('update', 'en', 'chat'));
  });
});
