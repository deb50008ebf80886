// The console's API types come from the OpenAPI document: this builds the document (the app with no
// database behind it: building the routes reads none) and renders src/ui/api/schema.gen.ts from it.
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import type { Database } from '../src/db/open.js';
import { buildApp } from '../src/http/app.js';

export const GENERATED_TYPES = new URL('../src/ui/api/schema.gen.ts', import.meta.url);

/**
 * A database that answers nothing: building the routes reads none, so any use but listening for
 * changes (the status pages start to at ready, and the pages, streams and metrics ask to hear of
 * missed ones) is a mistake.
 */
const listening = { listen: async () => async () => {}, onNotificationsMissed: () => () => {} };
const noDatabase = new Proxy(listening as unknown as Database, {
  get: (target, name) => {
    if (name in listening) return target[name as keyof typeof listening];
    throw new Error(`The OpenAPI document is built without a database, but database.${String(name)} was used.`);
  },
});

export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const app = await buildApp({
    database: noDatabase,
    settings: { baseUrl: 'http://herald.invalid', pastOccurrenceMonths: 24, companyName: 'Herald', emailChannel: 'outbox', messageIdDomain: 'herald.invalid' },
    logLevel: 'silent',
    consoleDir: '/nonexistent',
  });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

const HEADER = `// Generated from /api/openapi.json by \`npm run gen:api-types\` (scripts/gen-api-types.ts); do not edit.
// A test (test/api-types.test.ts) fails when it is out of date.
`;

export async function renderApiTypes(document: Record<string, unknown>): Promise<string> {
  const ast = await openapiTS(document as unknown as OpenAPI3, { alphabetize: true });
  return HEADER + astToString(ast);
}
