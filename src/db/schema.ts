// The database schema in TypeScript, one file per area; import tables from here. The SQL migrations in
// ./migrations are written by hand to match it (docs/migrations.md); test/schema-matches-migrations.test.ts
// checks that they agree.
export * from './schema-catalog.js';
export * from './schema-users.js';
export * from './schema-incidents.js';
export * from './schema-communications.js';
export * from './schema-maintenance.js';
export * from './schema-status-pages.js';
export * from './schema-intake.js';
