import { describe, expect, it } from 'vitest';
import type { EmailParts } from './template-parts.js';
import { validateTemplate } from './template-validation.js';

/** A minimal template that makes every statement, so tests see only the problem they plant. */
const STATEMENTS = [
  '{{ message.bodyText }}',
  '{% for c in components %}{{ c.name }}: {{ c.statusText }}{% endfor %}',
  '{{ disclosures.impactSummary }}',
  '{{ disclosures.dataLoss.levelText }} {{ disclosures.dataExposure.levelText }}',
  '{{ nextUpdateAt | datetime }} {{ disclosures.expectedResolutionAt | datetime }}',
  '{% for o in pastOccurrences %}{{ o.key }}{% endfor %}',
].join('\n');

const chat = (text: string) => ({ text });
const email = (overrides: Partial<EmailParts> = {}): EmailParts => ({
  subject: '{{ incident.key }}',
  html: `<p>Dear {{ contact.name }}</p>\n${STATEMENTS}`,
  text: `Dear {{ contact.name }}\n${STATEMENTS}`,
  ...overrides,
});

describe('validateTemplate', () => {
  it('accepts a template that makes every statement', () => {
    expect(validateTemplate('email', email(), { kinds: ['initial'] })).toEqual([]);
    expect(validateTemplate('chat', chat(STATEMENTS), { kinds: ['initial', 'update'], language: 'de' })).toEqual([]);
  });

  it('names the line of an unclosed tag', () => {
    const issues = validateTemplate('chat', chat(`${STATEMENTS}\nHello\nthere\n{% if incident.isResolved %}\nresolved`), { kinds: ['initial'] });
    expect(issues).toEqual([{ part: 'text', line: 9, column: 1, code: 'syntax', message: 'tag {% if incident.isResolved %} not closed' }]);
    const third = validateTemplate('email', email({ subject: 'a\nb\n{% if kind %}c' }), { kinds: ['initial'] });
    expect(third).toMatchObject([{ part: 'subject', line: 3, code: 'syntax' }]);
  });

  it('names the line of an unclosed output and of a stray end tag', () => {
    expect(validateTemplate('email', email({ subject: '{{ incident.key }' }), { kinds: ['initial'] })).toMatchObject([{ part: 'subject', line: 1, code: 'syntax' }]);
    expect(validateTemplate('email', email({ subject: 'x\n{% endif %}' }), { kinds: ['initial'] })).toMatchObject([{ part: 'subject', line: 2, code: 'syntax' }]);
  });

  it('names an unknown variable and its line, even in a branch the sample does not take', () => {
    const issues = validateTemplate('email', email({ text: `Dear {{ contact.name }}\n${STATEMENTS}\n{% if incident.isResolved %}{{ incident.resolvedAtt }}{% endif %}` }), {
      kinds: ['initial'],
    });
    expect(issues).toEqual([{ part: 'text', line: 8, column: 32, code: 'unknown-variable', message: 'unknown variable "incident.resolvedAtt"' }]);
    expect(validateTemplate('email', email({ subject: '{{ client.nmae }} {{ contact }}' }), { kinds: ['initial'] })).toMatchObject([
      { part: 'subject', line: 1, code: 'unknown-variable', message: 'unknown variable "client.nmae"' },
    ]);
    expect(validateTemplate('email', email({ subject: '{{ components[0].nam }}' }), { kinds: ['initial'] })).toMatchObject([
      { message: 'unknown variable "components[0].nam"' },
    ]);
  });

  it('names an unknown property of a loop variable from rendering the sample', () => {
    const issues = validateTemplate('chat', chat(`${STATEMENTS}\n\n{% for c in components %}{{ c.nam }}{% endfor %}`), { kinds: ['update'] });
    expect(issues).toEqual([{ part: 'text', line: 8, column: 29, code: 'unknown-variable', message: 'unknown variable "c.nam"', kind: 'update' }]);
  });

  it('accepts the Liquid size, first and last of lists and strings', () => {
    const text = `${STATEMENTS}\n{{ components.size }} {% if timeline.size > 0 %}{{ components.first.name }} {{ timeline.last.text }}{% endif %} {{ incident.title.size }}`;
    expect(validateTemplate('chat', chat(text), { kinds: ['initial', 'update'] })).toEqual([]);
  });

  it('asks for a guard where an item of a list that can be empty is used', () => {
    const issues = validateTemplate('chat', chat(`${STATEMENTS}\n{{ timeline.last.text }}`), { kinds: ['rca'] }).filter((i) => i.code !== 'missing-statement');
    expect(issues).toEqual([
      {
        part: 'text',
        line: 7,
        column: 4,
        code: 'render',
        message: '"timeline.last" has no value in some messages (for instance when a list is empty); check it with {% if %} before using it',
        kind: 'rca',
      },
    ]);
  });

  it('names the line of an unknown filter', () => {
    const issues = validateTemplate('email', email({ html: `<p>\n{{ incident.reportedAt | datetme }}</p>\n${STATEMENTS}` }), { kinds: ['initial'] });
    expect(issues).toEqual([{ part: 'html', line: 2, column: 1, code: 'unknown-filter', message: 'unknown filter "datetme"' }]);
  });

  it('refuses file-system tags at save time', () => {
    for (const tag of ['{% include "package.json" %}', "{% render '/etc/passwd' %}", '{% layout "x" %}']) {
      const issues = validateTemplate('chat', chat(`${STATEMENTS}\n${tag}`), { kinds: ['initial'] });
      expect(issues).toMatchObject([{ part: 'text', line: 7, code: 'syntax' }]);
      expect(issues[0]!.message).toMatch(/tag is not available/);
    }
  });

  it('names the statements a template leaves out, per kind', () => {
    const issues = validateTemplate('chat', chat('{{ incident.title }} {{ disclosures.dataLoss.levelText }}'), { kinds: ['initial', 'resolution'] });
    const messages = issues.filter((i) => i.code === 'missing-statement').map((i) => `${i.kind}: ${i.message}`);
    expect(messages).toContain('initial: an initial notice must state whether data was accessible to unintended third parties: use disclosures.dataExposure');
    expect(messages).toContain('initial: an initial notice must state when the next update comes: use nextUpdateAt or disclosures.nextUpdateAt');
    expect(messages).toContain('initial: an initial notice must state past occurrences: use pastOccurrences');
    expect(messages).toContain('resolution: a resolution notice must state when the incident was resolved: use incident.resolvedAt');
    expect(messages.some((m) => m.includes('whether data was lost'))).toBe(false);
  });

  it('reports missing and unknown parts and an unknown channel, never throwing', () => {
    expect(validateTemplate('email', { subject: 'x', text: STATEMENTS, body: 'y' }, { kinds: ['initial'] })).toMatchObject([
      { part: 'body', code: 'unknown-part' },
      { part: 'html', code: 'missing-part' },
    ]);
    expect(validateTemplate('chat', { text: 42 })).toMatchObject([{ part: 'text', code: 'missing-part' }]);
    expect(validateTemplate('fax' as never, {})).toMatchObject([{ part: 'template', code: 'unknown-part' }]);
    expect(() => validateTemplate('email', null as never)).not.toThrow();
  });

  it('stops a template that does too much work instead of hanging', () => {
    const issues = validateTemplate('chat', chat(`${STATEMENTS}\n{% for i in (1..100000000) %}{% for j in (1..100000000) %}x{% endfor %}{% endfor %}`), { kinds: ['initial'] });
    expect(issues).toMatchObject([{ part: 'text', code: 'render', line: 7 }]);
  });

  it('refuses a part that is too large', () => {
    expect(validateTemplate('chat', chat(`${STATEMENTS}${' '.repeat(100_001)}`))).toMatchObject([{ code: 'too-large' }]);
  });
});
