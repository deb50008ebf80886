import { describe, expect, it } from 'vitest';
import { MESSAGE_KINDS } from '../domain/types.js';
import { sampleData } from './sample-data.js';
import { LANGUAGES } from './texts.js';
import { VARIABLES, buildContext, sampleContext, validationContexts, type TemplateData } from './variables.js';

/** Every path a template can write, in VARIABLES notation (`components[].name`). */
function paths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((item) => paths(item, `${prefix}[]`))];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => paths(v, prefix ? `${prefix}.${k}` : k));
  return [prefix];
}

const data = (overrides: Partial<TemplateData> = {}): TemplateData => ({ ...sampleData('initial', 'en'), ...overrides });

describe('template variables', () => {
  it('documents exactly the paths every sample context has', () => {
    const documented = new Set(VARIABLES.map((v) => v.name));
    expect(documented.size).toBe(VARIABLES.length);
    for (const kind of MESSAGE_KINDS) {
      for (const language of LANGUAGES) {
        for (const context of validationContexts(kind, language)) {
          const present = new Set(paths(context));
          const undocumented = [...present].filter((p) => !documented.has(p));
          expect(undocumented).toEqual([]);
          // Lists may be empty in a context; their item paths are then absent, the list itself never.
          const missing = [...documented].filter((p) => !p.includes('[]') && !present.has(p));
          expect(missing).toEqual([]);
        }
      }
    }
    const grave = new Set(paths(validationContexts('initial', 'en')[1]));
    expect([...documented].filter((p) => !grave.has(p))).toEqual([]);
  });

  it('gives every documented variable a type, a description and an example', () => {
    for (const v of VARIABLES) expect(v.type && v.description && v.example, v.name).toBeTruthy();
  });

  it('fills status, state and level words in the contact’s language', () => {
    const de = sampleContext('initial', 'de');
    expect(de.components.map((c) => c.statusText)).toEqual(['ausgefallen', 'eingeschränkt (langsamer als üblich)']);
    expect(de.incident.stateText).toBe('Wir untersuchen die Ursache');
    expect(de.disclosures.dataLoss.levelText).toBe('Nein');
    const en = sampleContext('initial', 'en');
    expect(en.components[0]!.statusText).toBe('down');
    expect(en.disclosures.dataExposure.levelText).toBe('No');
  });

  it('falls back to English for a language Herald has no texts in, and reads regional tags', () => {
    expect(buildContext(data(), 'fr').contact.language).toBe('en');
    expect(buildContext(data(), 'de-AT').contact.language).toBe('de');
  });

  it('keeps the shape when nothing has been disclosed yet', () => {
    const context = buildContext(
      data({ disclosures: { impactSummary: '  ', dataLoss: null, dataExposure: null, expectedResolutionAt: null, nextUpdateAt: null, remediation: null }, body: null }),
      'en',
    );
    expect(context.disclosures.impactSummary).toBeNull();
    expect(context.disclosures.dataLoss).toEqual({ level: null, levelText: 'Not yet assessed', details: null });
    expect(context.disclosures.dataExposure).toEqual({ level: null, levelText: 'Not yet assessed', details: null, isPersonalData: false });
    expect(context.message).toEqual({ body: null, bodyHtml: null, bodyText: null });
  });

  it('turns the author’s Markdown into safe HTML and plain text', () => {
    const context = buildContext(data({ body: 'See **the [status page](https://status.example/x)**.\n\n<img src=x onerror=alert(1)>' }), 'en');
    expect(context.message.bodyHtml).toBe('<p>See <strong>the <a href="https://status.example/x">status page</a></strong>.</p>\n<p>&lt;img src=x onerror=alert(1)&gt;</p>');
    expect(context.message.bodyText).toBe('See the status page (https://status.example/x).\n\n<img src=x onerror=alert(1)>');
  });

  it('lets only web and mail links through', () => {
    const context = buildContext(
      data({
        links: { statusPage: 'javascript:alert(1)', incident: 'https://status.example/i/1', unsubscribe: 'data:text/html,x' },
        pastOccurrences: [{ key: 'INC-1', title: 't', reportedAt: '2026-01-01T00:00:00Z', rcaUrl: 'javascript:alert(1)' }],
      }),
      'en',
    );
    expect(context.links).toEqual({ statusPage: '', incident: 'https://status.example/i/1', unsubscribe: null });
    expect(context.incident.url).toBe('https://status.example/i/1');
    expect(context.pastOccurrences[0]!.rcaUrl).toBeNull();
  });

  it('lists the timeline oldest first with normalised dates', () => {
    const context = buildContext(
      data({
        timeline: [
          { at: '2026-11-23T19:28:00Z', kind: 'update', text: ' second ' },
          { at: '2026-11-23T18:05:00Z', kind: 'initial', text: 'first' },
        ],
      }),
      'en',
    );
    expect(context.timeline).toEqual([
      { at: '2026-11-23T18:05:00.000Z', kind: 'initial', text: 'first' },
      { at: '2026-11-23T19:28:00.000Z', kind: 'update', text: 'second' },
    ]);
  });

  it('mirrors the next update time at the top level and marks resolution', () => {
    const initial = sampleContext('initial', 'en');
    expect(initial.nextUpdateAt).toBe(initial.disclosures.nextUpdateAt);
    expect(initial.incident.isResolved).toBe(false);
    const resolution = sampleContext('resolution', 'en');
    expect(resolution.incident.isResolved).toBe(true);
    expect(resolution.incident.resolvedAt).toBe('2026-11-23T20:41:00.000Z');
  });
});
