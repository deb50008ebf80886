// Builds the default templates' Liquid sources from a phrase set. Each result is one self-contained
// template, as readable as if written by hand, because an admin starts editing from it.
import type { MessageKind } from '../../domain/types.js';
import type { Phrases } from './phrases.js';

const isRunning = (kind: MessageKind) => kind === 'initial' || kind === 'update';

/** One statement chosen by a disclosure level; `before`/`after` wrap the sentence (e.g. in HTML). */
function levelCase(path: string, sentences: Phrases['data']['loss']): string {
  return [
    `{%- case ${path}.level %}`,
    `{%- when 'none' %} ${sentences.none}`,
    `{%- when 'suspected' %} ${sentences.suspected}`,
    `{%- when 'confirmed' %} ${sentences.confirmed}`,
    `{%- else %} ${sentences.unknown}`,
    `{%- endcase %}`,
    `{%- if ${path}.details %} {{ ${path}.details }}{% endif %}`,
  ].join('\n');
}

/** The GDPR wording, as its own paragraph, when exposure involves personal data. */
function personalData(p: Phrases, open: string, close: string): string {
  const e = 'disclosures.dataExposure';
  return [
    `{%- if ${e}.isPersonalData and ${e}.level == 'confirmed' %}`,
    `${open}${p.personalData.confirmed}${close}`,
    `{%- elsif ${e}.isPersonalData and ${e}.level == 'suspected' %}`,
    `${open}${p.personalData.suspected}${close}`,
    `{%- endif %}`,
  ].join('\n');
}

export function subject(kind: MessageKind, p: Phrases): string {
  return `${p.title[kind]}: {{ incident.title }} [{{ incident.key }}]`;
}

export function textBody(kind: MessageKind, p: Phrases): string {
  const running = isRunning(kind);
  const sections: string[] = [p.greeting, p.intro[kind]];
  if (kind !== 'rca') sections.push('{% if message.bodyText %}{{ message.bodyText }}{% endif %}');
  sections.push(
    [`${p.incident} {{ incident.key }}: {{ incident.title }}`, `${p.status}: {{ incident.stateText }}`, `${p.firstReported}: {{ incident.reportedAt | datetime }}`].join('\n'),
    [
      running ? p.affected.running : p.affected.past,
      `{% for c in components %}- {{ c.name }}: {{ c.statusText }}\n{% else %}${p.affected.none}\n{% endfor %}`,
      `{%- if disclosures.impactSummary %}\n\n${p.impact}: {{ disclosures.impactSummary }}{% endif %}`,
    ].join('\n'),
    [
      p.data.heading,
      `${p.data.lossLabel}:\n${levelCase('disclosures.dataLoss', p.data.loss)}`,
      `${p.data.exposureLabel}:\n${levelCase('disclosures.dataExposure', p.data.exposure)}`,
      personalData(p, '\n', ''),
    ].join('\n'),
  );
  if (running) {
    sections.push(
      [
        p.next.heading,
        `${p.next.expectedLabel}: {% if disclosures.expectedResolutionAt %}{{ disclosures.expectedResolutionAt | datetime }}{% else %}${p.next.expectedUnknown}{% endif %}`,
        `${p.next.updateLabel}: {% if nextUpdateAt %}${p.next.update}{% else %}${p.next.updateUnknown}{% endif %}`,
      ].join('\n'),
    );
  } else {
    sections.push(
      [
        p.resolution.heading,
        `{% if incident.resolvedAt %}${p.resolution.resolvedLabel}: {{ incident.resolvedAt | datetime }}\n{% endif %}${p.resolution.workingAgain}`,
      ].join('\n'),
    );
    if (kind === 'rca') sections.push(`${p.analysis}\n{% if message.bodyText %}{{ message.bodyText }}{% endif %}`);
    sections.push(`${p.remediation.heading}\n{% if disclosures.remediation %}{{ disclosures.remediation }}{% else %}${p.remediation.pending}{% endif %}`);
  }
  if (kind === 'initial') {
    sections.push(
      [
        p.past.heading,
        `{% for o in pastOccurrences %}- {{ o.key }} ({{ o.reportedAt | date_only }}): {{ o.title }}{% if o.rcaUrl %} – ${p.past.rca}: {{ o.rcaUrl }}{% endif %}\n{% else %}${p.past.none}\n{% endfor %}`,
      ].join('\n'),
    );
  }
  if (kind === 'update' || kind === 'resolution') {
    sections.push(`{% if timeline.size > 0 %}${p.timeline}\n{% for t in timeline %}- {{ t.at | datetime }}: {{ t.text }}\n{% endfor %}{% endif %}`);
  }
  sections.push(
    [`${running ? p.links.running : p.links.past}: {{ links.incident }}`, `${p.links.statusPage}: {{ links.statusPage }}`].join('\n'),
    `${p.closing}\n{{ company.name }}`,
    `--\n${p.footer}{% if links.unsubscribe %}\n${p.unsubscribe}: {{ links.unsubscribe }}{% endif %}`,
  );
  return `${sections.join('\n\n')}\n`;
}

