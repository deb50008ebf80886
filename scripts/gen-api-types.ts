// Writes src/ui/api/schema.gen.ts from the API's OpenAPI document: `npm run gen:api-types`.
import { writeFile } from 'node:fs/promises';
import { buildOpenApiDocument, GENERATED_TYPES, renderApiTypes } from './api-types.js';

await writeFile(GENERATED_TYPES, await renderApiTypes(await buildOpenApiDocument()));
console.log(`wrote ${GENERATED_TYPES.pathname}`);
