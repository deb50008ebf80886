// The `herald demo` command as a newcomer runs it (`npm run herald -- demo`): on a fresh embedded
// database it loads the five-minute tour, prints what to open, and the server then shows every part of
// it: the active incident on the public page and its clients' pages, the feeds, the calendar, triage.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFeed } from '@rowanmanning/feed-parser';
import ICAL from 'ical.js';
import { afterAll, describe, expect, it } from 'vitest';
import { createTokenOverHttp, serveEnv, spawnHerald, startHerald } from './support/server-process.js';

const ADMIN = { adminEmail: 'demo-admin@example.com', adminPassword: 'demo admin password 1' };

describe('herald demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'herald-demo-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('loads the tour that the server then serves: active incident on the public and client pages, feeds, calendar, triage, past occurrence with its RCA', async () => {
    const demo = spawnHerald(['demo'], serveEnv({ dataDir, ...ADMIN }));
    const exit = await demo.exited;
    const printed = demo.output();
    expect(exit.code, printed).toBe(0);
    expect(printed).toContain(`log in as ${ADMIN.adminEmail}`);
    const secretLink = /(https?:\/\/\S+)(\/status\/acme\?key=\S+)/.exec(printed);
    expect(secretLink, printed).not.toBeNull();
    const baseUrl = secretLink![1]!;
    for (const path of ['/status\n', '/status.atom', '/maintenance.ics']) expect(printed).toContain(`${baseUrl}${path}`);

    const again = spawnHerald(['demo'], serveEnv({ dataDir, ...ADMIN }));
    expect((await again.exited).code).toBe(2);
    expect(again.output()).toContain('already has clients, so the demo was not loaded');

    const server = await startHerald({ dataDir, ...ADMIN });
    try {
      const token = await createTokenOverHttp(server.url, ADMIN.adminEmail, ADMIN.adminPassword);
      const fetchOk = async (path: string, authorized = true) => {
        const res = await fetch(`${server.url}${path}`, authorized ? { headers: { authorization: `Bearer ${token}` } } : {});
        expect(res.status, path).toBe(200);
        return res.text();
      };
      const get = async (path: string) => JSON.parse(await fetchOk(path)) as { items: Record<string, unknown>[] };
      expect((await get('/api/v1/components')).items).toHaveLength(5);
      expect((await get('/api/v1/clients')).items.map((c) => c.slug).sort()).toEqual(['acme', 'globex', 'initech']);
      const incidents = (await get('/api/v1/incidents')).items;
      expect(incidents.map((i) => i.stage).sort()).toEqual(['active', 'closed', 'closed']);
      const active = incidents.find((i) => i.stage !== 'closed')!;
      const closed = incidents.find((i) => i.title === 'Public API returning errors')!;
      expect((await get(`/api/v1/incidents/${closed.id as string}/communications`)).items.map((c) => c.kind)).toEqual(['initial', 'resolution', 'rca']);

      // The active incident on the public page (no login), as published to it, and on the page of a
      // client it affects, as sent to that client.
      const publicPage = await fetchOk('/status', false);
      expect(publicPage).toContain(active.title as string);
      expect(publicPage).toContain('We found the cause, maintenance work on the database, and are stopping it.');
      expect(publicPage).not.toContain('We are investigating slow responses from the public API.');
      expect((await get(`/api/v1/incidents/${active.id as string}/public-updates`)).items).toHaveLength(2);
      expect(await fetchOk(secretLink![2]!, false)).toContain(active.title as string);

      // The closed incident, with the RCA its clients received, listed in the active one's initial notice.
      const sent = (await get(`/api/v1/incidents/${active.id as string}/communications`)).items;
      const initial = sent.find((c) => c.kind === 'initial')!;
      const past = Object.values(initial.pastOccurrences as Record<string, { key: string; rcaUrl: string | null }[]>).flat();
      const rcaId = (await get(`/api/v1/incidents/${closed.id as string}/communications`)).items.find((c) => c.kind === 'rca')!.id as string;
      expect(past.length).toBeGreaterThan(0);
      expect(past.every((p) => p.key === closed.key && p.rcaUrl?.endsWith(`/api/v1/communications/${rcaId}`))).toBe(true);

      const feed = parseFeed(await fetchOk('/status.atom', false));
      expect(feed.items.some((item) => item.title?.includes(active.key as string))).toBe(true);

      const calendar = new ICAL.Component(ICAL.parse(await fetchOk('/maintenance.ics', false)));
      const events = calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
      expect(events.length).toBeGreaterThan(0);
      expect(events.some((e) => e.startDate.toJSDate().getTime() > Date.now())).toBe(true);

      const triage = (await get('/api/v1/triage?status=open')).items;
      expect(triage.map((t) => [t.kind, t.title])).toContainEqual(['alert_group', expect.stringContaining('Invoice run slower than usual')]);
    } finally {
      await server.stop('SIGTERM');
    }
    // Three processes, each opening the embedded database: minutes on a busy machine.
  }, 300_000);

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