// Inline styles for clients that drop <style>; the <style> block adds dark mode where it is honoured,
// and clients that invert colours themselves get a plain light page that inverts cleanly.
const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;";
const S = {
  h1: 'margin:0 0 16px;font-size:22px;line-height:1.3;font-weight:600;color:#1f2328;',
  h2: 'margin:28px 0 8px;font-size:17px;line-height:1.4;font-weight:600;color:#1f2328;',
  p: 'margin:0 0 12px;',
  ul: 'margin:0 0 12px;padding-left:22px;',
  a: 'color:#0b57d0;text-decoration:underline;',
  muted: 'margin:0 0 8px;font-size:14px;color:#57606a;',
  box: 'margin:0 0 12px;padding:4px 0 4px 14px;border-left:4px solid #0b57d0;',
};

const STYLE = `<style>
  :root { color-scheme: light dark; supported-color-schemes: light dark; }
  .hb-msg p, .hb-msg ul, .hb-msg ol, .hb-msg pre, .hb-msg blockquote { margin: 0 0 12px; }
  .hb-msg h3, .hb-msg h4, .hb-msg h5, .hb-msg h6 { margin: 20px 0 8px; font-size: 16px; }
  @media (prefers-color-scheme: dark) {
    .hb-bg { background-color: #0d1117 !important; }
    .hb-card { background-color: #161b22 !important; border-color: #30363d !important; }
    .hb-text, .hb-text h1, .hb-text h2, .hb-text h3, .hb-text p, .hb-text li { color: #e6edf3 !important; }
    .hb-muted { color: #9da7b3 !important; }
    .hb-text a, .hb-muted a { color: #79b8ff !important; }
    .hb-box { border-left-color: #79b8ff !important; }
  }
  [data-ogsc] .hb-text, [data-ogsc] .hb-text h1, [data-ogsc] .hb-text h2, [data-ogsc] .hb-text p, [data-ogsc] .hb-text li { color: #e6edf3 !important; }
  [data-ogsb] .hb-card { background-color: #161b22 !important; }
</style>`;

export function htmlBody(kind: MessageKind, p: Phrases): string {
  const running = isRunning(kind);
  const h2 = (text: string) => `<h2 style="${S.h2}">${text}</h2>`;
  const body = `{% if message.bodyHtml %}<div class="hb-msg">{{ message.bodyHtml | raw }}</div>{% endif %}`;
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="{{ contact.language }}" dir="ltr">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<meta name="supported-color-schemes" content="light dark">',
    `<title>${p.title[kind]}: {{ incident.title }}</title>`,
    STYLE,
    '</head>',
    '<body class="hb-bg" style="margin:0;padding:0;background-color:#f6f8fa;">',
    '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;" aria-hidden="true">{{ incident.title }} – {{ incident.stateText }}</div>',
    '<table role="presentation" class="hb-bg" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f6f8fa;">',
    '<tr><td align="center" style="padding:24px 12px;">',
    '<table role="presentation" class="hb-card" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background-color:#ffffff;border:1px solid #d0d7de;border-radius:6px;">',
    `<tr><td class="hb-text" style="padding:24px 28px;${FONT}font-size:16px;line-height:1.55;color:#1f2328;">`,
    '',
    `<p class="hb-muted" style="${S.muted}">{{ company.name }} · ${p.incident} {{ incident.key }}</p>`,
    `<h1 style="${S.h1}">${p.title[kind]}: {{ incident.title }}</h1>`,
    `<p style="${S.p}">${p.greeting}</p>`,
    `<p style="${S.p}">${p.intro[kind]}</p>`,
  ];
  if (kind !== 'rca') out.push(body);
  out.push(
    `<p style="${S.p}"><strong>${p.status}:</strong> {{ incident.stateText }}<br>`,
    `<strong>${p.firstReported}:</strong> {{ incident.reportedAt | datetime }}</p>`,
    '',
    h2(running ? p.affected.running : p.affected.past),
    `{% if components.size > 0 %}<ul style="${S.ul}">`,
    '{% for c in components %}  <li><strong>{{ c.name }}</strong>: {{ c.statusText }}</li>',
    '{% endfor %}</ul>',
    `{% else %}<p style="${S.p}">${p.affected.none}</p>{% endif %}`,
    `{% if disclosures.impactSummary %}<p style="${S.p}"><strong>${p.impact}:</strong> {{ disclosures.impactSummary }}</p>{% endif %}`,
    '',
    h2(p.data.heading),
    `<div class="hb-box" style="${S.box}">`,
    `<p style="${S.p}"><strong>${p.data.lossLabel}:</strong>\n${levelCase('disclosures.dataLoss', p.data.loss)}</p>`,
    `<p style="${S.p}"><strong>${p.data.exposureLabel}:</strong>\n${levelCase('disclosures.dataExposure', p.data.exposure)}</p>`,
    personalData(p, `<p style="${S.p}">`, '</p>'),
    '</div>',
    '',
  );
  if (running) {
    out.push(
      h2(p.next.heading),
      `<p style="${S.p}"><strong>${p.next.expectedLabel}:</strong> {% if disclosures.expectedResolutionAt %}{{ disclosures.expectedResolutionAt | datetime }}{% else %}${p.next.expectedUnknown}{% endif %}<br>`,
      `<strong>${p.next.updateLabel}:</strong> {% if nextUpdateAt %}${p.next.update}{% else %}${p.next.updateUnknown}{% endif %}</p>`,
    );
  } else {
    out.push(
      h2(p.resolution.heading),
      `<p style="${S.p}">{% if incident.resolvedAt %}<strong>${p.resolution.resolvedLabel}:</strong> {{ incident.resolvedAt | datetime }}<br>{% endif %}`,
      `${p.resolution.workingAgain}</p>`,
    );
    if (kind === 'rca') out.push('', h2(p.analysis), body);
    out.push(
      '',
      h2(p.remediation.heading),
      `<p style="${S.p}">{% if disclosures.remediation %}{{ disclosures.remediation }}{% else %}${p.remediation.pending}{% endif %}</p>`,
    );
  }
  if (kind === 'initial') {
    out.push(
      '',
      h2(p.past.heading),
      `{% if pastOccurrences.size > 0 %}<ul style="${S.ul}">`,
      `{% for o in pastOccurrences %}  <li>{{ o.key }} ({{ o.reportedAt | date_only }}): {{ o.title }}{% if o.rcaUrl %} – <a href="{{ o.rcaUrl }}" style="${S.a}">${p.past.rca}</a>{% endif %}</li>`,
      '{% endfor %}</ul>',
      `{% else %}<p style="${S.p}">${p.past.none}</p>{% endif %}`,
    );
  }
  if (kind === 'update' || kind === 'resolution') {
    out.push(
      '',
      `{% if timeline.size > 0 %}${h2(p.timeline)}`,
      `<ul style="${S.ul}">`,
      '{% for t in timeline %}  <li><strong>{{ t.at | datetime }}:</strong> {{ t.text }}</li>',
      '{% endfor %}</ul>{% endif %}',
    );
  }
  out.push(
    '',
    `<p style="margin:24px 0 12px;"><a href="{{ links.incident }}" style="${S.a}">${running ? p.links.running : p.links.past}</a><br>`,
    `<a href="{{ links.statusPage }}" style="${S.a}">${p.links.statusPage}</a></p>`,
    `<p style="${S.p}">${p.closing}<br>{{ company.name }}</p>`,
    '',
    '</td></tr>',
    '</table>',
    `<p class="hb-muted" style="max-width:600px;margin:16px auto 0;${FONT}font-size:13px;line-height:1.5;color:#57606a;">${p.footer}`,
    `{% if links.unsubscribe %}<br><a href="{{ links.unsubscribe }}" style="color:#57606a;text-decoration:underline;">${p.unsubscribeLink}</a>{% endif %}</p>`,
    '</td></tr>',
    '</table>',
    '</body>',
    '</html>',
  );
  return `${out.join('\n')}\n`;
}

