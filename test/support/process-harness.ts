// For tests that run `herald serve` as processes: after each test, whether it passed or not, every
// process it started is killed and what it set up is removed (newest first).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll } from 'vitest';
import { assertBuilt, type HeraldProcess } from './server-process.js';
import { unpackPgliteDataDir } from './test-database.js';

export interface ProcessHarness {
  /** Kills `child` (SIGKILL) after the test. */
  track<T extends HeraldProcess>(child: T): T;
  /** Runs `fn` after the test, once its processes are gone. */
  cleanup(fn: () => Promise<void> | void): void;
  /** A temporary directory, removed after the test. */
  tempDir(prefix: string): string;
  /** A PGlite data directory of its own (in a temporary directory), migrated: the one the global setup prepared. */
  pgliteDataDir(prefix: string): string;
}

/** Registers the file's hooks: dist/ must be built, and each test's processes and files go after it. */
export function useProcessHarness(): ProcessHarness {
  const children: HeraldProcess[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(assertBuilt);
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop('SIGKILL')));
    for (const fn of cleanups.splice(0).reverse()) await fn();
  });
  const tempDir = (prefix: string) => {
    const root = mkdtempSync(join(tmpdir(), prefix));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    return root;
  };
  return {
    track: (child) => {
      children.push(child);
      return child;
    },
    cleanup: (fn) => void cleanups.push(fn),
    tempDir,
    pgliteDataDir: (prefix) => unpackPgliteDataDir(join(tempDir(prefix), 'data')),
  };
}
