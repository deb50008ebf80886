// Checks answers against what /api/openapi.json documents for them: the route's status codes and the
// body schema of each. The server writes answers without parsing them (src/http/response-schemas/
// openapi-setup.ts), so this is where an answer that drifted from its documentation is caught.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

interface DocumentedOperation {
  method: string;
  path: string;
  pattern: RegExp;
  /** Literal path segments: the most specific template wins (/maintenance/notice-schedules over /maintenance/{id}). */
  literalSegments: number;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

export interface ResponseContract {
  /** Throws, naming route, status and the mismatches, when an /api/v1 answer is not what the document says. */
  check(method: string, url: string, res: { status: number; headers: Record<string, unknown>; body: unknown }): void;
}

const DOC_ID = 'herald-openapi.json';
const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

export function responseContract(document: { paths: Record<string, Record<string, { responses?: DocumentedOperation['responses'] }>> }): ResponseContract {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(document, DOC_ID);
  const validators = new Map<string, ValidateFunction>();
  const validator = (ref: string) => {
    let v = validators.get(ref);
    if (!v) validators.set(ref, (v = ajv.compile({ $ref: `${DOC_ID}#/${ref}` })));
    return v;
  };

  const operations: DocumentedOperation[] = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`),
      literalSegments: path.split('/').filter((s) => s && !s.startsWith('{')).length,
      responses: op.responses ?? {},
    })),
  );

  return {
    check(method, url, res) {
      const path = url.split('?')[0]!;
      if (!path.startsWith('/api/v1/')) return;
      const op = operations.filter((o) => o.method === method.toUpperCase() && o.pattern.test(path)).sort((a, b) => b.literalSegments - a.literalSegments)[0];
      // An unknown route answers 404 or 405 before any route runs; there is no document to hold it to.
      if (!op) return;
      const where = `${op.method} ${op.path} answered ${res.status}`;
      const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
      const documented = op.responses[String(res.status)];
      if (!documented) {
        // A refusal the route does not list (413, 415, 5xx) must still be a problem+json body.
        if (res.status >= 400 && type === 'application/problem+json') return assertValid(where, validator(pointer('components', 'schemas', 'Problem')), res.body);
        throw new Error(`${where}, a status its OpenAPI document does not list (${Object.keys(op.responses).join(', ')})`);
      }
      if (!documented.content || res.status === 204) return;
      if (!(type in documented.content)) throw new Error(`${where} with ${type || 'no content type'}; the document lists ${Object.keys(documented.content).join(', ')}`);
      if (!type.endsWith('json')) return;
      assertValid(where, validator(pointer('paths', op.path, op.method.toLowerCase(), 'responses', String(res.status), 'content', type, 'schema')), res.body);
    },
  };
}

function assertValid(where: string, validate: ValidateFunction, body: unknown) {
  if (validate(body)) return;
  const problems = (validate.errors ?? []).slice(0, 8).map((e) => `  ${e.instancePath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`);
  throw new Error(`${where} with a body its OpenAPI document does not describe:\n${problems.join('\n')}\nbody: ${JSON.stringify(body).slice(0, 600)}`);
}
