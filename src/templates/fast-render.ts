// Renders parsed Liquid templates synchronously without the engine's generators. LiquidJS evaluates
// every tag, output, filter and variable lookup as a generator driven by toValueSync: about 20 µs per
// loop iteration of a default template, 1.5 ms for one initial notice listing 25 past occurrences.
// This renderer walks the same parsed templates with plain calls and follows LiquidJS's own code
// step by step (each `yield x` there is `drive(x)` here), on the engine's own Context, filters and
// operators, so the output and the errors are the same. A tag it does not know (cycle, tablerow, …)
// is rendered by LiquidJS itself, on the same context and output.
import {
  AssignTag,
  BreakTag,
  CaptureTag,
  CaseTag,
  CommentTag,
  Context,
  ContinueTag,
  defaultOperators,
  EchoTag,
  evalToken,
  ForTag,
  IfTag,
  InlineCommentTag,
  isFalsy,
  isTruthy,
  Liquid,
  LiquidError,
  LiquidTag,
  Output,
  RenderError,
  toValue,
  toValueSync,
  TypeGuards,
  UndefinedVariableError,
  UnlessTag,
  type Template,
  type Token,
} from 'liquidjs';

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Drives a generator (what `yield` does under toValueSync); any other value is itself. */
const drive = toValueSync as (v: unknown) => Any;

/** LiquidJS's classes that it does not export, taken from what it builds. */
const probe = new Liquid();
const HTML = (probe.parse('x')[0] as object).constructor;
const ForloopDrop = (() => {
  const ctx = new Context({}, probe.options, { sync: true }, { liquid: probe });
  drive(probe.renderer.renderTemplates(probe.parse('{% for i in (1..1) %}{% assign f = forloop %}{% endfor %}'), ctx));
  return (ctx.bottom() as Any).f.constructor as new (length: number, collection: string, variable: string) => Any;
})();

/** Raised where LiquidJS raises its internal error of the same name (and turned by the caller into UndefinedVariableError). */
class InternalUndefinedVariableError extends Error {
  constructor(readonly variableName: string) {
    super(`undefined variable: ${variableName}`);
    this.name = 'InternalUndefinedVariableError';
  }
}

class Emitter {
  buffer = '';
  write(html: unknown) {
    this.buffer += stringify(html);
  }
}

const objectToString = Object.prototype.toString;
const isArray = (v: unknown): v is unknown[] => objectToString.call(v) === '[object Array]';
const isString = (v: unknown): v is string => typeof v === 'string' || v instanceof String;
const isFunction = (v: unknown): v is (...a: unknown[]) => unknown => typeof v === 'function';
const isObject = (v: unknown): v is object => v !== null && (typeof v === 'object' || typeof v === 'function');

function stringify(value: unknown): string {
  value = toValue(value);
  if (isString(value)) return value as string;
  if (value == null) return '';
  if (isArray(value)) return value.map((x) => stringify(x)).join('');
  return String(value);
}

function toEnumerable(val: unknown): unknown[] {
  val = toValue(val);
  if (isArray(val)) return val;
  if (isString(val) && (val as string).length > 0) return [val];
  if (isObject(val) && Symbol.iterator in val) return Array.from(val as Iterable<unknown>);
  if (isObject(val)) return Object.keys(val).map((key) => [key, (val as Record<string, unknown>)[key]]);
  return [];
}

const createScope = (from?: object) => Object.assign(Object.create(null) as Record<string, unknown>, from);

const isComparable = (a: Any) => a && isFunction(a.equals) && isFunction(a.gt) && isFunction(a.geq) && isFunction(a.lt) && isFunction(a.leq);

function equals(lhs: Any, rhs: Any): boolean {
  if (isComparable(lhs)) return drive(lhs.equals(rhs));
  if (isComparable(rhs)) return drive(rhs.equals(lhs));
  lhs = drive(toValue(lhs));
  rhs = drive(toValue(rhs));
  if (isArray(lhs)) return isArray(rhs) && arrayEquals(lhs, rhs);
  return lhs === rhs;
}

function arrayEquals(lhs: unknown[], rhs: unknown[]): boolean {
  if (lhs.length !== rhs.length) return false;
  for (let i = 0; i < lhs.length; i++) if (!equals(lhs[i], rhs[i])) return false;
  return true;
}

function arrayIncludes(arr: unknown[], item: unknown): boolean {
  for (const value of arr) if (equals(value, item)) return true;
  return false;
}

