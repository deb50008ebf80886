// The sandboxed Liquid engines: one for HTML parts (every output escaped) and one for subject and text
// parts, neither able to read files or include other templates, both bounded in time and memory.
// Parsed templates are kept by their source text.
import { Liquid, type Template } from 'liquidjs';
import { canRenderFast, renderFast } from './fast-render.js';
import { registerHeraldFilters } from './filters.js';
import { LruMap } from './lru-map.js';
import { MAX_PART_CHARS } from './template-parts.js';

/**
 * At most this many parsed templates per engine (parts of at most MAX_PART_CHARS, typically 2–10 kB).
 * The cache is keyed by the source text alone, so it is right for every database a process opens: two
 * databases with the same template share its parse, and an edited template is a new key.
 */
const PARSED_ENTRIES = 500;

/** A sandboxed Liquid engine (HTML output escaped when isHtml). */
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

/** One sandboxed engine and the templates it has parsed. */
export class SandboxEngine {
  readonly liquid: Liquid;
  // The Map hashes the source string, and V8 keeps a string's hash with it: a repeat lookup for one
  // recipient after another costs about a microsecond, where a SHA-256 of a 7 kB part costs tens.
  readonly #parsed = new LruMap<string, Template[]>(PARSED_ENTRIES);

  readonly #render: (templates: Template[], context: object) => string;

  constructor(isHtml: boolean) {
    const liquid = (this.liquid = createLiquid(isHtml));
    this.#render = canRenderFast(liquid)
      ? (templates, context) => renderFast(liquid, templates, context)
      : (templates, context) => liquid.renderSync(templates, context) as string;
  }

  /** The parsed source (throws LiquidJS's ParseError or TokenizationError). */
  parse(source: string): Template[] {
    return this.#parsed.getOrSet(source, (s) => this.liquid.parse(s));
  }

  /**
   * Renders parsed templates without LiquidJS's generators when it can (fast-render.ts: the same
   * output, tested against LiquidJS on every shipped template and on random ones; liquidjs is pinned
   * because it uses LiquidJS's unexported classes), else with LiquidJS's public renderSync.
   * Why: a shipped e-mail renders in ~0.3 ms instead of ~1.3 ms. For a fan-out that is 1–2 % (a
   * message is rendered once per client and language), but the incident commands send their messages
   * to few clients each, and there rendering was the largest single cost: a V8 profile of
   * `BENCH_ONLY=postgres BENCH_RUNS=1 BENCH_CPU_PROF_DIR=… npm run bench:api` put LiquidJS at 1.66 s
   * of 16.8 s of server CPU without this renderer, against 0.71 s with it.
   */
  render(templates: Template[], context: object): string {
    return this.#render(templates, context);
  }

  /** Parses (cached) and renders one source. */
  renderSource(source: string, context: object): string {
    return this.render(this.parse(source), context);
  }
}

const engines = { html: new SandboxEngine(true), text: new SandboxEngine(false) };

/** The engine for a part: HTML escapes every output, the others (subject, text) do not. */
export const engineFor = (part: string): SandboxEngine => (part === 'html' ? engines.html : engines.text);
