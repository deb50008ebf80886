// The sandboxed template engine: one Liquid for HTML parts (every output escaped) and one for text
// parts, neither able to read files. Templates are checked on save against realistic contexts, so a
// template that saved renders at send time; parsed templates are cached by content.
import { Liquid, type Template, type VariableSegments } from 'liquidjs';
import { MESSAGE_KINDS, type MessageKind } from '../domain/types.js';
import { canRenderFast, renderFast } from './fast-render.js';
import { registerHeraldFilters } from './filters.js';
import { checkStatements, unknownVariablePath } from './template-rules.js';
import { validationContexts, type TemplateContext } from './variables.js';

export const CHANNELS = ['email', 'chat'] as const;
export type Channel = (typeof CHANNELS)[number];

export type EmailParts = { subject: string; html: string; text: string };
/** Slack / Teams message text: plain lines, "- " lists, bare URLs. */
export type ChatParts = { text: string };
export type PartsOf<C extends Channel> = C extends 'email' ? EmailParts : ChatParts;
export type PartName = 'subject' | 'html' | 'text';

export const CHANNEL_PARTS: { readonly [C in Channel]: readonly (keyof PartsOf<C> & PartName)[] } = {
  email: ['subject', 'html', 'text'],
  chat: ['text'],
};

export type TemplateIssueCode =
  | 'missing-part'
  | 'unknown-part'
  | 'too-large'
  | 'syntax'
  | 'unknown-variable'
  | 'unknown-filter'
  | 'render'
  | 'missing-statement';

export interface TemplateIssue {
  /** The part ('subject', 'html', 'text'), or 'template' for a problem with the whole. */
  part: string;
  /** 1-based line in that part; null when the problem has no place (a missing part or statement). */
  line: number | null;
  column: number | null;
  code: TemplateIssueCode;
  message: string;
  /** The kind of message whose sample context showed the problem, when it depends on the kind. */
  kind?: MessageKind;
}

/** Thrown by renderTemplate; validateTemplate never throws. */
export class TemplateRenderError extends Error {
  constructor(readonly issues: TemplateIssue[]) {
    super(issues.map((i) => `${i.part}${i.line ? ` line ${i.line}` : ''}: ${i.message}`).join('; '));
    this.name = 'TemplateRenderError';
  }
}

export const MAX_PART_CHARS = 100_000;
/** At most this many parsed templates per engine (parts of at most MAX_PART_CHARS, typically 2–10 kB). */
const CACHE_ENTRIES = 500;

/** A sandboxed Liquid engine (HTML output escaped when isHtml). Exported for the renderer's tests. */
export function createLiquid(isHtml: boolean): Liquid {
  const liquid = new Liquid({
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    // An empty in-memory file map: nothing is ever read from disk, even if a tag asked.
    templates: {},
    relativeReference: false,
    ...(isHtml ? { outputEscape: 'escape' as const } : {}),
    timezoneOffset: 0,
    parseLimit: MAX_PART_CHARS,
    renderLimit: 250,
    memoryLimit: 10_000_000,
  });
  for (const tag of ['include', 'render', 'layout']) {
    liquid.registerTag(tag, {
      parse() {
        throw new Error(`the "${tag}" tag is not available: a Herald template is one self-contained text`);
      },
      render() {
        return '';
      },
    });
  }
  registerHeraldFilters(liquid);
  return liquid;
}

interface Engine {
  liquid: Liquid;
  cache: Map<string, Template[]>;
  /** Renders parsed templates: without LiquidJS's generators when it can (see fast-render.ts), the same output. */
  render(templates: Template[], context: object): string;
}

function createEngine(isHtml: boolean): Engine {
  const liquid = createLiquid(isHtml);
  const render = canRenderFast(liquid)
    ? (templates: Template[], context: object) => renderFast(liquid, templates, context)
    : (templates: Template[], context: object) => liquid.renderSync(templates, context) as string;
  return { liquid, cache: new Map(), render };
}

const engines = { html: createEngine(true), text: createEngine(false) } satisfies Record<string, Engine>;

const engineFor = (part: string): Engine => (part === 'html' ? engines.html : engines.text);

/**
 * Parsed templates, cached by content: the Map hashes the source string (V8 keeps a string's hash with
 * it, so a repeat lookup for one recipient after another costs about a microsecond, where a SHA-256
 * of a 7 kB HTML part costs tens). Least recently used entries go first.
 */
