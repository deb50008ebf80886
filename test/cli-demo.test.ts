// The `herald demo` command as a newcomer runs it (`npm run herald -- demo`): on a fresh embedded
// database it loads the catalog, clients and past incidents, and the server then shows them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTokenOverHttp, serveEnv, spawnHerald, startHerald } from './support/server-process.js';

const ADMIN = { adminEmail: 'demo-admin@example.com', adminPassword: 'demo admin password 1' };

describe('herald demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-demo-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('loads a catalog, clients and two past incidents (one with its notices and RCA) that the server then serves', async () => {
    const demo = spawnHerald(['demo'], serveEnv({ dataDir, ...ADMIN }));
    const exit = await demo.exited;
    expect(exit.code, demo.output()).toBe(0);
    expect(demo.output()).toContain('Demo loaded');

    const server = await startHerald({ dataDir, ...ADMIN });
    try {
      const token = await createTokenOverHttp(server.url, ADMIN.adminEmail, ADMIN.adminPassword);
      const get = async (path: string) => {
        const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status, path).toBe(200);
        return (await res.json()) as { items: Record<string, unknown>[] };
      };
      expect((await get('/api/v1/components')).items).toHaveLength(5);
      expect((await get('/api/v1/clients')).items.map((c) => c.slug).sort()).toEqual(['acme', 'globex', 'initech']);
      const incidents = (await get('/api/v1/incidents')).items;
      expect(incidents).toHaveLength(2);
      expect(incidents.every((i) => i.stage === 'closed')).toBe(true);
      const affected = incidents.find((i) => i.title === 'Public API returning errors')!;
      const sent = (await get(`/api/v1/incidents/${affected.id as string}/communications`)).items;
      expect(sent.map((c) => c.kind)).toEqual(['initial', 'resolution', 'rca']);
    } finally {
      await server.stop('SIGTERM');
    }
  });

  it.skipIf(process.platform !== 'linux')('runs the server with glibc told to give freed large blocks back, in the process it was started as, unless told a value', async () => {
    const environOf = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    // The process restarts itself in place: the pid it was started with runs with the setting.
    const server = await startHerald({ dataDir, ...ADMIN });
    try {
      expect(environOf(server.pid)).toContain('MALLOC_MMAP_THRESHOLD_=4194304');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.stop('SIGTERM');
    }
    const chosen = await startHerald({ dataDir, ...ADMIN, extra: { MALLOC_MMAP_THRESHOLD_: '1048576' } });
    try {
      expect(environOf(chosen.pid)).toContain('MALLOC_MMAP_THRESHOLD_=1048576');
    } finally {
      await chosen.stop('SIGTERM');
    }
  });
});
