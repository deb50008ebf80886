// What the API answers about users, tokens, components, clients, contacts, endpoints and SLA policies.
import { z } from 'zod';
import { ComponentStatus, ContactRole, id, InstallRole, isoTime, MessageKind, Severity } from './common.js';

export const User = z
  .object({ id, email: z.string(), name: z.string(), role: InstallRole, clientId: id.nullable(), isDisabled: z.boolean(), hasPassword: z.boolean(), createdAt: isoTime })
  .meta({ id: 'User' });

export const Session = z.object({ user: User, via: z.enum(['session', 'token']), csrfToken: z.string().nullable() }).meta({ id: 'Session' });
export const LoginResult = z.object({ user: User, csrfToken: z.string(), expiresAt: isoTime }).meta({ id: 'LoginResult' });
export const SetupResult = z.object({ user: User, csrfToken: z.string() }).meta({ id: 'SetupResult' });

export const ApiToken = z
  .object({ id, userId: id, name: z.string(), createdAt: isoTime, expiresAt: isoTime.nullable(), revokedAt: isoTime.nullable() })
  .meta({ id: 'ApiToken' });
/** A token as created: the secret is in this answer only (null in a replay, with a note saying so). */
export const NewApiToken = ApiToken.extend({ token: z.string().nullable(), note: z.string().optional() }).meta({ id: 'NewApiToken' });

export const Component = z
  .object({ id, name: z.string(), description: z.string().nullable(), groupId: id.nullable(), status: ComponentStatus, position: z.number().int(), updatedAt: isoTime })
  .meta({ id: 'Component' });
export const ComponentGroup = z.object({ id, name: z.string(), description: z.string().nullable(), position: z.number().int() }).meta({ id: 'ComponentGroup' });

export const Client = z.object({ id, name: z.string(), slug: z.string(), tier: z.string(), componentIds: z.array(id), createdAt: isoTime }).meta({ id: 'Client' });

export const Contact = z
  .object({
    id,
    clientId: id,
    name: z.string(),
    email: z.string(),
    language: z.string(),
    role: ContactRole,
    channels: z.array(z.string()),
    kinds: z.array(MessageKind).nullable().describe('Message kinds this contact receives; null: every kind'),
  })
  .meta({ id: 'Contact' });

export const SlaPolicy = z
  .object({
    id,
    tier: z.string(),
    severity: Severity,
    initialNoticeMinutes: z.number().int(),
    updateEveryMinutes: z.number().int().nullable(),
    resolutionNoticeMinutes: z.number().int(),
    rcaBusinessDays: z.number().int().nullable(),
    requiresApproval: z.boolean().describe('Four-eyes: messages of this severity wait for a second person’s approval'),
    ownerId: id.nullable(),
    updatedAt: isoTime,
  })
  .meta({ id: 'SlaPolicy' });

export const Endpoint = z
  .object({
    id,
    clientId: id,
    kind: z.enum(['webhook', 'slack', 'teams']),
    name: z.string(),
    url: z.string().describe('In full for admins; masked for everyone else (`https://hooks.slack.com/…/****abcd`): the URL is itself a credential'),
    secret: z.string().nullable().describe('In full only in the answer that made or rotated it; otherwise masked (`whsec_****`)'),
    isEnabled: z.boolean(),
    disabledReason: z.string().nullable(),
    createdAt: isoTime,
  })
  .meta({ id: 'Endpoint' });

export const StatusLink = z
  .object({ clientId: id, pageUrl: z.string(), url: z.string().nullable().optional().describe('The secret link: only in the answer that made it'), hasSecretLink: z.boolean(), rotatedAt: isoTime.nullable() })
  .meta({ id: 'StatusLink' });