/** LiquidJS's default operators without generators. */
const OPERATORS: Record<string, (l: Any, r: Any, ctx: Context) => unknown> = {
  '==': (l, r) => equals(l, r),
  '!=': (l, r) => !equals(l, r),
  '>': (l, r) => (isComparable(l) ? drive(l.gt(r)) : isComparable(r) ? drive(r.lt(l)) : drive(toValue(l)) > drive(toValue(r))),
  '<': (l, r) => (isComparable(l) ? drive(l.lt(r)) : isComparable(r) ? drive(r.gt(l)) : drive(toValue(l)) < drive(toValue(r))),
  '>=': (l, r) => (isComparable(l) ? drive(l.geq(r)) : isComparable(r) ? drive(r.leq(l)) : drive(toValue(l)) >= drive(toValue(r))),
  '<=': (l, r) => (isComparable(l) ? drive(l.leq(r)) : isComparable(r) ? drive(r.geq(l)) : drive(toValue(l)) <= drive(toValue(r))),
  contains: (l, r) => {
    l = drive(toValue(l));
    if (isArray(l)) return arrayIncludes(l, r);
    if (isFunction(l?.indexOf)) return l.indexOf(drive(toValue(r))) > -1;
    return false;
  },
  and: (l, r, ctx) => isTruthy(drive(toValue(l)), ctx) && isTruthy(drive(toValue(r)), ctx),
  or: (l, r, ctx) => isTruthy(drive(toValue(l)), ctx) || isTruthy(drive(toValue(r)), ctx),
};
const notOperator = (v: Any, ctx: Context) => isFalsy(drive(toValue(v)), ctx);

/**
 * Whether this renderer can stand in for the engine's: its operators are LiquidJS's defaults (this
 * renderer has their plain versions) and it does not collect errors (catchAllErrors).
 */
export function canRenderFast(liquid: Liquid): boolean {
  const ops = liquid.options.operators as Record<string, unknown>;
  const defaults = defaultOperators as Record<string, unknown>;
  const names = Object.keys(ops);
  return !liquid.options.catchAllErrors && names.length === Object.keys(defaults).length && names.every((n) => ops[n] === defaults[n]);
}

function getFromScope(ctx: Context, scope: unknown, paths: unknown[]): unknown {
  for (let i = 0; i < paths.length; i++) {
    scope = drive((ctx as Any).readProperty(scope, paths[i]));
    if (ctx.strictVariables && scope === undefined) throw new InternalUndefinedVariableError(paths.slice(0, i + 1).join('.'));
  }
  return scope;
}

/** What context.getSync(paths) returns (and throws), without generators. */
export function getSync(ctx: Context, paths: unknown[]): unknown {
  return getFromScope(ctx, (ctx as Any).findScope(paths[0]), paths);
}

function evalTok(token: Any, ctx: Context, lenient = false): unknown {
  if (!token) return undefined;
  if ('content' in token) return token.content;
  if (TypeGuards.isPropertyAccessToken(token)) {
    const props: unknown[] = [];
    for (const prop of token.props) props.push(drive(toValue(evalTok(prop, ctx, false))));
    try {
      if (token.variable) return getFromScope(ctx, evalTok(token.variable, ctx, lenient), props);
      return getFromScope(ctx, (ctx as Any).findScope(props[0]), props);
    } catch (e) {
      if (lenient && (e as Error).name === 'InternalUndefinedVariableError') return null;
      throw new UndefinedVariableError(e as Error, token as Token);
    }
  }
  // Ranges and grouped expressions: rare, and evaluated by LiquidJS.
  return drive(evalToken(token, ctx, lenient));
}

function evalExpression(expression: Any, ctx: Context, lenient: boolean): unknown {
  const postfix = expression.postfix as Any[];
  if (postfix.length === 1 && !TypeGuards.isOperatorToken(postfix[0])) return evalTok(postfix[0], ctx, lenient);
  const operands: unknown[] = [];
  for (const token of postfix) {
    if (TypeGuards.isOperatorToken(token)) {
      const r = operands.pop();
      const op = token.operator;
      if (op === 'not') operands.push(notOperator(r, ctx));
      else {
        const l = operands.pop();
        operands.push(OPERATORS[op]!(l, r, ctx));
      }
    } else operands.push(evalTok(token, ctx, lenient));
  }
  return operands[0];
}

/** A Value (an expression and its filters), as Value.value evaluates it. */
function evalValue(value: Any, ctx: Context, lenient: boolean): unknown {
  const filters = value.filters as Any[];
  lenient = lenient || (ctx.opts.lenientIf && filters.length > 0 && filters[0].name === 'default');
  let val = evalExpression(value.initial, ctx, lenient);
  for (const filter of filters) {
    const argv: unknown[] = [];
    for (const arg of filter.args) argv.push(isArray(arg) ? [arg[0], evalTok(arg[1], ctx)] : evalTok(arg, ctx));
    val = drive(filter.handler.apply({ context: ctx, token: filter.token, liquid: filter.liquid }, [val, ...argv]));
  }
  return val;
}

const MODIFIERS = ['offset', 'limit', 'reversed'];

