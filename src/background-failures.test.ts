import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { backgroundFailureReporter, inBackground } from './background-failures.js';

/** A real pino logger (Fastify's) writing JSON lines into an array. */
function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = Fastify({ logger: { level: 'info', stream } });
  return { log: app.log, lines };
}

describe('background failures', () => {
  it('logs a failed background task with its name and error, and counts it by task in the metrics', async () => {
    const { log, lines } = capturedLog();
    const registry = new Registry();
    const report = backgroundFailureReporter(log, registry);

    await inBackground(report, 'maintenance-clock', async () => {
      throw new Error('the database went away');
    });
    await inBackground(report, 'maintenance-clock', async () => {
      throw new Error('still away');
    });
    await inBackground(report, 'obligation-watch', async () => 'fine');

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 50, task: 'maintenance-clock', err: { message: 'the database went away' } });
    const metrics = await registry.metrics();
    expect(metrics).toContain('herald_background_failures_total{task="maintenance-clock"} 2');
    expect(metrics).not.toContain('task="obligation-watch"');
  });

  it('never rejects: a timer that runs it leaves no unhandled rejection behind', async () => {
    const { log } = capturedLog();
    const report = backgroundFailureReporter(log, new Registry());
    await expect(inBackground(report, 'status-page-render', () => Promise.reject(new Error('boom')))).resolves.toBeUndefined();
  });
});
