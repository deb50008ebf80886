// A bad environment variable stops `herald serve` before it opens anything, with a message naming it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveEnv, spawnHerald } from './support/server-process.js';

describe('start-up configuration', () => {
  const root = mkdtempSync(join(tmpdir(), 'herald-config-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('stops on a bad HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS, naming the variable', async () => {
    const proc = spawnHerald(['serve'], serveEnv({ dataDir: join(root, 'data'), extra: { HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'yes' } }));
    const exit = await proc.exited;
    expect(exit.code, proc.output()).toBe(2);
    expect(proc.output()).toMatch(/HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS/);
    expect(proc.output()).not.toMatch(/listening/i);
  });
});
