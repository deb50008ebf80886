import { describe, expect, it } from 'vitest';
import { redactUrl } from './log-redaction.js';

describe('secrets in logged request URLs', () => {
  it.each([
    ['/report/Zk3x_secret-value', '/report/[redacted]'],
    ['/report/Zk3x?x=1', '/report/[redacted]?x=1'],
    ['/status/acme?key=abc123', '/status/acme?key=[redacted]'],
    ['/status-subscriptions/unsubscribe?token=t0k&x=1', '/status-subscriptions/unsubscribe?token=[redacted]&x=1'],
    ['/status/acme/maintenance.ics?a=1&key=k', '/status/acme/maintenance.ics?a=1&key=[redacted]'],
    ['/api/v1/incidents?state=open', '/api/v1/incidents?state=open'],
    ['/reports/weekly', '/reports/weekly'],
  ])('%s is logged as %s', (url, logged) => {
    expect(redactUrl(url)).toBe(logged);
  });
});