export function chatText(kind: MessageKind, p: Phrases): string {
  const running = isRunning(kind);
  const lines: string[] = [
    `${p.title[kind]}: {{ incident.title }} ({{ incident.key }})`,
    '{{ company.name }} – {{ client.name }}',
    '',
    '{% if message.bodyText %}{{ message.bodyText }}{% endif %}',
    '',
    `${p.status}: {{ incident.stateText }}`,
    `${p.chat.affected}: {% for c in components %}{{ c.name }}: {{ c.statusText }}{% unless forloop.last %}; {% endunless %}{% else %}${p.affected.none}{% endfor %}`,
    `{%- if disclosures.impactSummary %}\n${p.impact}: {{ disclosures.impactSummary }}{% endif %}`,
    `${p.chat.data}:\n${levelCase('disclosures.dataLoss', p.data.loss)}`,
    `${p.chat.exposure}:\n${levelCase('disclosures.dataExposure', p.data.exposure)}`,
    personalData(p, '', ''),
  ];
  if (running) {
    lines.push(
      `${p.chat.expected}: {% if disclosures.expectedResolutionAt %}{{ disclosures.expectedResolutionAt | datetime }}{% else %}${p.next.expectedUnknown}{% endif %}`,
      `${p.chat.update}: {% if nextUpdateAt %}${p.next.update}{% else %}${p.next.updateUnknown}{% endif %}`,
    );
  } else {
    lines.push(
      `{% if incident.resolvedAt %}${p.chat.resolved}: {{ incident.resolvedAt | datetime }}. {% endif %}${p.resolution.workingAgain}`,
      `${p.chat.remediation}: {% if disclosures.remediation %}{{ disclosures.remediation }}{% else %}${p.remediation.pending}{% endif %}`,
    );
  }
  if (kind === 'initial') {
    lines.push(
      '',
      `${p.chat.past}:`,
      `{% for o in pastOccurrences %}- {{ o.key }} ({{ o.reportedAt | date_only }}): {{ o.title }}{% if o.rcaUrl %} – ${p.past.rca}: {{ o.rcaUrl }}{% endif %}\n{% else %}${p.past.none}\n{% endfor %}`,
    );
  }
  lines.push('', `${p.chat.details}: {{ links.incident }}`);
  return `${lines.join('\n')}\n`;
}
