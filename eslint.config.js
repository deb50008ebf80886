import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// The layers of DESIGN §3, checked on every import: "Dependencies point inward: http/jobs/cli →
// services → domain; services → db, templates, channels; services never import http/, jobs/ or cli/
// (queue names and job payload types live with the services that enqueue them); channels import no
// services; routes hold no SQL; domain imports nothing impure. Lint enforces these rules."
// Folders are matched anywhere in the path ('**/jobs/**'), so relative imports like
// '../../jobs/job-queue.js' are caught as well as any other spelling.
const folders = (...names) => names.map((name) => `**/${name}/**`);
const layer = (files, patterns) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns }] } });
const DESIGN = 'DESIGN §3:';

const notUpward = (from) => ({
  group: folders('http', 'jobs', 'cli'),
  message: `${DESIGN} ${from} never import http/, jobs/ or cli/ ("dependencies point inward: http/jobs/cli → services → domain"). Queue names and job payloads live with the services that enqueue them.`,
});
const noServices = (subject) => ({
  group: folders('services', 'http', 'jobs', 'cli'),
  message: `${DESIGN} ${subject} no services (nor http/, jobs/, cli/): services call them, never the other way round.`,
});

// domain/ "imports nothing impure" and "no imports from outside domain/": any relative import that
// climbs out of domain/ (as many '../' as the file is deep) and any package, node: modules included.
// Tests beside the domain may use their test runner.
const outOfDomain = (depth) => ({
  regex: `^(\\.\\./){${depth}}`,
  message: `${DESIGN} domain/ is pure TypeScript: no imports from outside domain/.`,
});
const domainPackages = { regex: '^[^.]', message: `${DESIGN} domain/ imports nothing impure: no packages or node: modules (I/O, database, clock); pass what it needs in.` };
const domainLayers = [1, 2, 3].flatMap((depth) => {
  const files = [`src/domain/${'*/'.repeat(depth - 1)}*.ts`];
  return [
    { ...layer(files, [outOfDomain(depth), domainPackages]), ignores: ['**/*.test.ts'] },
    layer(files.map((f) => f.replace(/\*\.ts$/, '*.test.ts')), [outOfDomain(depth)]),
  ];
});

// Routes hold no SQL: no query builder, no schema, no raw SQL, no driver, no SQL helper of the services.
// The one exception is the `Database` and `Db` *types* of db/open.js: routes are handed the database
// handle to give to service verbs (and the request runner opens the transaction a verb runs in), and
// a type carries no SQL. Any value import from db/ stays forbidden.
const routesHoldNoSql = [
  {
    group: ['drizzle-orm', 'drizzle-orm/*', 'pg', '@electric-sql/*', ...folders('db'), '!**/db/open.js', '**/services/sql-rows*'],
    message: `${DESIGN} routes hold no SQL: put the query in a service function (src/services/<area>/) and call it.`,
  },
  {
    group: ['**/db/open.js'],
    allowTypeImports: true,
    message: `${DESIGN} routes hold no SQL: only the Database/Db types of db/open.js, to hand the database to service verbs.`,
  },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'coverage/', 'test-artifacts/', 'src/db/migrations/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly', Blob: 'readonly', performance: 'readonly', URLSearchParams: 'readonly', FormData: 'readonly', document: 'readonly', location: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  ...domainLayers,
  layer(['src/services/**/*.ts'], [notUpward('services/')]),
  layer(['src/channels/**/*.ts'], [noServices('channels/ import')]),
  layer(['src/db/**/*.ts'], [noServices('db/ imports')]),
  layer(['src/templates/**/*.ts'], [noServices('templates/ import')]),
  layer(['src/jobs/**/*.ts', 'src/cli/**/*.ts'], [{ group: folders('http'), message: `${DESIGN} jobs/ and cli/ call services, never http/ (routes are one edge, jobs and the CLI others).` }]),
  layer(['src/http/**/*.ts'], routesHoldNoSql),
  {
    files: ['test/**/*.ts', '**/*.test.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
