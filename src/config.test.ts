import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('lets webhook subscriptions and client endpoints into private networks only when HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS is true', () => {
    expect(loadConfig({}).allowsPrivateWebhookTargets).toBe(false);
    expect(loadConfig({ HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'false' }).allowsPrivateWebhookTargets).toBe(false);
    expect(loadConfig({ HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true' }).allowsPrivateWebhookTargets).toBe(true);
  });

  it('refuses any other value of HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS, naming the variable', () => {
    for (const value of ['yes', '1', 'TRUE']) {
      expect(() => loadConfig({ HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS: value })).toThrow(/HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS/);
    }
  });

  it('caps the sign-ups waiting for confirmation per status page at HERALD_STATUS_PENDING_SIGNUPS_MAX (default 500)', () => {
    expect(loadConfig({}).statusPendingSignupsMax).toBe(500);
    expect(loadConfig({ HERALD_STATUS_PENDING_SIGNUPS_MAX: '50' }).statusPendingSignupsMax).toBe(50);
    for (const value of ['0', 'many', '1.5']) expect(() => loadConfig({ HERALD_STATUS_PENDING_SIGNUPS_MAX: value })).toThrow(/HERALD_STATUS_PENDING_SIGNUPS_MAX/);
  });

  it('checks e-mail senders unless HERALD_INTAKE_VERIFY_SENDER is false, and refuses any other value', () => {
    expect(loadConfig({}).intake.verifiesSender).toBe(true);
    expect(loadConfig({ HERALD_INTAKE_VERIFY_SENDER: 'false' }).intake.verifiesSender).toBe(false);
    expect(() => loadConfig({ HERALD_INTAKE_VERIFY_SENDER: 'off' })).toThrow(/HERALD_INTAKE_VERIFY_SENDER/);
  });

  it('takes an authserv-id for HERALD_INTAKE_IMAP_TRUSTED_AUTHSERV_ID and refuses what cannot be one', () => {
    expect(loadConfig({}).intake.imapTrustedAuthservId).toBeNull();
    expect(loadConfig({ HERALD_INTAKE_IMAP_TRUSTED_AUTHSERV_ID: 'mx.example.com' }).intake.imapTrustedAuthservId).toBe('mx.example.com');
    for (const value of ['mx.example.com; spf=pass', 'two words', 'x'.repeat(256)]) {
      expect(() => loadConfig({ HERALD_INTAKE_IMAP_TRUSTED_AUTHSERV_ID: value })).toThrow(/HERALD_INTAKE_IMAP_TRUSTED_AUTHSERV_ID/);
    }
  });

  it('has server timeouts and hook limits by default, so a slow or flooding client is cut off without any setting', () => {
    const c = loadConfig({});
    expect(c.serverTimeouts).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, idleTimeoutMs: 120_000 });
    expect(c.intake.hookLimits).toEqual({ maxInFlight: 64, maxInFlightBytes: 64 * 1024 * 1024, maxInFlightPerIntegration: 16, failuresPerMinute: 20 });
    const set = loadConfig({ HERALD_SERVER_HEADERS_TIMEOUT_MS: '5000', HERALD_SERVER_REQUEST_TIMEOUT_MS: '30000', HERALD_HOOK_MAX_IN_FLIGHT_PER_INTEGRATION: '2' });
    expect(set.serverTimeouts.headersTimeoutMs).toBe(5000);
    expect(set.intake.hookLimits.maxInFlightPerIntegration).toBe(2);
  });

  it('refuses a headers timeout longer than the request timeout, and limits that are not positive, naming the variable', () => {
    expect(() => loadConfig({ HERALD_SERVER_HEADERS_TIMEOUT_MS: '70000' })).toThrow(/HERALD_SERVER_HEADERS_TIMEOUT_MS/);
    expect(() => loadConfig({ HERALD_HOOK_MAX_IN_FLIGHT: '0' })).toThrow(/HERALD_HOOK_MAX_IN_FLIGHT/);
    expect(() => loadConfig({ HERALD_HOOK_FAILURES_PER_MINUTE: 'many' })).toThrow(/HERALD_HOOK_FAILURES_PER_MINUTE/);
  });
});

describe('HERALD_TRUST_PROXY', () => {
  it('trusts no proxy by default, and takes true or a list of addresses and CIDR ranges for Fastify', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ HERALD_TRUST_PROXY: 'false' }).trustProxy).toBe(false);
    expect(loadConfig({ HERALD_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ HERALD_TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,::1,fd00::/8,loopback' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.7', '::1', 'fd00::/8', 'loopback']);
  });

  it('refuses anything else (a hop count too: Fastify would trust nothing for it), naming the variable', () => {
    for (const value of ['yes', '0', '2', '10.0.0.0/33', 'proxy.example', '10.0.0.1,', '::1/129', '1.2.3']) {
      expect(() => loadConfig({ HERALD_TRUST_PROXY: value }), value).toThrow(/HERALD_TRUST_PROXY/);
    }
  });
});
