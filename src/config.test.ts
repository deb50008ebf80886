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
