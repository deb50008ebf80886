// Builds the channel-neutral IncidentMessage the webhook, Slack and Teams channels render.
import type { IncidentMessage } from '../../src/channels/types.js';

export function buildIncidentMessage(overrides: Partial<IncidentMessage> = {}): IncidentMessage {
  return {
    messageId: 'msg_01J9Z6Q6M4',
    kind: 'update',
    createdAt: '2026-03-01T14:00:00.000Z',
    incident: {
      id: 'inc_7f3a',
      key: 'INC-42',
      title: 'Logins fail for some users',
      severity: 'SEV2',
      state: 'identified',
      url: 'https://status.example.com/acme/incidents/INC-42',
    },
    client: { id: 'cli_acme', name: 'ACME & Sons' },
    subject: '[Incident update] INC-42: Logins fail for some users',
    text: 'Dear Ada,\n\nWe found the cause: a failed certificate rotation. No data was lost.',
    components: [
      { name: 'Login', status: 'major_outage' },
      { name: 'API', status: 'degraded_performance' },
    ],
    disclosures: {
      impactSummary: 'Logins fail for about half of the users.',
      dataLoss: { level: 'none', details: null },
      dataExposure: { level: 'none', details: null, isPersonalData: false },
      expectedResolutionAt: '2026-03-01T18:00:00.000Z',
      nextUpdateAt: '2026-03-01T14:30:00.000Z',
      remediation: null,
    },
    nextUpdateAt: '2026-03-01T14:30:00.000Z',
    ...overrides,
  };
}
