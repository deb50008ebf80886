// Publishing an incident to the public status page: a per-incident decision, separate from the
// messages written for clients. The public page shows only what was published here, each entry its
// own public title and Markdown body, shown as written: it takes no template variables, so nothing
// written for (or about) one client can reach it. Withdrawing takes the incident off the page.
import type { Actor, MessageKind, TechState } from '../types.js';
import { refuse, type Handler, type IncidentState } from './incident-state.js';

/** Template markup (Liquid) in a public text: it would be shown as written, never filled in. */
const TEMPLATE_MARKUP = /\{\{|\{%/;

/** Who speaks for the incident in public: an admin, or whoever holds its Incident Manager or Communication Lead role. */
export function mayPublish(incident: IncidentState, actor: Actor): boolean {
  return actor.role === 'admin' || (!!actor.userId && (actor.userId === incident.roles.incidentManagerId || actor.userId === incident.roles.communicationLeadId));
}

const NOT_PUBLISHER = 'Publishing to the public status page is for the Incident Manager, the Communication Lead or an admin.';

export const publish: Handler<'publish'> = (incident, c, ctx) => {
  if (!mayPublish(incident, ctx.actor)) return refuse('not_publisher', NOT_PUBLISHER);
  if (incident.stage === 'reported') return refuse('not_classified', 'Classify the incident before publishing it.');
  if (incident.stage === 'internal') return refuse('clients_not_affected', 'The incident was classified as not affecting clients: there is nothing to publish.');
  // A later entry may keep the title of the entries before it; the first one of a publication names its own.
  const title = c.title?.trim() || (incident.publishedAt ? (incident.publicTitle ?? '') : '');
  const body = c.body.trim();
  const missing = [...(title ? [] : ['title']), ...(body ? [] : ['body'])];
  if (missing.length) return refuse('public_text_required', 'A public entry needs a title and a text.', missing);
  const withMarkup = [...(TEMPLATE_MARKUP.test(title) ? ['title'] : []), ...(TEMPLATE_MARKUP.test(body) ? ['body'] : [])];
  if (withMarkup.length) {
    return refuse('public_text_has_variables', 'The public text is shown to everyone exactly as written: it takes no template variables ({{ … }} or {% … %}).', withMarkup);
  }
  const state = c.state ?? incident.techState;
  return {
    state: { ...incident, publicTitle: title, publishedAt: incident.publishedAt ?? ctx.now },
    events: [{ type: 'publication.published', data: { publicUpdateId: c.publicUpdateId, title, body, state, isFirst: !incident.publishedAt } }],
  };
};

export const unpublish: Handler<'unpublish'> = (incident, c, ctx) => {
  if (!mayPublish(incident, ctx.actor)) return refuse('not_publisher', NOT_PUBLISHER);
  if (!incident.publishedAt) return refuse('not_published', 'The incident is not on the public status page.');
  if (!c.reason.trim()) return refuse('reason_required', 'Withdrawing from the public page needs a written reason.', ['reason']);
  return {
    state: { ...incident, publishedAt: null },
    events: [{ type: 'publication.withdrawn', data: { reason: c.reason } }],
  };
};

/** How a public entry is labelled beside client messages (status feeds and notices): the first of a publication, a resolution, or an update. */
export const publicEntryKind = (isFirst: boolean, state: TechState): MessageKind => (state === 'resolved' ? 'resolution' : isFirst ? 'initial' : 'update');