function parse(engine: Engine, source: string): Template[] {
  const hit = engine.cache.get(source);
  if (hit) {
    engine.cache.delete(source);
    engine.cache.set(source, hit);
    return hit;
  }
  const parsed = engine.liquid.parse(source);
  engine.cache.set(source, parsed);
  if (engine.cache.size > CACHE_ENTRIES) engine.cache.delete(engine.cache.keys().next().value!);
  return parsed;
}

interface LiquidErrorLike {
  name?: string;
  message?: string;
  token?: { getPosition?: () => [number, number] };
}

/** Whether a dotted path from an error message ("components.first.name", "a[0].b") is one VARIABLES documents. */
function isKnownPath(path: string, unknownPath: PartChecks['unknownPath']): boolean {
  const segments = path.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '');
  const parsed = segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  return parsed.length > 0 && unknownPath(parsed) === null;
}

function toIssue(part: string, err: unknown, kind?: MessageKind, unknownPath: PartChecks['unknownPath'] = unknownVariablePath): TemplateIssue {
  const e = (err ?? {}) as LiquidErrorLike;
  const raw = String(e.message ?? err);
  const position = e.token?.getPosition?.() ?? null;
  const fromMessage = /line:(\d+), col:(\d+)/.exec(raw);
  const line = position?.[0] ?? (fromMessage ? Number(fromMessage[1]) : null);
  const column = position?.[1] ?? (fromMessage ? Number(fromMessage[2]) : null);
  let message = raw.replace(/,? line:\d+, col:\d+\s*$/, '').trim();
  let code: TemplateIssueCode = 'render';
  const variable = /^undefined variable: (.+)$/.exec(message);
  const filter = /^undefined filter: (.+)$/.exec(message);
  if (variable && isKnownPath(variable[1]!, unknownPath)) {
    // A documented path that had no value: an item of an empty list (`components.first`) in some context.
    message = `"${variable[1]}" has no value in some messages (for instance when a list is empty); check it with {% if %} before using it`;
  } else if (variable || e.name === 'UndefinedVariableError') {
    code = 'unknown-variable';
    if (variable) message = `unknown variable "${variable[1]}"`;
  } else if (filter) {
    code = 'unknown-filter';
    message = `unknown filter "${filter[1]}"`;
  } else if (e.name === 'ParseError' || e.name === 'TokenizationError') {
    code = 'syntax';
  } else if (/limit exceeded/.test(message)) {
    message = `${message}: the template does too much work (a loop too long?)`;
  }
  return { part, line, column, code, message, ...(kind ? { kind } : {}) };
}