function renderFor(tag: Any, ctx: Context, emitter: Emitter): void {
  let collection = toEnumerable(evalTok(tag.collection, ctx));
  if (!collection.length) {
    renderTemplates(tag.elseTemplates, ctx, emitter);
    return;
  }
  const continueKey = `continue-${tag.variable}-${tag.collection.getText()}`;
  ctx.push(createScope({ continue: ctx.getRegister(continueKey, {}) }));
  const hash = drive(tag.hash.render(ctx)) as Record<string, Any>;
  ctx.pop();
  const modifiers = tag.liquid.options.orderedFilterParameters ? Object.keys(hash).filter((x) => MODIFIERS.includes(x)) : MODIFIERS.filter((x) => hash[x] !== undefined);
  collection = modifiers.reduce((c, modifier) => {
    if (modifier === 'offset') return c.slice(hash.offset);
    if (modifier === 'limit') return c.slice(0, hash.limit);
    return [...c].reverse();
  }, collection);
  ctx.setRegister(continueKey, (hash.offset || 0) + collection.length);
  const scope = createScope({ forloop: new ForloopDrop(collection.length, tag.collection.getText(), tag.variable) });
  ctx.push(scope);
  for (const item of collection) {
    scope[tag.variable] = item;
    ctx.continueCalled = ctx.breakCalled = false;
    renderTemplates(tag.templates, ctx, emitter);
    if (ctx.breakCalled) break;
    (scope.forloop as Any).next();
  }
  ctx.continueCalled = ctx.breakCalled = false;
  ctx.pop();
}

function renderOne(tpl: Any, ctx: Context, emitter: Emitter): void {
  if (tpl.constructor === HTML) {
    emitter.buffer += tpl.str;
  } else if (tpl instanceof Output) {
    emitter.write(drive(toValue(evalValue((tpl as Any).value, ctx, false))));
  } else if (tpl instanceof IfTag) {
    const tag = tpl as Any;
    for (const { value, templates } of tag.branches) {
      if (isTruthy(drive(toValue(evalValue(value, ctx, ctx.opts.lenientIf))), ctx)) return renderTemplates(templates, ctx, emitter);
    }
    renderTemplates(tag.elseTemplates || [], ctx, emitter);
  } else if (tpl instanceof UnlessTag) {
    const tag = tpl as Any;
    for (const { value, test, templates } of tag.branches) {
      if (test(drive(toValue(evalValue(value, ctx, ctx.opts.lenientIf))), ctx)) return renderTemplates(templates, ctx, emitter);
    }
    renderTemplates(tag.elseTemplates, ctx, emitter);
  } else if (tpl instanceof ForTag) {
    renderFor(tpl, ctx, emitter);
  } else if (tpl instanceof CaseTag) {
    const tag = tpl as Any;
    const target = drive(toValue(evalValue(tag.value, ctx, ctx.opts.lenientIf)));
    let branchHit = false;
    for (const branch of tag.branches) {
      for (const valueToken of branch.values) {
        if (equals(target, evalTok(valueToken, ctx, ctx.opts.lenientIf))) {
          renderTemplates(branch.templates, ctx, emitter);
          branchHit = true;
          break;
        }
      }
    }
    if (!branchHit) renderTemplates(tag.elseTemplates, ctx, emitter);
  } else if (tpl instanceof AssignTag) {
    const tag = tpl as Any;
    (ctx.bottom() as Any)[tag.key] = evalValue(tag.value, ctx, tag.liquid.options.lenientIf);
  } else if (tpl instanceof CaptureTag) {
    const tag = tpl as Any;
    const captured = new Emitter();
    renderTemplates(tag.templates, ctx, captured);
    (ctx.bottom() as Any)[tag.variable] = captured.buffer;
  } else if (tpl instanceof EchoTag) {
    const tag = tpl as Any;
    if (!tag.value) return;
    let val = drive(toValue(evalValue(tag.value, ctx, false)));
    const outputEscape = tag.liquid.options.outputEscape;
    if (outputEscape && !tag.value.filters[tag.value.filters.length - 1]?.raw) val = drive(outputEscape.call({ context: ctx, token: tag.token, liquid: tag.liquid }, val));
    emitter.write(val);
  } else if (tpl instanceof LiquidTag) {
    renderTemplates((tpl as Any).templates, ctx, emitter);
  } else if (tpl instanceof BreakTag) {
    ctx.breakCalled = true;
  } else if (tpl instanceof ContinueTag) {
    ctx.continueCalled = true;
  } else if (tpl instanceof CommentTag || tpl instanceof InlineCommentTag) {
    // nothing
  } else {
    // Any other tag: LiquidJS renders it, on this context and into this output.
    const html = drive(tpl.render(ctx, emitter));
    if (html) emitter.write(html);
  }
}

function renderTemplates(templates: Template[], ctx: Context, emitter: Emitter): void {
  // LiquidJS checks the time limit before every template; once per list (each loop pass is one) bounds it as well.
  ctx.renderLimit.check(performance.now());
  for (const tpl of templates) {
    try {
      renderOne(tpl, ctx, emitter);
      if (ctx.breakCalled || ctx.continueCalled) break;
    } catch (e) {
      throw LiquidError.is(e) ? e : new RenderError(e as Error, tpl);
    }
  }
}

/** What liquid.renderSync(templates, scope) returns, rendered without generators (see canRenderFast). */
export function renderFast(liquid: Liquid, templates: Template[], scope: object): string {
  const ctx = new Context(scope, liquid.options, { sync: true }, { liquid });
  const emitter = new Emitter();
  renderTemplates(templates, ctx, emitter);
  return emitter.buffer;
}
