import { describe, expect, it } from 'vitest';
import { MAINTENANCE_TEMPLATE_KINDS } from '../domain/maintenance.js';
import type { EmailParts } from './template-parts.js';
import { buildMaintenanceContext, DEFAULT_MAINTENANCE_TEMPLATES, renderMaintenanceTemplate, validateMaintenanceTemplate } from './maintenance.js';

describe('maintenance-notice templates', () => {
  it('ship every notice kind in English and German, for e-mail and chat, each passing its own check', () => {
    expect(DEFAULT_MAINTENANCE_TEMPLATES).toHaveLength(MAINTENANCE_TEMPLATE_KINDS.length * 2 * 2);
    for (const t of DEFAULT_MAINTENANCE_TEMPLATES) expect(validateMaintenanceTemplate(t.kind, t.channel, t.parts as Record<string, string>, t.language), `${t.kind}/${t.language}/${t.channel}`).toEqual([]);
  });

  it('refuses an unknown variable and Liquid that does not parse, naming the part and line', () => {
    const parts = { subject: '{{ incident.key }}', html: '<p>Hello</p>\n<p>{% if %}</p>', text: 'ok' };
    const issues = validateMaintenanceTemplate('maintenance_scheduled', 'email', parts);
    expect(issues.find((i) => i.part === 'subject')).toMatchObject({ code: 'unknown-variable', line: 1 });
    expect(issues.find((i) => i.part === 'html')).toMatchObject({ code: 'syntax', line: 2 });
  });

  it('writes the times in the contact’s language and escapes what it is given in HTML', () => {
    const email = DEFAULT_MAINTENANCE_TEMPLATES.find((t) => t.kind === 'maintenance_rescheduled' && t.language === 'de' && t.channel === 'email')!;
    const context = buildMaintenanceContext(
      {
        notice: 'rescheduled',
        maintenance: {
          key: 'MNT-3',
          title: 'Upgrade <script>',
          kind: 'planned',
          description: '',
          justification: null,
          startsAt: new Date('2026-12-05T22:00:00Z'),
          endsAt: new Date('2026-12-06T02:00:00Z'),
          previousStartsAt: new Date('2026-12-04T22:00:00Z'),
          previousEndsAt: new Date('2026-12-05T02:00:00Z'),
        },
        client: { name: 'Meyer', slug: 'meyer' },
        contact: { name: 'Anna', email: 'anna@meyer.example', role: 'technical' },
        components: [{ name: 'Portal' }],
        baseUrl: 'https://status.example',
        company: { name: 'Brightline' },
      },
      'de',
    );
    const out = renderMaintenanceTemplate('email', email.parts as EmailParts, context);
    expect(out.subject).toContain('Wartung verschoben: Upgrade <script>');
    expect(out.text).toContain('05.12.2026');
    expect(out.text).toContain('Bisher geplant');
    expect(out.html).toContain('Upgrade &lt;script&gt;');
    expect(out.html).not.toContain('<script>');
  });
});
