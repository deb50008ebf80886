import { buildOpenApiDocument } from './api-types.js';
console.log(JSON.stringify(await buildOpenApiDocument(), null, 1));
