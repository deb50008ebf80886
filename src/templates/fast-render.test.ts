// The renderer without generators must render exactly as LiquidJS does: the same text, or the same
// error (name and message, which name the tag and position). Checked on every shipped template with
// realistic contexts, and on random templates made of every tag, operator and kind of value.
import fc from 'fast-check';
import type { Liquid } from 'liquidjs';
import { describe, expect, it } from 'vitest';
import { MESSAGE_KINDS } from '../domain/types.js';
import { DEFAULT_TEMPLATES } from './defaults.js';
import { createLiquid } from './liquid-sandbox.js';
import { canRenderFast, renderFast } from './fast-render.js';
import { buildMaintenanceContext, DEFAULT_MAINTENANCE_TEMPLATES, type MaintenanceTemplateData } from './maintenance.js';
import { validationContexts } from './variables.js';

const engines = { html: createLiquid(true), text: createLiquid(false) };

function outcome(render: () => string): { out: string } | { error: string; message: string } {
  try {
    return { out: render() };
  } catch (e) {
    return { error: (e as Error).name, message: (e as Error).message };
  }
}

function compare(liquid: Liquid, source: string, scope: object) {
  const templates = liquid.parse(source);
  return { fast: outcome(() => renderFast(liquid, templates, scope)), liquid: outcome(() => liquid.renderSync(templates, scope) as string) };
}

const engineFor = (part: string) => (part === 'html' ? engines.html : engines.text);

describe('renderFast', () => {
  it('stands in for both engines', () => {
    expect(canRenderFast(engines.html)).toBe(true);
    expect(canRenderFast(engines.text)).toBe(true);
  });

  it('renders every shipped message template as LiquidJS does, in every sample context of every kind', () => {
    let rendered = 0;
    for (const t of DEFAULT_TEMPLATES) {
      for (const kind of MESSAGE_KINDS) {
        for (const context of validationContexts(kind, t.language)) {
          for (const [part, source] of Object.entries(t.parts)) {
            const { fast, liquid } = compare(engineFor(part), source as string, context);
            expect(fast, `${t.kind}.${t.language}.${t.channel}.${part} in a ${kind} context`).toEqual(liquid);
            rendered++;
          }
        }
      }
    }
    expect(rendered).toBeGreaterThan(300);
  });

  it('renders every shipped maintenance template as LiquidJS does', () => {
    const data: MaintenanceTemplateData = {
      notice: 'rescheduled',
      maintenance: {
        key: 'MNT-12',
        title: 'Database <upgrade> & more',
        kind: 'planned',
        description: 'We upgrade the **database cluster**.\n\n- Logins may fail\n- for up to 10 minutes',
        justification: null,
        startsAt: new Date('2026-12-05T22:00:00Z'),
        endsAt: new Date('2026-12-06T02:00:00Z'),
        previousStartsAt: new Date('2026-12-04T22:00:00Z'),
        previousEndsAt: new Date('2026-12-05T02:00:00Z'),
        cancelReason: null,
        incidentKey: null,
      },
      client: { name: 'Meyer & Sons "Logistics"', slug: 'meyer-sons' },
      contact: { name: 'Anna <Schmidt>', email: 'anna@meyer.example', role: 'technical' },
      components: [{ name: 'Customer portal' }, { name: 'Public API' }],
      body: 'We will keep you posted.',
      baseUrl: 'https://status.example',
      company: { name: 'Brightline Cloud' },
    };
    for (const t of DEFAULT_MAINTENANCE_TEMPLATES) {
      for (const variant of [data, { ...data, components: [], body: null }]) {
        const context = buildMaintenanceContext({ ...variant, notice: t.kind.slice('maintenance_'.length) as MaintenanceTemplateData['notice'] }, t.language);
        for (const [part, source] of Object.entries(t.parts)) {
          const { fast, liquid } = compare(engineFor(part), source as string, context);
          expect(fast, `${t.kind}.${t.language}.${t.channel}.${part}`).toEqual(liquid);
          expect('out' in fast).toBe(true);
        }
      }
    }
  });

  it('fails as LiquidJS fails: an unknown variable, a failing filter, inside loops and captures', () => {
    const cases = [
      '{{ missing }}',
      'a {% for i in items %}{{ i.nope }}{% endfor %}',
      '{% capture x %}{% if items.first.name == missing.x %}y{% endif %}{% endcapture %}{{ x }}',
      '{% for i in (1..100000000) %}{{ i }}{% endfor %}',
      '{% case missing %}{% when 1 %}one{% endcase %}',
    ];
    for (const source of cases) {
      for (const liquid of Object.values(engines)) {
        const { fast, liquid: expected } = compare(liquid, source, SCOPE);
        expect('error' in expected, source).toBe(true);
        expect(fast, source).toEqual(expected);
      }
    }
  });

  it('renders random templates of every tag, operator, filter and kind of value as LiquidJS does', () => {
    let parsed = 0;
    fc.assert(
      fc.property(template, fc.constantFrom('html', 'text'), (source, part) => {
        const liquid = engineFor(part);
        try {
          liquid.parse(source);
        } catch {
          return; // not Liquid: nothing to render
        }
        parsed++;
        const { fast, liquid: expected } = compare(liquid, source, SCOPE);
        expect(fast, source).toEqual(expected);
      }),
      { numRuns: 1500 },
    );
    expect(parsed).toBeGreaterThan(500);
  });
});

