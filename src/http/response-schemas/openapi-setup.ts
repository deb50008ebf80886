// How response schemas are used: they document the answers in /api/openapi.json, and answers are
// written with plain JSON.stringify rather than parsed through zod (see plainJsonSerializer).
import type { FastifySerializerCompiler } from 'fastify';
import { jsonSchemaTransformObject } from 'fastify-type-provider-zod';

/**
 * fastify-type-provider-zod's serializerCompiler runs `safeEncode(schema, data)` on every answer: it
 * walks the whole object, copies it without the keys the schema does not name (silently dropping a
 * field a schema forgot) and only then stringifies. Measured with `npx tsx bench/response-encode.ts`
 * (2-core machine under load): one staff incident takes ~45 µs more through zod than with
 * JSON.stringify alone (~90 µs against ~47-68 µs, about 1.8×); at ~1,400 incident commands/s that
 * is ~6 % of a core spent re-checking what the code just built. So answers are stringified as they
 * are; every answer the tests see is checked against the documented schemas instead
 * (test/support/response-contract.ts), and the presenters are typed from the schemas.
 */
export const plainJsonSerializer: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);

type TransformObject = typeof jsonSchemaTransformObject;

/**
 * The named components of the document: those of the answers. The provider also writes an `…Input`
 * copy of every named schema for request bodies; no request refers to them (request schemas are not
 * named), so the unused copies are left out rather than doubling every type the console gets.
 */
export const componentsTransform: TransformObject = (documentObject) => {
  const document = jsonSchemaTransformObject(documentObject) as ReturnType<TransformObject> & { components?: { schemas?: Record<string, unknown> } };
  const schemas = document.components?.schemas ?? {};
  const refsIn = (value: unknown) => [...JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
  const used = new Set(refsIn({ ...document, components: { ...document.components, schemas: {} } }));
  for (const name of Object.keys(schemas)) if (!name.endsWith('Input')) used.add(name);
  // A kept schema may refer to another: keep what it refers to as well.
  const pending = [...used];
  while (pending.length) {
    for (const ref of refsIn(schemas[pending.pop()!])) {
      if (used.has(ref)) continue;
      used.add(ref);
      pending.push(ref);
    }
  }
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...document, components: { ...document.components, schemas: kept } } as unknown as ReturnType<TransformObject>;
};
