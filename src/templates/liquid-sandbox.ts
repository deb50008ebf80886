// The sandboxed Liquid engines: one for HTML parts (every output escaped) and one for subject and text
// parts, neither able to read files or include other templates, both bounded in time and memory.
// Parsed templates are kept by their source text.
import { Liquid, type Template } from 'liquidjs';
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

  constructor(isHtml: boolean) {
    this.liquid = createLiquid(isHtml);
  }

  /** The parsed source (throws LiquidJS's ParseError or TokenizationError). */
  parse(source: string): Template[] {
    return this.#parsed.getOrSet(source, (s) => this.liquid.parse(s));
  }

  /**
   * Renders with LiquidJS's public renderSync. A renderer of our own on LiquidJS's unexported classes
   * (fast-render.ts, removed) rendered a shipped e-mail in ~0.3 ms instead of ~1.3 ms, but a message is
   * rendered once per client and language: 200 times for the 10,000 recipients of bench/fanout.ts
   * (100 clients × English and German). It saved ~0.2 s of CPU in a fan-out of ~16 s (~21 s of server
   * CPU), 1–2 %, where 10 % would have paid for code that breaks on a LiquidJS upgrade. Re-measure:
   * `BENCH_ONLY=postgres npm run bench:fanout` (server CPU seconds; with BENCH_CPU_PROF_DIR, rendering
   * was 1.7 % of the server's profile).
   */
  render(templates: Template[], context: object): string {
    return this.liquid.renderSync(templates, context) as string;
  }

  /** Parses (cached) and renders one source. */
  renderSource(source: string, context: object): string {
    return this.render(this.parse(source), context);
  }
}

const engines = { html: new SandboxEngine(true), text: new SandboxEngine(false) };

/** The engine for a part: HTML escapes every output, the others (subject, text) do not. */
export const engineFor = (part: string): SandboxEngine => (part === 'html' ? engines.html : engines.text);
