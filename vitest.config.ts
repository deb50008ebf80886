// Three tiers, run together by `npm test` and alone with `vitest run --project <name>`:
//   unit         src/**/*.test.ts beside the code: pure, no database and no build (dist/) needed;
//   integration  test/**: real PGlite and PostgreSQL, SMTP, HTTP; the few files that start
//                `herald serve` as a process need dist/ (test/support/server-process.ts says so);
//   e2e          test/e2e: the built console in headless Chromium, needs dist/.
// Only the tiers with databases run the global setup that prepares them.
import { defineConfig } from 'vitest/config';

const databases = ['test/support/global-setup.ts'];

export default defineConfig({
  test: {
    pool: 'forks',
    // The machine's cores are shared; more workers only make the database tests wait on each other.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: ['test/e2e/**'], globalSetup: databases } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: databases } },
    ],
  },
});
