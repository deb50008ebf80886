import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('lets public webhook subscriptions into private networks only when HERALD_ALLOW_PRIVATE_WEBHOOK_TARGETS is true', () => {
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
