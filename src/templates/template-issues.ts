// What is wrong with a template, as an author reads it: each problem names its part and line. LiquidJS's
// errors are turned into these here, for the check on save and for a failure at send time alike.
import type { VariableSegments } from 'liquidjs';
import type { MessageKind } from '../domain/types.js';
import { unknownVariablePath } from './template-rules.js';

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

/** The first undocumented part of a variable path, or null when the path is documented (one per family of templates). */
export type UnknownPath = (segments: VariableSegments) => string | null;

/** An issue with no place in the part's text. */
export const placeless = (part: string, code: TemplateIssueCode, message: string): TemplateIssue => ({ part, line: null, column: null, code, message });

interface LiquidErrorLike {
  name?: string;
  message?: string;
  token?: { getPosition?: () => [number, number] };
}

/** Whether a dotted path from an error message ("components.first.name", "a[0].b") is a documented one. */
function isKnownPath(path: string, unknownPath: UnknownPath): boolean {
  const segments = path.split(/\.|\[(\d+)\]/).filter((s) => s !== undefined && s !== '');
  const parsed = segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  return parsed.length > 0 && unknownPath(parsed) === null;
}

/**
 * A LiquidJS parse or render error as an issue of one part. The line and column come from the error's
 * token, else from the "line:, col:" LiquidJS appends to its messages.
 */
export function issueFromError(part: string, err: unknown, kind?: MessageKind, unknownPath: UnknownPath = unknownVariablePath): TemplateIssue {
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

/** The issues without repeats (one mistake shows in every sample context it is rendered against). */
export function dedupeIssues(issues: TemplateIssue[]): TemplateIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.part}|${i.line}|${i.column}|${i.code}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
