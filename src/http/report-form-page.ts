// The public report form behind a client's secret link: a small server-rendered page that works
// without JavaScript, and the same endpoint for JSON. Rate-limited per address; the spam guard (a
// honeypot field and a signed timestamp) holds doubtful reports for a person instead of dropping them.
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Database } from '../db/open.js';
import { AppError } from '../services/app-error.js';
import { findReportLink, formToken, SPAM_GUARD_DEFAULTS, submitPublicReport, type PublicReportOutcome, type ReportLink, type SpamGuardSettings } from '../services/intake/public-report.js';

export interface ReportFormOptions {
  database: Database;
  guard?: Partial<SpamGuardSettings>;
  /** Reports per address per minute (default 5); the page itself 60. */
  reportsPerMinute?: number;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// The system's colours named outright (Canvas, CanvasText) rather than left implicit, so that what
// is measured for contrast (links on the page in the dark scheme) is what the reader sees.
const STYLE = `:root { color-scheme: light dark; background: Canvas; color: CanvasText; font-family: system-ui, sans-serif; }
  body { max-width: 36rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input, textarea { width: 100%; padding: .5rem; font: inherit; box-sizing: border-box; }
  textarea { min-height: 10rem; }
  button { margin-top: 1.5rem; padding: .6rem 1.2rem; font: inherit; font-weight: 600; }
  .hint { font-weight: normal; font-size: .9rem; }
  .trap { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
  .errors { border: 2px solid #b00020; padding: .5rem 1rem; }`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escape(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

interface FormValues {
  name?: string;
  email?: string;
  title?: string;
  description?: string;
}

function formPage(link: ReportLink, action: string, token: string, values: FormValues = {}, errors: { field: string; message: string }[] = []): string {
  const v = (k: keyof FormValues) => escape(values[k] ?? '');
  const errorList = errors.length
    ? `<div class="errors" role="alert" tabindex="-1" id="errors"><h2>Please check the form</h2><ul>${errors.map((e) => `<li><a href="#${escape(e.field)}">${escape(e.message)}</a></li>`).join('')}</ul></div>`
    : '';
  const invalid = (f: string) => (errors.some((e) => e.field === f) ? ' aria-invalid="true" aria-describedby="errors"' : '');
  return page(
    `Report a problem — ${link.clientName}`,
    `<h1>Report a problem</h1>
<p>For <strong>${escape(link.clientName)}</strong>. Tell us what is not working; we will answer with a reference number at once.</p>
${errorList}
<form method="post" action="${escape(action)}">
  <label for="title">What is wrong? <span class="hint">(one line, required)</span></label>
  <input id="title" name="title" required maxlength="200" value="${v('title')}"${invalid('title')}>
  <label for="description">Details <span class="hint">(what you did, what you saw, since when)</span></label>
  <textarea id="description" name="description" maxlength="20000"${invalid('description')}>${v('description')}</textarea>
  <label for="name">Your name <span class="hint">(optional)</span></label>
  <input id="name" name="name" maxlength="200" autocomplete="name" value="${v('name')}"${invalid('name')}>
  <label for="email">Your e-mail <span class="hint">(optional, so we can ask you questions)</span></label>
  <input id="email" name="email" type="email" maxlength="320" autocomplete="email" value="${v('email')}"${invalid('email')}>
  <div class="trap" aria-hidden="true"><label for="website">Leave this field empty</label><input id="website" name="website" tabindex="-1" autocomplete="off"></div>
  <input type="hidden" name="formToken" value="${escape(token)}">
  <button type="submit">Send report</button>
</form>`,
  );
}

const NEXT_STEPS = 'What happens next: our team has been alerted and will assess the report; when your service is affected you will receive notices with the impact and the expected timeline, and updates until it is resolved.';
const HELD = 'Thank you. Your report was received and will be reviewed by a person before an incident is opened.';

function acknowledgement(outcome: PublicReportOutcome): { status: number; json: object; html: string } {
  if (outcome.status === 'opened') {
    const message = `Thank you. Your report is recorded as ${outcome.incidentKey}. ${NEXT_STEPS}`;
    return {
      status: 201,
      json: { status: 'opened', incidentKey: outcome.incidentKey, message },
      html: page(`Report received: ${outcome.incidentKey}`, `<h1>Report received</h1><p role="status">Your reference: <strong>${escape(outcome.incidentKey)}</strong></p><p>${escape(NEXT_STEPS)}</p>`),
    };
  }
  return { status: 202, json: { status: 'received', message: HELD }, html: page('Report received', `<h1>Report received</h1><p role="status">${escape(HELD)}</p>`) };
}

const reportBody = z.object({
  title: z.string().trim().min(1, 'Say in one line what is wrong.').max(200, 'The first line can be 200 characters at most.'),
  description: z.string().max(20_000, 'The details can be 20,000 characters at most.').default(''),
  name: z.string().trim().max(200, 'The name can be 200 characters at most.').optional(),
  email: z.union([z.literal(''), z.email('Enter an e-mail address like name@example.com.').max(320)]).optional(),
  website: z.string().max(2000).optional(),
  formToken: z.string().max(200).optional(),
});

export function reportFormPage(app: FastifyInstance, opts: ReportFormOptions): void {
  const guard = { ...SPAM_GUARD_DEFAULTS, ...opts.guard };
  void app.register(async (scope) => {
    await scope.register(formbody, { bodyLimit: 64 * 1024 });
    const notFoundPage = (reply: FastifyReply) =>
      reply.code(404).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page('Link not valid', '<h1>This link does not work</h1><p>The report link is not valid or was replaced. Ask your contact for the current one.</p>'));
    const isForm = (request: FastifyRequest) => String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

    scope.get<{ Params: { secret: string } }>('/report/:secret', { schema: { hide: true }, config: { rateLimit: { max: 60, timeWindow: '1 minute' } } }, async (request, reply) => {
      const link = await findReportLink(opts.database, request.params.secret);
      if (!link) return notFoundPage(reply);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(formPage(link, request.url, formToken(link, new Date())));
    });

    scope.post<{ Params: { secret: string } }>(
      '/report/:secret',
      { schema: { hide: true }, bodyLimit: 64 * 1024, config: { rateLimit: { max: opts.reportsPerMinute ?? 5, timeWindow: '1 minute' } } },
      async (request, reply) => {
        const form = isForm(request);
        const link = await findReportLink(opts.database, request.params.secret);
        if (!link) {
          if (form) return notFoundPage(reply);
          throw new AppError('not_found', 'The report link is not valid or was replaced.');
        }
        const raw = request.body;
        if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new AppError('invalid_input', 'Send the report as a form or a JSON object.', { field: 'body' });
        const parsed = reportBody.safeParse(raw);
        if (!parsed.success) {
          const errors = parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? 'body'), message: i.message }));
          if (form) {
            const values = raw as FormValues;
            return reply.code(400).type('text/html; charset=utf-8').send(formPage(link, request.url, String((raw as { formToken?: unknown }).formToken ?? formToken(link, new Date())), values, errors));
          }
          throw new AppError('invalid_input', `Invalid body.${errors[0]!.field}: ${errors[0]!.message}`, { field: `body.${errors[0]!.field}` });
        }
        const b = parsed.data;
        if ([b.title, b.description, b.name ?? '', b.email ?? ''].some((s) => s.includes('\u0000'))) throw new AppError('invalid_input', 'The report contains a NUL character.', { field: 'body' });
        const outcome = await submitPublicReport(
          opts.database,
          link,
          { title: b.title, description: b.description, name: b.name || undefined, email: b.email || undefined, honeypot: b.website, formToken: b.formToken },
          { now: new Date(), guard, ip: request.ip },
        );
        const ack = acknowledgement(outcome);
        reply.code(ack.status).header('cache-control', 'no-store');
        return form ? reply.type('text/html; charset=utf-8').send(ack.html) : reply.send(ack.json);
      },
    );
  });
}
