// The console's API types are generated from the OpenAPI document; this fails when a response schema
// changed and `npm run gen:api-types` was not run, so the console never compiles against stale types.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, GENERATED_TYPES, renderApiTypes } from '../scripts/api-types.js';

describe('the console API types', () => {
  it('are what the OpenAPI document generates today (run `npm run gen:api-types` after changing a response)', async () => {
    const fresh = await renderApiTypes(await buildOpenApiDocument());
    const committed = await readFile(GENERATED_TYPES, 'utf8');
    expect(committed === fresh, 'src/ui/api/schema.gen.ts is out of date: run `npm run gen:api-types`').toBe(true);
  });

  it('name the answers of every /api/v1 operation: each documents a success body or an empty answer', async () => {
    const document = (await buildOpenApiDocument()) as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    const undocumented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => !Object.keys(op.responses ?? {}).some((status) => status.startsWith('2')))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    expect(undocumented).toEqual([]);
  });
});