// ---------------------------------------------------------------------------------------------------
// Random templates

const SCOPE = {
  a: 'Tom & <Jerry>',
  s: '',
  n: 3,
  z: 0,
  neg: -2.5,
  t: true,
  f: false,
  nothing: null,
  when: '2026-11-23T19:30:00.000Z',
  items: [
    { name: 'beta', n: 2, tags: ['x', 'y'] },
    { name: 'Alpha', n: 1, tags: [] },
    { name: 'gamma', n: 2, tags: ['y'] },
  ],
  none: [],
  words: ['one', 'two', 'two', 'three'],
  obj: { x: 'X', y: { z: 1 }, list: [1, 2, 3] },
  contact: { name: 'Ann', language: 'de', timeZone: 'Europe/Berlin' },
};

const path = fc.constantFrom(
  'a',
  's',
  'n',
  'z',
  'neg',
  't',
  'f',
  'nothing',
  'when',
  'items',
  'none',
  'words',
  'obj',
  'obj.x',
  'obj.y.z',
  'obj.list',
  'obj.list[1]',
  'obj["x"]',
  'items[0].name',
  'items.first.name',
  'items.last.tags',
  'items.size',
  'words.first',
  'a.size',
  'missing',
  'obj.missing',
  'contact.name',
);
const literal = fc.constantFrom('"q<&>"', "'it'", '1', '2.5', '0', '-1', 'true', 'false', 'nil', 'null', 'empty', 'blank', '""', '(1..3)', '(z..n)');
const operand = fc.oneof({ weight: 3, arbitrary: path }, { weight: 2, arbitrary: literal }, { weight: 1, arbitrary: fc.constant('i') }, { weight: 1, arbitrary: fc.constant('forloop.index') });
const comparison = fc.tuple(operand, fc.constantFrom('==', '!=', '<', '>', '<=', '>=', 'contains'), operand).map(([l, op, r]) => `${l} ${op} ${r}`);
const condition = fc
  .array(fc.oneof(operand, comparison, operand.map((o) => `not ${o}`)), { minLength: 1, maxLength: 3 })
  .chain((parts) => fc.array(fc.constantFrom('and', 'or'), { minLength: parts.length - 1, maxLength: parts.length - 1 }).map((ops) => parts.map((p, k) => (k ? `${ops[k - 1]} ${p}` : p)).join(' ')));
