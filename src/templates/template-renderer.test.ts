// templateRenderer renders a message once per client and language and fills in each contact: its
// output must be exactly renderTemplate's, for the shipped templates and for edited ones that use the
// contact in ways that cannot be filled in (filters, conditions, captures).
import { describe, expect, it } from 'vitest';
import { MESSAGE_KINDS } from '../domain/types.js';
import { DEFAULT_TEMPLATES } from './defaults.js';
import { renderTemplate, templateRenderer, type ChatParts, type EmailParts } from './engine.js';
import { contactContext, sampleContext } from './variables.js';

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