/** Rendered output tidied per part: a subject is one line (no header injection); text loses runs of blank lines. */
function finish(part: string, output: string): string {
  if (part === 'subject') return output.replace(/\s+/g, ' ').trim();
  if (part === 'html') return output.trim();
  return output
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export interface ValidateOptions {
  /** The kinds the template serves; every kind by default. */
  kinds?: readonly MessageKind[];
  /** The template's language, for the sample contexts; English by default. */
  language?: string;
}

/**
 * Everything wrong with a template, each naming its part and line: a missing or unknown part, bad
 * Liquid, an unknown variable or filter (in any branch), a render failure against the sample contexts
 * of every kind it serves, and a statement every client message owes but the part never makes
 * (code 'missing-statement'). An empty list means the template may be saved. Never throws.
 */
export function validateTemplate(channel: Channel, parts: Readonly<Record<string, unknown>>, options: ValidateOptions = {}): TemplateIssue[] {
  const kinds = options.kinds?.length ? options.kinds : MESSAGE_KINDS;
  const language = options.language ?? 'en';
  return checkTemplateParts(channel, parts, {
    unknownPath: unknownVariablePath,
    // A statement every client message owes but the part never makes.
    checkParsed: (name, referenced) =>
      name === 'subject' ? [] : kinds.flatMap((kind) => checkStatements(kind, referenced).map((message) => ({ part: name, line: null, column: null, code: 'missing-statement' as const, message, kind }))),
    contexts: () => kinds.flatMap((kind) => validationContexts(kind, language).map((context) => ({ context, kind }))),
  });
}

/** How one family of templates (incident messages, maintenance notices) is checked by checkTemplateParts. */
export interface PartChecks {
  /** The first undocumented part of a variable path, or null when the path is documented. */
  unknownPath(segments: readonly unknown[]): string | null;
  /** Further issues of a part that parsed with only documented variables. */
  checkParsed?(name: PartName, referenced: VariableSegments[]): TemplateIssue[];
  /** The sample contexts every part must render against (with the message kind they stand for). */
  contexts(): { context: object; kind?: MessageKind }[];
}

/**
 * Everything wrong with a template's parts, each naming its part and line: a missing or unknown part,
 * bad Liquid, an unknown variable or filter (in any branch), and a render failure against the sample
 * contexts. Never throws.
 */
export function checkTemplateParts(channel: Channel, parts: Readonly<Record<string, unknown>>, checks: PartChecks): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  try {
    const names = (CHANNEL_PARTS as Record<string, readonly PartName[] | undefined>)[channel];
    if (!names) return [{ part: 'template', line: null, column: null, code: 'unknown-part', message: `unknown channel "${String(channel)}"; expected ${CHANNELS.join(' or ')}` }];
    for (const extra of Object.keys(parts ?? {}).filter((k) => !(names as readonly string[]).includes(k))) {
      issues.push({ part: extra, line: null, column: null, code: 'unknown-part', message: `a ${channel} template has no part "${extra}"; its parts are ${names.join(', ')}` });
    }
    const parsed = new Map<PartName, Template[]>();
    for (const name of names) {
      const source = parts?.[name];
      if (typeof source !== 'string' || !source.trim()) {
        issues.push({ part: name, line: null, column: null, code: 'missing-part', message: `the ${name} part is empty` });
        continue;
      }
      if (source.length > MAX_PART_CHARS) {
        issues.push({ part: name, line: null, column: null, code: 'too-large', message: `the ${name} part is longer than ${MAX_PART_CHARS} characters` });
        continue;
      }
      const engine = engineFor(name);
      let templates: Template[];
      try {
        templates = parse(engine, source);
      } catch (err) {
        issues.push(toIssue(name, err, undefined, checks.unknownPath));
        continue;
      }
      const globals = engine.liquid.analyzeSync(templates, { partials: false }).globals;
      const unknown = Object.values(globals)
        .flat()
        .map((v) => ({ v, path: checks.unknownPath(v.segments) }))
        .filter((x) => x.path !== null);
      for (const { v, path } of unknown) {
        issues.push({ part: name, line: v.location.row, column: v.location.col, code: 'unknown-variable', message: `unknown variable "${path}"` });
      }
      if (unknown.length) continue;
      parsed.set(name, templates);
      if (checks.checkParsed) issues.push(...checks.checkParsed(name, Object.values(globals).flat().map((v) => v.segments)));
    }
    if (parsed.size) {
      for (const { context, kind } of checks.contexts()) {
        for (const [name, templates] of parsed) {
          try {
            engineFor(name).render(templates, context);
          } catch (err) {
            issues.push(toIssue(name, err, kind, checks.unknownPath));
          }
        }
      }
    }
  } catch (err) {
    issues.push({ part: 'template', line: null, column: null, code: 'render', message: `could not check the template: ${String((err as Error)?.message ?? err)}` });
  }
  return dedupe(issues);
}

/** Renders every part with the shared engines (and their parse cache); a failing part throws TemplateRenderError. */
export function renderParts<C extends Channel>(channel: C, parts: PartsOf<C>, context: object, unknownPath: PartChecks['unknownPath'] = unknownVariablePath): PartsOf<C> {
  const out: Record<string, string> = {};
  for (const name of CHANNEL_PARTS[channel] as readonly PartName[]) {
    const source = (parts as Record<string, unknown>)[name];
    if (typeof source !== 'string') throw new TemplateRenderError([{ part: name, line: null, column: null, code: 'missing-part', message: `the ${name} part is missing` }]);
    const engine = engineFor(name);
    try {
      out[name] = finish(name, engine.render(parse(engine, source), context));
    } catch (err) {
      const kind = (context as { kind?: unknown }).kind;
      throw new TemplateRenderError([toIssue(name, err, (MESSAGE_KINDS as readonly unknown[]).includes(kind) ? (kind as MessageKind) : undefined, unknownPath)]);
    }
  }
  return out as PartsOf<C>;
}

function dedupe(issues: TemplateIssue[]): TemplateIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.part}|${i.line}|${i.column}|${i.code}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Renders every part of a template for one recipient. Throws TemplateRenderError (naming part and line)
 * if a part fails, which a template that passed validateTemplate does not do.
 */
export function renderTemplate<C extends Channel>(channel: C, parts: PartsOf<C>, context: TemplateContext): PartsOf<C> {
  return renderParts(channel, parts, context);
}

