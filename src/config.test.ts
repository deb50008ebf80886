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
});
