// Atom (RFC 4287) and RSS 2.0 feeds of a status page: one entry per message sent about an incident,
// and one per maintenance window in progress or scheduled, newest first.
import type { StatusDocument } from '../../services/status-pages/status-document.js';

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
// XML 1.0 forbids most control characters, even escaped.
// eslint-disable-next-line no-control-regex -- these are exactly the characters to drop
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');

const KIND_WORDS: Record<string, string> = { initial: 'Investigating', update: 'Update', resolution: 'Resolved', rca: 'Root-cause analysis' };
const MAX_ENTRIES = 50;

interface FeedEntry {
  id: string;
  title: string;
  link: string;
  updated: string;
  text: string;
}

function entries(doc: StatusDocument): FeedEntry[] {
  const list: FeedEntry[] = [];
  for (const i of [...doc.incidents.active, ...doc.incidents.recent]) {
    for (const u of i.updates) {
      const lines = [u.impactSummary ? `Impact: ${u.impactSummary}` : '', u.text.trim(), u.nextUpdateAt ? `Next update by ${u.nextUpdateAt}` : ''].filter(Boolean);
      list.push({
        id: `urn:uuid:${u.id}`,
        title: `${i.key}: ${i.title} (${KIND_WORDS[u.kind] ?? u.kind})`,
        link: `${doc.page.url}#${i.key}`,
        updated: u.at,
        text: lines.join('\n\n') || `${KIND_WORDS[u.kind] ?? u.kind}.`,
      });
    }
  }
  for (const m of [...doc.maintenance.active, ...doc.maintenance.upcoming]) {
    list.push({
      id: `${doc.page.url}#${m.key}`,
      title: `${m.key}: ${m.title} (${m.state === 'in_progress' ? 'maintenance in progress' : 'maintenance scheduled'})`,
      link: `${doc.page.url}#maintenance-title`,
      updated: m.startsAt,
      text: `${m.startsAt} to ${m.endsAt}${m.components.length ? `. Affects: ${m.components.map((c) => c.name).join(', ')}` : ''}.${m.description ? `\n\n${m.description}` : ''}`,
    });
  }
  return list.sort((a, b) => b.updated.localeCompare(a.updated)).slice(0, MAX_ENTRIES);
}

export function renderAtom(doc: StatusDocument, selfUrl: string): string {
  const list = entries(doc);
  const updated = list[0]?.updated ?? doc.generatedAt;
  const items = list
    .map(
      (e) =>
        `<entry><id>${xml(e.id)}</id><title>${xml(clean(e.title))}</title><link rel="alternate" type="text/html" href="${xml(e.link)}"/><updated>${e.updated}</updated><content type="text">${xml(clean(e.text))}</content></entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>${xml(doc.page.url)}</id><title>${xml(clean(doc.page.title))}</title><updated>${updated}</updated>
<link rel="alternate" type="text/html" href="${xml(doc.page.url)}"/><link rel="self" type="application/atom+xml" href="${xml(selfUrl)}"/><author><name>${xml(clean(doc.page.title))}</name></author>
${items}
</feed>
`;
}

export function renderRss(doc: StatusDocument, selfUrl: string): string {
  const list = entries(doc);
  const date = (iso: string) => new Date(iso).toUTCString();
  const items = list
    .map(
      (e) =>
        `<item><title>${xml(clean(e.title))}</title><link>${xml(e.link)}</link><guid isPermaLink="false">${xml(e.id)}</guid><pubDate>${date(e.updated)}</pubDate><description>${xml(clean(e.text))}</description></item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>${xml(clean(doc.page.title))}</title><link>${xml(doc.page.url)}</link><description>${xml(clean(doc.status.description))}</description>
<atom:link href="${xml(selfUrl)}" rel="self" type="application/rss+xml"/><lastBuildDate>${date(doc.generatedAt)}</lastBuildDate>
${items}
</channel></rss>
`;
}
