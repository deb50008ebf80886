// The check every test's answers go through (test/support/response-contract.ts) must stay strict: an
// answer with a field the document does not name, or a status it does not list, is an error.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../scripts/api-types.js';
import { responseContract, type ResponseContract } from './support/response-contract.js';

const json = { 'content-type': 'application/json; charset=utf-8' };
const group = { id: '0b7e4c1a-5d2f-4a8e-9c3b-6f1d2e3a4b5c', name: 'Backoffice', description: null, position: 1 };

describe('the response contract', () => {
  let contract: ResponseContract;
  beforeAll(async () => {
    contract = responseContract((await buildOpenApiDocument()) as Parameters<typeof responseContract>[0]);
  });

  it('accepts an answer as documented', () => {
    expect(() => contract.check('GET', '/api/v1/component-groups', { status: 200, headers: json, body: { items: [group], nextCursor: null } })).not.toThrow();
  });

  it('refuses a field the document does not name, naming it', () => {
    expect(() => contract.check('GET', '/api/v1/component-groups', { status: 200, headers: json, body: { items: [{ ...group, secret: 'x' }], nextCursor: null } })).toThrow(/additional properties: secret/);
  });

  it('refuses a missing field and a value of the wrong type', () => {
    const { name: _name, ...nameless } = group;
    expect(() => contract.check('GET', '/api/v1/component-groups', { status: 200, headers: json, body: { items: [nameless], nextCursor: null } })).toThrow(/name/);
    expect(() => contract.check('GET', '/api/v1/component-groups', { status: 200, headers: json, body: { items: [{ ...group, position: '1' }], nextCursor: null } })).toThrow(/position/);
  });

  it('refuses a success status the route does not list, and holds an unlisted refusal to the problem+json shape', () => {
    expect(() => contract.check('GET', '/api/v1/component-groups', { status: 201, headers: json, body: { items: [] } })).toThrow(/does not list/);
    const problem = { type: 'urn:herald:problem:payload_too_large', title: 'payload too large', status: 413, detail: 'Too large', code: 'payload_too_large' };
    expect(() => contract.check('POST', '/api/v1/incidents', { status: 413, headers: { 'content-type': 'application/problem+json' }, body: problem })).not.toThrow();
    expect(() => contract.check('POST', '/api/v1/incidents', { status: 413, headers: { 'content-type': 'application/problem+json' }, body: { detail: 'Too large' } })).toThrow();
  });

  it('picks the most specific route: /maintenance/notice-schedules is not /maintenance/{id}', () => {
    expect(() => contract.check('GET', '/api/v1/maintenance/notice-schedules', { status: 200, headers: json, body: { items: [], nextCursor: null } })).not.toThrow();
  });
});
