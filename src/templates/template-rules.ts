// Static rules over the variables a template mentions: every path must be in VARIABLES, and every
// body must make the statements DESIGN.md §1 says a client is owed for its kind of message.
import type { VariableSegments } from 'liquidjs';
import type { MessageKind } from '../domain/types.js';
import { VARIABLES } from './variables.js';

type Shape = 'list' | 'object' | 'scalar';

const SHAPES: ReadonlyMap<string, Shape> = (() => {
  const shapes = new Map<string, Shape>();
  for (const v of VARIABLES) {
    shapes.set(v.name, v.type === 'list' ? 'list' : 'scalar');
    for (let p = v.name, i = p.lastIndexOf('.'); i > 0; i = p.lastIndexOf('.')) {
      p = p.slice(0, i);
      if (!shapes.has(p)) shapes.set(p, 'object');
    }
  }
  return shapes;
})();

const ITEM: ReadonlySet<string | number> = new Set(['first', 'last']);

function display(segments: readonly (string | number)[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/**
 * The path up to the first segment VARIABLES does not know, or null when the path is known (or cannot
 * be judged statically, as after a dynamic index `a[b]`). Lists allow [n], first, last and size;
 * strings allow size, first and last.
 */
export function unknownVariablePath(segments: VariableSegments): string | null {
  let path = '';
  const seen: (string | number)[] = [];
  for (const seg of segments) {
    if (typeof seg !== 'string' && typeof seg !== 'number') return null;
    seen.push(seg);
    const shape: Shape = path ? SHAPES.get(path)! : 'object';
    if (shape === 'list') {
      if (typeof seg === 'number' || ITEM.has(seg)) {
        path += '[]';
        continue;
      }
      return seg === 'size' ? null : display(seen);
    }
    if (shape === 'scalar') return seg === 'size' || ITEM.has(seg) ? null : display(seen);
    const next = path ? `${path}.${seg}` : String(seg);
    if (!SHAPES.has(next)) return display(seen);
    path = next;
  }
  return null;
}

interface Statement {
  kinds: readonly MessageKind[];
  what: string;
  /** Any one of these (or a parent of one) counts as making the statement. */
  paths: readonly string[];
}

const ALL: readonly MessageKind[] = ['initial', 'update', 'resolution', 'rca'];

const STATEMENTS: readonly Statement[] = [
  { kinds: ALL, what: 'which components are affected and how', paths: ['components'] },
  { kinds: ALL, what: 'the impact summary', paths: ['disclosures.impactSummary'] },
  { kinds: ALL, what: 'whether data was lost', paths: ['disclosures.dataLoss'] },
  { kinds: ALL, what: 'whether data was accessible to unintended third parties', paths: ['disclosures.dataExposure'] },
  { kinds: ALL, what: 'the author’s message', paths: ['message'] },
  { kinds: ['initial', 'update'], what: 'when the next update comes', paths: ['nextUpdateAt', 'disclosures.nextUpdateAt'] },
  { kinds: ['initial', 'update'], what: 'the expected resolution', paths: ['disclosures.expectedResolutionAt'] },
  { kinds: ['resolution', 'rca'], what: 'when the incident was resolved', paths: ['incident.resolvedAt'] },
  { kinds: ['resolution', 'rca'], what: 'the planned remediation', paths: ['disclosures.remediation'] },
  { kinds: ['initial'], what: 'past occurrences', paths: ['pastOccurrences'] },
];

const KIND_NAME: Record<MessageKind, string> = { initial: 'an initial notice', update: 'an update', resolution: 'a resolution notice', rca: 'an RCA' };

function covers(mentioned: string, required: string): boolean {
  return mentioned === required || mentioned.startsWith(`${required}.`) || required.startsWith(`${mentioned}.`);
}

/** The statements a `kind` message owes that a part mentioning `referenced` never makes, as messages. */
export function checkStatements(kind: MessageKind, referenced: readonly VariableSegments[]): string[] {
  const mentioned = referenced.map((segments) => {
    const literal: string[] = [];
    for (const s of segments) {
      if (typeof s !== 'string') break;
      literal.push(s);
    }
    return literal.join('.');
  });
  return STATEMENTS.filter((s) => s.kinds.includes(kind) && !s.paths.some((p) => mentioned.some((m) => m && covers(m, p)))).map(
    (s) => `${KIND_NAME[kind]} must state ${s.what}: use ${s.paths.join(' or ')}`,
  );
}
