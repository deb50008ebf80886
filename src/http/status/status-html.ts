// The status page as HTML: server-rendered, readable without JavaScript, light and dark by the
// reader's system setting, landmarks and headings for assistive technology.
import type { StatusDocument, StatusIncident, StatusUpdate } from '../../services/status-pages/status-document.js';
import { STATUS_WORDS } from '../../services/status-pages/status-document.js';
import type { StatusMaintenance } from '../../services/status-pages/status-maintenance.js';
import type { ComponentStatus } from '../../domain/types.js';
import { markdownToHtml } from '../../templates/markdown.js';

/** Where a page that is served stale (the database could not be read) gets its notice. */
export const STALE_MARK = '<!--herald:stale-->';

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Days of incident history on the page (the JSON document has 14). */
const HISTORY_PAGE_DAYS = 7;

const KIND_WORDS: Record<string, string> = { initial: 'Initial notice', update: 'Update', resolution: 'Resolved', rca: 'Root-cause analysis' };
const STATE_WORDS: Record<string, string> = { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved' };

function when(iso: string): string {
  const d = new Date(iso);
  return `<time datetime="${d.toISOString()}">${d.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>`;
}

function day(iso: string): string {
  return new Date(iso).toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

const badge = (status: ComponentStatus) => `<span class="badge s-${status}">${STATUS_WORDS[status]}</span>`;

function paragraphs(text: string): string {
  return text
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** An update's text is the author's Markdown (a client message's body, or a published public entry): safe HTML, no markup of the author's. */
const textHtml = (text: string) => `<div class="text">${markdownToHtml(text)}</div>`;

function updateHtml(u: StatusUpdate): string {
  const details = [
    u.impactSummary ? `<p><strong>Impact:</strong> ${esc(u.impactSummary)}</p>` : '',
    u.text.trim() ? textHtml(u.text) : '',
    u.expectedResolutionAt ? `<p class="meta">Expected resolution: ${when(u.expectedResolutionAt)}</p>` : '',
    u.nextUpdateAt ? `<p class="meta">Next update by ${when(u.nextUpdateAt)}</p>` : '',
  ].join('');
  return `<li class="update"><p class="update-head"><strong>${STATE_WORDS[u.state] ?? u.state}</strong> · ${KIND_WORDS[u.kind] ?? u.kind} · ${when(u.at)}</p>${details}</li>`;
}

function incidentHtml(i: StatusIncident, level: 'h3' | 'h4'): string {
  const comps = i.components.length ? `<p class="meta">Affects: ${i.components.map((c) => esc(c.name)).join(', ')}</p>` : '';
  return `<article class="incident${i.isActive ? ` active s-border-${i.impact}` : ''}" id="${esc(i.key)}" aria-labelledby="${esc(i.key)}-title">
<${level} id="${esc(i.key)}-title">${esc(i.title)} <span class="key">${esc(i.key)}</span></${level}>
<p class="meta">${i.isActive ? `<strong>${STATE_WORDS[i.state]}</strong> · started ${when(i.startedAt)}` : `Resolved${i.resolvedAt ? ` ${when(i.resolvedAt)}` : ''}`}</p>${comps}
<ol class="updates" aria-label="Updates, newest first">${i.updates.map(updateHtml).join('')}</ol>
</article>`;
}

function maintenanceHtml(m: StatusMaintenance): string {
  const comps = m.components.length ? `<p class="meta">Affects: ${m.components.map((c) => esc(c.name)).join(', ')}</p>` : '';
  const label = m.state === 'in_progress' ? 'In progress' : m.kind === 'emergency' ? 'Emergency change' : 'Scheduled';
  return `<article class="maintenance" aria-labelledby="${esc(m.key)}-title"><h3 id="${esc(m.key)}-title">${esc(m.title)} <span class="key">${esc(m.key)}</span></h3>
<p class="meta"><strong>${label}</strong> · ${when(m.startsAt)} to ${when(m.endsAt)}</p>${comps}${m.description.trim() ? paragraphs(m.description) : ''}</article>`;
}

function barsHtml(c: StatusDocument['components'][number]): string {
  const outageDays = c.days.filter((d) => d.outageMinutes > 0).length;
  const summary = c.uptime === null ? 'No data yet' : `${(c.uptime * 100).toFixed(2)} % uptime over the last 90 days${outageDays ? `, ${outageDays} day${outageDays > 1 ? 's' : ''} with outages` : ''}`;
  const cells = c.days
    .map((d) => {
      const cls = d.worst === null ? 'none' : d.outageMinutes > 0 ? (d.worst === 'major_outage' ? 'major_outage' : 'partial_outage') : d.worst === 'operational' ? 'operational' : d.worst;
      const tip = d.uptime === null ? `${d.date}: no data` : `${d.date}: ${(d.uptime * 100).toFixed(2)} %${d.outageMinutes ? `, ${d.outageMinutes} min outage` : ''}`;
      return `<span class="bar b-${cls}" title="${tip}"></span>`;
    })
    .join('');
  return `<div class="bars" role="img" aria-label="${esc(`${c.name}: ${summary}`)}">${cells}</div><p class="bars-legend"><span>90 days ago</span><span>${esc(summary)}</span><span>Today</span></p>`;
}

function componentsHtml(doc: StatusDocument): string {
  if (!doc.components.length) return '<p>No components are listed on this page.</p>';
  const groups = new Map<string, StatusDocument['components']>();
  for (const c of doc.components) groups.set(c.group ?? '', [...(groups.get(c.group ?? '') ?? []), c]);
  return [...groups]
    .map(([group, list]) => {
      // Under a group heading (h3) a component is an h4; without groups, an h3.
      const h = group ? 'h4' : 'h3';
      const items = list
        .map((c) => `<li class="component"><div class="component-head"><${h}>${esc(c.name)}</${h}>${badge(c.status)}</div>${c.description ? `<p class="meta">${esc(c.description)}</p>` : ''}${barsHtml(c)}</li>`)
        .join('');
      return `${group ? `<h3>${esc(group)}</h3>` : ''}<ul class="components">${items}</ul>`;
    })
    .join('');
}

function historyHtml(doc: StatusDocument, now: Date): string {
  const days: string[] = [];
  for (let i = 0; i < HISTORY_PAGE_DAYS; i++) days.push(new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10));
  const byDay = new Map<string, StatusIncident[]>();
  for (const i of doc.incidents.recent) {
    const d = i.startedAt.slice(0, 10);
    byDay.set(d, [...(byDay.get(d) ?? []), i]);
  }
  return days
    .map((d) => {
      const list = byDay.get(d) ?? [];
      return `<section class="day" aria-labelledby="day-${d}"><h3 id="day-${d}">${day(`${d}T00:00:00Z`)}</h3>${list.length ? list.map((i) => incidentHtml(i, 'h4')).join('') : '<p class="meta">No incidents reported.</p>'}</section>`;
    })
    .join('');
}

export interface PageLinks {
  /** Appended to links that must carry the secret of a private page (`?key=…`), or ''. */
  query: string;
  /** The page's path, /status or /status/{client}. */
  path: string;
}

function subscribeHtml(doc: StatusDocument, links: PageLinks): string {
  const keyField = links.query ? `<input type="hidden" name="key" value="${esc(new URLSearchParams(links.query.slice(1)).get('key') ?? '')}">` : '';
  const comps = doc.components
    .map((c) => `<label class="check"><input type="checkbox" name="componentIds" value="${c.id}"> ${esc(c.name)}</label>`)
    .join('');
  return `<section aria-labelledby="subscribe-title" class="card" id="subscribe"><h2 id="subscribe-title">Get notified</h2>
<form method="post" action="${links.path}/subscribe" class="subscribe">${keyField}<input type="hidden" name="channel" value="email">
<label for="sub-email">E-mail address</label><div class="row"><input id="sub-email" name="email" type="email" required autocomplete="email" placeholder="you@example.com"><button type="submit">Subscribe by e-mail</button></div>
${comps ? `<fieldset><legend>Components (none ticked: all)</legend>${comps}</fieldset>` : ''}
<p class="meta">We send a confirmation link first. Every message has a one-click unsubscribe link.</p></form>
<form method="post" action="${links.path}/subscribe" class="subscribe">${keyField}<input type="hidden" name="channel" value="webhook">
<label for="sub-url">Webhook URL</label><div class="row"><input id="sub-url" name="url" type="url" required placeholder="https://example.com/hooks/status"><button type="submit">Subscribe a webhook</button></div>
<p class="meta">Signed like client webhooks (Standard Webhooks); the secret is shown once.</p></form>
<p class="feeds">Feeds: <a href="${links.path}.atom${links.query}">Atom</a> · <a href="${links.path}.rss${links.query}">RSS</a> · <a href="${links.path}.json${links.query}">JSON</a> · <a href="${doc.page.client ? `${links.path}/maintenance.ics${links.query}` : '/maintenance.ics'}">Maintenance calendar (iCal)</a></p></section>`;
}

export const PAGE_CSS = `:root{color-scheme:light dark;--bg:#f6f8fa;--fg:#1f2328;--muted:#57606a;--card:#fff;--line:#d0d7de;--accent:#0b5cad;
--ok:#1a7f37;--deg:#9a6700;--part:#bc4c00;--maj:#cf222e;--mnt:#0969da;--none:#d0d7de}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--card:#161b22;--line:#30363d;--accent:#58a6ff;
--ok:#3fb950;--deg:#d29922;--part:#f0883e;--maj:#f85149;--mnt:#58a6ff;--none:#30363d}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
a{color:var(--accent)}.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:var(--card);padding:8px;z-index:1}
header,main,footer{max-width:880px;margin:0 auto;padding:16px}header{display:flex;justify-content:space-between;align-items:baseline;flex-wrap:wrap;gap:8px}
header p{margin:0;color:var(--muted)}h1{font-size:1.6rem;margin:8px 0}h2{font-size:1.25rem;margin:0 0 12px}h3{font-size:1.05rem;margin:16px 0 8px}h4{font-size:1rem;margin:0}.component-head h3,.component-head h4{font-size:1rem;margin:0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px;margin:0 0 16px}
.overall{display:flex;gap:12px;align-items:center;font-size:1.2rem;font-weight:600;border-left:8px solid var(--ok)}
.overall.s-degraded_performance{border-left-color:var(--deg)}.overall.s-partial_outage{border-left-color:var(--part)}.overall.s-major_outage{border-left-color:var(--maj)}.overall.s-under_maintenance{border-left-color:var(--mnt)}
.badge{font-size:.85rem;font-weight:600;white-space:nowrap}.badge.s-operational{color:var(--ok)}.badge.s-degraded_performance{color:var(--deg)}.badge.s-partial_outage{color:var(--part)}.badge.s-major_outage{color:var(--maj)}.badge.s-under_maintenance{color:var(--mnt)}
.meta{color:var(--muted);font-size:.9rem;margin:4px 0}.key{color:var(--muted);font-weight:400;font-size:.85rem}
.components{list-style:none;margin:0;padding:0}.component{padding:12px 0;border-top:1px solid var(--line)}.component:first-child{border-top:0}
.component-head{display:flex;justify-content:space-between;gap:8px}.bars{display:flex;gap:2px;height:28px;margin-top:8px}
.bar{flex:1;border-radius:2px;background:var(--ok)}.b-none{background:var(--none)}.b-degraded_performance{background:var(--deg)}.b-partial_outage{background:var(--part)}.b-major_outage{background:var(--maj)}.b-under_maintenance{background:var(--mnt)}
.bars-legend{display:flex;justify-content:space-between;color:var(--muted);font-size:.8rem;margin:4px 0 0}
.incident{border-top:1px solid var(--line);padding:12px 0}.incident:first-of-type{border-top:0}.incident.active{border:1px solid var(--line);border-left:6px solid var(--maj);border-radius:6px;padding:12px;margin-bottom:12px}
.s-border-degraded_performance{border-left-color:var(--deg)!important}.s-border-partial_outage{border-left-color:var(--part)!important}.s-border-operational{border-left-color:var(--accent)!important}
.updates{list-style:none;margin:8px 0 0;padding:0 0 0 12px;border-left:2px solid var(--line)}.update{margin:0 0 12px}.update p{margin:4px 0}.update-head{font-size:.95rem}
.day{border-top:1px solid var(--line)}.day:first-child{border-top:0}.stale{background:#fff8c5;color:#3b2300;border:1px solid #d4a72c;padding:8px 16px;max-width:880px;margin:8px auto;border-radius:6px}
form.subscribe{margin:0 0 16px}label{font-weight:600;display:block;margin:4px 0}.row{display:flex;gap:8px;flex-wrap:wrap}
input[type=email],input[type=url]{flex:1;min-width:220px;padding:8px;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg);font:inherit}
button{padding:8px 14px;border:0;border-radius:6px;background:var(--accent);color:#fff;font:inherit;font-weight:600;cursor:pointer}
@media (prefers-color-scheme:dark){button{color:#0d1117}}
fieldset{border:1px solid var(--line);border-radius:6px;margin:8px 0}legend{padding:0 4px;color:var(--muted)}.check{display:inline-flex;gap:4px;font-weight:400;margin-right:12px}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
@media (max-width:600px){.bars{gap:1px;height:24px}.bars-legend span:first-child,.bars-legend span:last-child{display:none}h1{font-size:1.35rem}.overall{font-size:1.05rem}}footer{color:var(--muted);font-size:.85rem}`;

export function pageShell(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>${head}<style>${PAGE_CSS}</style></head><body><a class="skip" href="#main">Skip to content</a>${body}</body></html>`;
}

export function renderStatusHtml(doc: StatusDocument, links: PageLinks): string {
  const now = new Date(doc.generatedAt);
  const head = `<link rel="alternate" type="application/atom+xml" title="Atom" href="${links.path}.atom${links.query}"><link rel="alternate" type="application/rss+xml" title="RSS" href="${links.path}.rss${links.query}"><link rel="alternate" type="application/json" href="${links.path}.json${links.query}">`;
  const active = doc.incidents.active.length
    ? `<section aria-labelledby="active-title" class="card"><h2 id="active-title">Active incidents</h2>${doc.incidents.active.map((i) => incidentHtml(i, 'h3')).join('')}</section>`
    : '';
  const maint = [...doc.maintenance.active, ...doc.maintenance.upcoming];
  const maintenance = `<section aria-labelledby="maintenance-title" class="card"><h2 id="maintenance-title">Maintenance</h2>${maint.length ? maint.map(maintenanceHtml).join('') : '<p class="meta">No maintenance in progress or scheduled.</p>'}</section>`;
  const body = `<header role="banner"><div><p>${doc.page.client ? 'Private status page' : 'Status page'}</p><h1>${esc(doc.page.title)}</h1></div><p>Last changed ${when(doc.generatedAt)}</p></header>
${STALE_MARK}<main id="main">
<section aria-labelledby="overall-title" class="card overall s-${doc.status.indicator}"><h2 id="overall-title" class="skip">Overall status</h2><p style="margin:0">${esc(doc.status.description)}</p></section>
${active}${maintenance}
<section aria-labelledby="components-title" class="card"><h2 id="components-title">Components</h2>${componentsHtml(doc)}</section>
<section aria-labelledby="history-title" class="card"><h2 id="history-title">Past incidents</h2><p class="meta">The last seven days; older ones are in the <a href="${links.path}.json${links.query}">JSON</a> and the feeds.</p>${historyHtml(doc, now)}</section>
${subscribeHtml(doc, links)}
</main><footer role="contentinfo"><p>Times are in UTC. Machine-readable: <a href="${links.path}.json${links.query}">status JSON</a> (<a href="/status-schema.json">schema</a>).</p></footer>`;
  return pageShell(doc.page.title, body, head);
}

/** A small page for the answers to forms (subscribed, confirmed, unsubscribed, errors). */
export function renderMessagePage(title: string, message: string, extra = ''): string {
  return pageShell(title, `<main id="main"><section class="card" aria-labelledby="msg-title"><h1 id="msg-title">${esc(title)}</h1><p>${esc(message)}</p>${extra}</section></main>`);
}
