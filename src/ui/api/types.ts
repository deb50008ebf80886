// What the console reads from /api/v1, named for the screens: aliases of the types generated from the
// server's OpenAPI document (schema.gen.ts, `npm run gen:api-types`), so the two cannot drift apart.
import type { components, paths } from './schema.gen';

type Schemas = components['schemas'];

export type Severity = Schemas['Severity'];
export type ComponentStatus = Schemas['ComponentStatus'];
export type TechState = Schemas['TechState'];
export type Stage = Schemas['Stage'];
export type MessageKind = Schemas['MessageKind'];
export type InstallRole = Schemas['InstallRole'];
export type ComponentImpact = Schemas['ComponentImpact'];
export type Disclosures = Schemas['Disclosures'];
export type IncidentClient = Schemas['IncidentClient'];

/** A page of a list: `nextCursor` is sent back as `cursor` for the next page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type User = Schemas['User'];
export type Session = Schemas['Session'];
/** A token; `token` (the secret) only in the answer that made it. */
export type ApiToken = Schemas['ApiToken'] & Partial<Pick<Schemas['NewApiToken'], 'token'>>;
export type Component = Schemas['Component'];
export type ComponentGroup = Schemas['ComponentGroup'];
export type Client = Schemas['Client'];
export type Contact = Schemas['Contact'];
/** What adding a contact sends. */
export type NewContact = NonNullable<paths['/api/v1/clients/{id}/contacts']['post']['requestBody']>['content']['application/json'];
export type SlaPolicyRow = Schemas['SlaPolicy'];

export type ObligationView = Schemas['ObligationView'];
/** Any obligation of an incident, open or closed (GET /incidents/:id/obligations). */
export type ObligationRecord = Schemas['ObligationRecord'];
/** The staff view of an incident (GET /incidents/:id as admin, member or viewer). */
export type Incident = Schemas['Incident'];
/** What a client user sees of an incident. */
export type ClientIncident = Schemas['ClientIncident'];
export type TimelineEvent = Schemas['TimelineEvent'];
/** An entry published to the public status page (GET /incidents/:id/public-updates). */
export type PublicUpdate = Schemas['PublicUpdate'];
export type PastOccurrence = Schemas['PastOccurrence'];

export type Recipient = Schemas['Recipient'];
export type Communication = Schemas['Communication'];
export type CommunicationStatus = Schemas['CommunicationStatus'];
export type RecipientTally = Schemas['RecipientTally'];
export type RecipientCounts = Schemas['RecipientCounts'];
export type PreviewRecipient = Schemas['PreviewRecipient'];
export type CommunicationPreview = Schemas['CommunicationPreview'];

export type TemplateKind = Schemas['TemplateKind'];
export type TemplateChannel = Schemas['TemplateChannel'];
export type TemplateOwnerRole = Schemas['TemplateOwnerRole'];
export type TemplateVersion = Schemas['TemplateVersion'];
export type Template = Schemas['Template'];
export type TemplateVariables = Schemas['TemplateVariables'];
export type RenderedTemplate = Schemas['RenderedTemplate'];