/** Stands in for one contact field while a part is rendered once for many recipients. NUL never occurs in accepted text. */
const marker = (field: string) => `\u0000herald-contact-${field}\u0000`;
/** The fields filled in per recipient; language and time zone shape dates (filters read them), so they are shared. */
const CONTACT_FIELDS = ['name', 'email', 'role'] as const;
/** A part whose only uses of the contact are plain outputs of these fields can be filled in per recipient. */
const CONTACT_WORD = /\bcontact\b/g;
/** Liquid outputs and tags. */
const LIQUID_MARKUP = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;
const PLAIN_CONTACT_OUTPUT = /\{\{-?\s*contact\.(?:name|email|role|timeZone|language)\s*-?\}\}/g;
const MARKER_SPLIT = new RegExp(marker('(name|email|role)'));

type Filler = (contact: TemplateContext['contact']) => string;

/** How a part uses the contact, by its source (a message renders the same few sources for every client). */
const contactUses = new Map<string, 'none' | 'plain' | 'other'>();

/** 'none': no use; 'plain': only plain outputs of contact fields; 'other': anything else. */
function contactUse(source: string): 'none' | 'plain' | 'other' {
  let use = contactUses.get(source);
  if (!use) {
    // Uses in the Liquid markup only: the word in the text around it ("a contact of …") is no use.
    const uses = (source.match(LIQUID_MARKUP) ?? []).reduce((n, markup) => n + (markup.match(CONTACT_WORD)?.length ?? 0), 0);
    const plain = source.match(PLAIN_CONTACT_OUTPUT)?.length ?? 0;
    use = uses === 0 ? 'none' : plain !== uses || /\{%-?\s*(capture|assign|cycle|increment|decrement)\b/.test(source) ? 'other' : 'plain';
    if (contactUses.size >= CACHE_ENTRIES) contactUses.delete(contactUses.keys().next().value!);
    contactUses.set(source, use);
  }
  return use;
}

/**
 * Prepares one part for many recipients who share everything but the contact (one client, one
 * language and time zone): a part that does not mention the contact is rendered once; one that only outputs contact
 * fields plainly (`{{ contact.name }}`, no filters, tags or captures around them) is rendered once with
 * stand-ins, each recipient's values (escaped as the engine escapes them) put in their place; any other
 * part is rendered per recipient. The output is the same as renderTemplate's in every case.
 */
function partFiller(name: PartName, source: string, base: TemplateContext): Filler {
  const engine = engineFor(name);
  const render = (context: TemplateContext) => {
    try {
      return engine.render(parse(engine, source), context);
    } catch (err) {
      throw new TemplateRenderError([toIssue(name, err, context.kind)]);
    }
  };
  const fallback = (contact: TemplateContext['contact']) => finish(name, render({ ...base, contact }));
  // Dates are written in the contact's language and time zone (the filters read them from the context).
  const isShared = (contact: TemplateContext['contact']) => contact.language === base.contact.language && contact.timeZone === base.contact.timeZone;
  const use = contactUse(source);
  if (use === 'none') {
    const once = finish(name, render(base));
    return (contact) => (isShared(contact) ? once : fallback(contact));
  }
  if (use === 'other') return fallback;
  const stand = { ...base.contact, ...Object.fromEntries(CONTACT_FIELDS.map((f) => [f, marker(f)])) };
  const pieces = render({ ...base, contact: stand }).split(MARKER_SPLIT);
  const escape = (value: string) => (name === 'html' ? engine.render(parse(engine, '{{ v }}'), { v: value }) : value);
  return (contact) => {
    if (!isShared(contact)) return fallback(contact);
    let out = '';
    for (let i = 0; i < pieces.length; i++) out += i % 2 === 0 ? pieces[i]! : escape(String(contact[pieces[i] as (typeof CONTACT_FIELDS)[number]]));
    // A stand-in that did not come out whole (a filter got to it after all): render this one in full.
    return out.includes('\u0000') ? fallback(contact) : finish(name, out);
  };
}

/**
 * renderTemplate for many recipients of one message who differ only in the contact: `base` is the
 * context of any one of them. Returns a function giving each contact's rendered parts.
 */
export function templateRenderer<C extends Channel>(channel: C, parts: PartsOf<C>, base: TemplateContext): (contact: TemplateContext['contact']) => PartsOf<C> {
  const fillers: [PartName, Filler][] = [];
  for (const name of CHANNEL_PARTS[channel] as readonly PartName[]) {
    const source = (parts as Record<string, unknown>)[name];
    if (typeof source !== 'string') throw new TemplateRenderError([{ part: name, line: null, column: null, code: 'missing-part', message: `the ${name} part is missing` }]);
    fillers.push([name, partFiller(name, source, base)]);
  }
  return (contact) => Object.fromEntries(fillers.map(([name, fill]) => [name, fill(contact)])) as PartsOf<C>;
}