const filter = fc.constantFrom(
  'upcase',
  'downcase',
  'size',
  'default: "d"',
  'join: ", "',
  'first',
  'last',
  'escape',
  'append: "<x>"',
  'prepend: a',
  'plus: 1',
  'minus: n',
  'times: 2',
  'date_only',
  'datetime',
  'time_only',
  'date: "%Y-%m-%d"',
  'replace: "o", "0"',
  'strip',
  'truncate: 5',
  'split: "o"',
  'map: "name"',
  'where: "n", 2',
  'sort: "name"',
  'sort_natural',
  'reverse',
  'uniq',
  'compact',
  'slice: 1',
  'json',
  'raw',
  'newline_to_br',
  'nofilter',
);
const value = fc.tuple(operand, fc.array(filter, { maxLength: 3 })).map(([o, fs]) => [o, ...fs].join(' | '));
const dash = fc.constantFrom('', '-');
const text = fc.constantFrom('', 'x', ' ', '\n', '<b>&amp;</b>', '  two  words\n\n', '"q"');

const { node } = fc.letrec<{ node: string; body: string }>((tie) => ({
  body: fc.array(tie('node'), { maxLength: 4 }).map((xs) => xs.join('')),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.tuple(dash, value, dash).map(([l, v, r]) => `{{${l} ${v} ${r}}}`),
    fc.tuple(condition, tie('body'), fc.option(fc.tuple(condition, tie('body'))), fc.option(tie('body'))).map(
      ([c, b, elsif, els]) => `{% if ${c} %}${b}${elsif ? `{% elsif ${elsif[0]} %}${elsif[1]}` : ''}${els !== null ? `{%- else -%}${els}` : ''}{% endif %}`,
    ),
    fc.tuple(condition, tie('body'), fc.option(tie('body'))).map(([c, b, els]) => `{% unless ${c} %}${b}${els !== null ? `{% else %}${els}` : ''}{% endunless %}`),
    fc
      .tuple(fc.constantFrom('items', 'none', 'words', 'obj', 'obj.list', 'a', 's', 'nothing', '(1..4)', 'missing'), fc.constantFrom('', 'limit: 2', 'offset: 1', 'reversed', 'offset: 1 limit: 1', 'offset: continue'), tie('body'), fc.option(tie('body')))
      .map(([c, mods, b, els]) => `{% for i in ${c} ${mods} %}{{ forloop.index }}/{{ forloop.rindex0 }}{% if forloop.first %}F{% endif %}{% if forloop.last %}L{% endif %}${b}${els !== null ? `{% else %}${els}` : ''}{% endfor %}`),
    fc.tuple(condition, fc.constantFrom('break', 'continue')).map(([c, tag]) => `{% if ${c} %}{% ${tag} %}{% endif %}`),
    fc.tuple(value, fc.array(fc.tuple(fc.array(operand, { minLength: 1, maxLength: 2 }), tie('body')), { minLength: 1, maxLength: 3 }), fc.option(tie('body'))).map(
      ([v, whens, els]) => `{% case ${v} %}${whens.map(([vs, b]) => `{% when ${vs.join(', ')} %}${b}`).join('')}${els !== null ? `{% else %}${els}` : ''}{% endcase %}`,
    ),
    fc.tuple(fc.constantFrom('v', 'a', 'items'), value).map(([k, v]) => `{% assign ${k} = ${v} %}{{ ${k} }}`),
    fc.tuple(fc.constantFrom('v', 'n'), tie('body')).map(([k, b]) => `{% capture ${k} %}${b}{% endcapture %}{{ ${k} }}`),
    value.map((v) => `{% echo ${v} %}`),
    fc.constant('{% raw %}{{ not rendered }}{% endraw %}{% comment %}{{ missing }}{% endcomment %}{% # note %}'),
    fc.constant('{% cycle "odd", "even" %}{% increment k %}{% decrement k %}'),
    fc.constant('{% tablerow i in items cols:2 %}{{ i.name }}{% endtablerow %}'),
    value.map((v) => `{% liquid\n  assign w = ${v}\n  echo w\n%}`),
  ),
}));
const template = node.chain((first) => fc.array(node, { maxLength: 3 }).map((rest) => [first, ...rest].join('')));
