// renderTemplate renders a message in the sandbox (escaped HTML, no file access, errors naming part and
// line). templateRenderer renders it once per client and language and fills in each contact: its
// output must be exactly renderTemplate's, for the shipped templates and for edited ones that use the
// contact in ways that cannot be filled in (filters, conditions, captures).
import { describe, expect, it } from 'vitest';
import { MESSAGE_KINDS } from '../domain/types.js';
import { DEFAULT_TEMPLATES, defaultTemplate } from './defaults.js';
import { sampleData } from './sample-data.js';
import { TemplateRenderError } from './template-issues.js';
import type { ChatParts, EmailParts } from './template-parts.js';
import { renderTemplate, templateRenderer } from './template-renderer.js';
import { buildContext, contactContext, sampleContext } from './variables.js';

const CONTACTS = [
  { name: 'Alice Park', email: 'alice@acme.example', role: 'technical' },
  { name: `Seán O'Brien & <Sons> "Ltd"`, email: 'sean+ops@obrien.example', role: 'executive' },
  { name: 'Jürgen   Groß ', email: 'j@gross.example', role: 'billing', timeZone: 'Europe/Berlin' },
  { name: '{{ incident.key }} {% raw %}', email: 'x@y.example', role: 'other' },
];

function expectSameAsPerContact(channel: 'email' | 'chat', parts: EmailParts | ChatParts, kind: (typeof MESSAGE_KINDS)[number], language: string) {
  const base = sampleContext(kind, language);
  const render = templateRenderer(channel, parts as never, base);
  for (const c of CONTACTS) {
    const contact = contactContext(c, language);
    expect(render(contact), `${kind}/${language}/${c.name}`).toEqual(renderTemplate(channel, parts as never, { ...base, contact }));
  }
}

