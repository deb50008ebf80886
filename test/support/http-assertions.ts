// Assertions on API answers that the HTTP tests share: a status (failing with the body shown), an
// RFC 9457 refusal naming its code or field, and waiting for what background jobs do.
import { expect } from 'vitest';
import type { Response } from './test-app.js';

/** An answer: from app.inject (test-app.ts) or over real HTTP (server-process.ts). */
type Answer<T> = Pick<Response<T>, 'status' | 'body'>;

/** The answer has `status`; a mismatch shows the body (the reason a request was refused). */
export async function expectStatus<T = any, R extends Answer<T> = Response<T>>(pending: Promise<R>, status: number): Promise<R> {
  const res = await pending;
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res;
}

/** The body of an answer with `status` (200 unless told). */
export async function expectBody<T = any>(pending: Promise<Answer<T>>, status = 200): Promise<T> {
  return (await expectStatus(pending, status)).body;
}

export interface ExpectedProblem {
  status: number;
  /** The problem's code (e.g. 'missing_disclosures'); any code when absent. */
  code?: string;
  /** A field the problem names, as `field` or among `errors` (a path such as body.startsAt counts). */
  field?: string;
}

export interface ProblemBody {
  status: number;
  code: string;
  detail: string;
  missing?: string[];
  field?: string;
  errors?: { field: string; message: string }[];
  issues?: { part: string; line: number | null; message: string }[];
}

/** A refusal: `status` as application/problem+json with its code, its type URN and a detail for people. */
export async function expectProblem(pending: Promise<Response>, expected: ExpectedProblem): Promise<ProblemBody> {
  const res = await expectStatus(pending, expected.status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const code = expected.code ?? expect.any(String);
  expect(res.body).toMatchObject({ status: expected.status, code, detail: expect.any(String) });
  expect(res.body.type).toBe(`urn:herald:problem:${res.body.code}`);
  if (expected.field) {
    const named = [res.body.field, ...((res.body.errors as { field: string }[] | undefined) ?? []).map((e) => e.field)].filter((f): f is string => typeof f === 'string');
    expect(
      named.some((f) => f === expected.field || f.split('.').includes(expected.field!)),
      `a problem naming ${expected.field}: ${JSON.stringify(res.body)}`,
    ).toBe(true);
  }
  return res.body as ProblemBody;
}

/** Polls `probe` until it returns something truthy; fails naming `what` (and the last value seen) after timeoutMs. */
export async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await probe();
    if (last) return last as T;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
