// The check a template passes before it is saved: everything wrong with it, each problem naming its
// part and line, so a template that saved renders at send time. Never throws.
import type { Template, VariableSegments } from 'liquidjs';
import { MESSAGE_KINDS, type MessageKind } from '../domain/types.js';
import { engineFor } from './liquid-sandbox.js';
import { dedupeIssues, issueFromError, placeless, type TemplateIssue, type UnknownPath } from './template-issues.js';
import { CHANNEL_PARTS, CHANNELS, MAX_PART_CHARS, type Channel, type PartName } from './template-parts.js';
import { checkStatements, unknownVariablePath } from './template-rules.js';
import { validationContexts } from './variables.js';

export interface ValidateOptions {
  /** The kinds the template serves; every kind by default. */
  kinds?: readonly MessageKind[];
  /** The template's language, for the sample contexts; English by default. */
  language?: string;
}

/**
 * Everything wrong with a client-message template, each naming its part and line: a missing or unknown
 * part, bad Liquid, an unknown variable or filter (in any branch), a render failure against the sample
 * contexts of every kind it serves, and a statement every client message owes but the part never makes
 * (code 'missing-statement'). An empty list means the template may be saved.
 */
export function validateTemplate(channel: Channel, parts: Readonly<Record<string, unknown>>, options: ValidateOptions = {}): TemplateIssue[] {
  const kinds = options.kinds?.length ? options.kinds : MESSAGE_KINDS;
  const language = options.language ?? 'en';
  return checkTemplateParts(channel, parts, {
    unknownPath: unknownVariablePath,
    checkParsed: (name, referenced) =>
      name === 'subject' ? [] : kinds.flatMap((kind) => checkStatements(kind, referenced).map((message) => ({ ...placeless(name, 'missing-statement', message), kind }))),
    contexts: () => kinds.flatMap((kind) => validationContexts(kind, language).map((context) => ({ context, kind }))),
  });
}

/** How one family of templates (incident messages, maintenance notices) is checked by checkTemplateParts. */
export interface PartChecks {
  unknownPath: UnknownPath;
  /** Further issues of a part that parsed with only documented variables. */
  checkParsed?(name: PartName, referenced: VariableSegments[]): TemplateIssue[];
  /** The sample contexts every part must render against (with the message kind they stand for). */
  contexts(): { context: object; kind?: MessageKind }[];
}

/**
 * Everything wrong with a template's parts, each naming its part and line: a missing or unknown part,
 * bad Liquid, an unknown variable or filter (in any branch), and a render failure against the sample
 * contexts.
 */
export function checkTemplateParts(channel: Channel, parts: Readonly<Record<string, unknown>>, checks: PartChecks): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  try {
    const names = (CHANNEL_PARTS as Record<string, readonly PartName[] | undefined>)[channel];
    if (!names) return [placeless('template', 'unknown-part', `unknown channel "${String(channel)}"; expected ${CHANNELS.join(' or ')}`)];
    for (const extra of Object.keys(parts ?? {}).filter((k) => !(names as readonly string[]).includes(k))) {
      issues.push(placeless(extra, 'unknown-part', `a ${channel} template has no part "${extra}"; its parts are ${names.join(', ')}`));
    }
    const parsed = new Map<PartName, Template[]>();
    for (const name of names) {
      const source = parts?.[name];
      if (typeof source !== 'string' || !source.trim()) {
        issues.push(placeless(name, 'missing-part', `the ${name} part is empty`));
        continue;
      }
      if (source.length > MAX_PART_CHARS) {
        issues.push(placeless(name, 'too-large', `the ${name} part is longer than ${MAX_PART_CHARS} characters`));
        continue;
      }
      const engine = engineFor(name);
      let templates: Template[];
      try {
        templates = engine.parse(source);
      } catch (err) {
        issues.push(issueFromError(name, err, undefined, checks.unknownPath));
        continue;
      }
      // Every variable in every branch, not only those the sample contexts happen to reach.
      const globals = Object.values(engine.liquid.analyzeSync(templates, { partials: false }).globals).flat();
      const unknown = globals.map((v) => ({ v, path: checks.unknownPath(v.segments) })).filter((x) => x.path !== null);
      for (const { v, path } of unknown) {
        issues.push({ part: name, line: v.location.row, column: v.location.col, code: 'unknown-variable', message: `unknown variable "${path}"` });
      }
      if (unknown.length) continue;
      parsed.set(name, templates);
      if (checks.checkParsed) issues.push(...checks.checkParsed(name, globals.map((v) => v.segments)));
    }
    if (parsed.size) {
      for (const { context, kind } of checks.contexts()) {
        for (const [name, templates] of parsed) {
          try {
            engineFor(name).render(templates, context);
          } catch (err) {
            issues.push(issueFromError(name, err, kind, checks.unknownPath));
          }
        }
      }
    }
  } catch (err) {
    issues.push(placeless('template', 'render', `could not check the template: ${String((err as Error)?.message ?? err)}`));
  }
  return dedupeIssues(issues);
}