describe('templateRenderer', () => {
  it('gives every contact exactly what rendering for that contact alone gives, with the shipped templates', () => {
    for (const t of DEFAULT_TEMPLATES) expectSameAsPerContact(t.channel, t.parts, t.kind, t.language);
  });

  it('renders a shipped message once for all the contacts who share a language, whatever its text says around the markup', () => {
    for (const t of DEFAULT_TEMPLATES.filter((d) => d.channel === 'email' && d.language === 'en')) {
      const base = sampleContext(t.kind, 'en');
      let reads = 0;
      const incident = new Proxy(base.incident, {
        get: (target, key, receiver) => {
          if (key === 'key') reads++;
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
      const render = templateRenderer('email', t.parts as never, { ...base, incident });
      const before = reads;
      for (let i = 0; i < 50; i++) render(contactContext({ name: `Contact ${i}`, email: `c${i}@client.example`, role: 'technical' }, 'en'));
      expect(reads - before, t.kind).toBe(0);
    }
  });

  it('falls back to rendering per contact where the contact is used in other ways than a plain output', () => {
    const uses = [
      'Dear {{ contact.name | upcase }},',
      '{% if contact.role == "executive" %}Dear executive{% else %}Hello {{ contact.name }}{% endif %}',
      '{% capture who %}{{ contact.name }}{% endcapture %}{{ who | size }} {{ who | truncate: 6 }}',
      '{% assign n = contact.name %}{{ n | downcase }} {{ contact.email }}',
      '{{ contact.name }} ({{ contact.name.size }} letters, {{ contact.timeZone }})',
      '<p>{{- contact.name -}}</p>\n\n\n<p>{{ contact.email }} {{ contact.language }}</p>',
    ];
    for (const use of uses) {
      expectSameAsPerContact('email', { subject: `Hi {{ contact.name }} ${use}`, html: `<div>${use}</div>`, text: use }, 'update', 'en');
      expectSameAsPerContact('chat', { text: use }, 'initial', 'de');
    }
  });
});

const chat = (text: string): ChatParts => ({ text });
const email = (overrides: Partial<EmailParts> = {}): EmailParts => ({ subject: '{{ incident.key }}', html: '<p>Dear {{ contact.name }}</p>', text: 'Dear {{ contact.name }}', ...overrides });

describe('renderTemplate', () => {
  const hostile = buildContext(
    {
      ...sampleData('initial', 'en'),
      contact: { name: '<script>alert("x")</script>', email: 'a@b.example', role: 'technical' },
      client: { name: 'Tom & Jerry <Ltd>', slug: 'tj' },
    },
    'en',
  );

  it('escapes every value in the HTML part, but not the author’s already-safe HTML', () => {
    const out = renderTemplate('email', defaultTemplate('initial', 'en', 'email'), hostile);
    expect(out.html).not.toContain('<script>');
    expect(out.html).toContain('Dear &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;,');
    expect(out.html).toContain('Tom &amp; Jerry &lt;Ltd&gt;');
    expect(out.html).toContain('<div class="hb-msg"><p>Since 17:45 UTC');
  });

  it('leaves text parts unescaped: they are plain text', () => {
    const out = renderTemplate('email', defaultTemplate('initial', 'en', 'email'), hostile);
    expect(out.text).toContain('Dear <script>alert("x")</script>,');
    expect(out.text).toContain('Tom & Jerry <Ltd>');
  });

  it('keeps the subject on one line', () => {
    const context = buildContext({ ...sampleData('update', 'en'), incident: { ...sampleData('update', 'en').incident, title: 'a\r\nBcc: x@evil.example' } }, 'en');
    const out = renderTemplate('email', email({ subject: '{{ incident.title }}\n\n [{{ incident.key }}] ' }), context);
    expect(out.subject).toBe('a Bcc: x@evil.example [INC-1042]');
  });

  it('formats dates with the filters, by default in the contact’s language and zone', () => {
    const text = '{{ disclosures.nextUpdateAt | datetime: contact.language }}|{{ nextUpdateAt | datetime }}|{{ nextUpdateAt | datetime: "en", "UTC" }}';
    expect(renderTemplate('chat', chat(text), sampleContext('initial', 'en')).text).toBe('23 Nov 2026, 19:30 UTC|23 Nov 2026, 19:30 UTC|23 Nov 2026, 19:30 UTC');
    expect(renderTemplate('chat', chat(text), sampleContext('initial', 'de')).text).toBe('23.11.2026, 20:30 MEZ|23.11.2026, 20:30 MEZ|23 Nov 2026, 19:30 UTC');
  });

  it('cannot read a file, whatever the tag', () => {
    for (const tag of ['{% include "package.json" %}', '{% render "package.json" %}', '{% layout "package.json" %}', '{% liquid\ninclude "package.json"\n%}']) {
      expect(() => renderTemplate('chat', chat(tag), sampleContext('initial', 'en'))).toThrow(TemplateRenderError);
    }
  });

  it('cannot reach prototypes or functions of the context', () => {
    expect(() => renderTemplate('chat', chat('{{ incident.constructor }}'), sampleContext('initial', 'en'))).toThrow(/unknown variable/);
    expect(() => renderTemplate('chat', chat('{{ components.__proto__ }}'), sampleContext('initial', 'en'))).toThrow(TemplateRenderError);
  });

  it('throws an error naming part and line when a part fails', () => {
    try {
      renderTemplate('email', email({ text: 'ok\n{{ nope }}' }), sampleContext('initial', 'en'));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TemplateRenderError);
      expect((err as TemplateRenderError).issues).toEqual([{ part: 'text', line: 2, column: 4, code: 'unknown-variable', message: 'unknown variable "nope"', kind: 'initial' }]);
      expect((err as Error).message).toBe('text line 2: unknown variable "nope"');
    }
  });

  it('collapses runs of blank lines in text parts', () => {
    expect(renderTemplate('chat', chat('a  \n\n\n\n{% if false %}x{% endif %}\n\nb\n'), sampleContext('initial', 'en')).text).toBe('a\n\nb');
  });
});
