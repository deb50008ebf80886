CREATE TABLE "integrations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"slug" text NOT NULL,
	"token_hash" text NOT NULL,
	"hmac_secret" text,
	"group_key_path" text,
	"rules" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"default_severity" text DEFAULT 'SEV3' NOT NULL,
	"default_action" text DEFAULT 'open' NOT NULL,
	"default_component_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"is_enabled" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "integrations_slug_unique" UNIQUE("slug"),
	CONSTRAINT "integrations_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "alert_payloads" (
	"id" uuid PRIMARY KEY NOT NULL,
	"integration_id" uuid NOT NULL REFERENCES "integrations"("id") ON DELETE CASCADE,
	"received_at" timestamp with time zone NOT NULL,
	"alert_count" integer NOT NULL,
	"body_gzip" bytea NOT NULL,
	"processed_at" timestamp with time zone,
	"outcome" jsonb
);
--> statement-breakpoint
CREATE INDEX "alert_payloads_unprocessed_idx" ON "alert_payloads" ("received_at") WHERE "processed_at" IS NULL;
--> statement-breakpoint
-- The body is gzipped by Herald already; compressing it again would only cost time.
ALTER TABLE "alert_payloads" ALTER COLUMN "body_gzip" SET STORAGE EXTERNAL;
--> statement-breakpoint
CREATE TABLE "triage_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"client_id" uuid REFERENCES "clients"("id") ON DELETE CASCADE,
	"sender" text,
	"reason" text NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"incident_id" uuid REFERENCES "incidents"("id"),
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "triage_items_status_idx" ON "triage_items" ("status", "created_at", "id");
--> statement-breakpoint
CREATE TABLE "alert_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"integration_id" uuid NOT NULL REFERENCES "integrations"("id") ON DELETE CASCADE,
	"group_key" text NOT NULL,
	"incident_id" uuid REFERENCES "incidents"("id"),
	"triage_item_id" uuid REFERENCES "triage_items"("id"),
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"truncated_alerts" integer DEFAULT 0 NOT NULL,
	"last_status" text,
	"resolve_suggested_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "alert_groups_integration_key_unique" UNIQUE("integration_id", "group_key")
);
--> statement-breakpoint
CREATE INDEX "alert_groups_incident_idx" ON "alert_groups" ("incident_id");
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"integration_id" uuid NOT NULL REFERENCES "integrations"("id") ON DELETE CASCADE,
	"group_id" uuid NOT NULL REFERENCES "alert_groups"("id") ON DELETE CASCADE,
	"fingerprint" text NOT NULL,
	"status" text NOT NULL,
	"name" text NOT NULL,
	"labels" jsonb NOT NULL,
	"annotations" jsonb NOT NULL,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"url" text,
	"receive_count" integer DEFAULT 1 NOT NULL,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	CONSTRAINT "alerts_integration_fingerprint_unique" UNIQUE("integration_id", "fingerprint")
);
--> statement-breakpoint
CREATE INDEX "alerts_group_idx" ON "alerts" ("group_id", "status");
--> statement-breakpoint
CREATE TABLE "inbound_emails" (
	"message_id" text PRIMARY KEY NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"sender" text NOT NULL,
	"outcome" text NOT NULL,
	"incident_id" uuid REFERENCES "incidents"("id"),
	"triage_item_id" uuid REFERENCES "triage_items"("id")
);
--> statement-breakpoint
CREATE TABLE "intake_attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid REFERENCES "incidents"("id"),
	"triage_item_id" uuid REFERENCES "triage_items"("id") ON DELETE CASCADE,
	"filename" text NOT NULL,
	"content_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"content" bytea NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "intake_attachments_incident_idx" ON "intake_attachments" ("incident_id");
--> statement-breakpoint
CREATE TABLE "client_report_links" (
	"client_id" uuid PRIMARY KEY NOT NULL REFERENCES "clients"("id") ON DELETE CASCADE,
	"secret_hash" text NOT NULL,
	"form_key" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "client_report_links_secret_hash_unique" UNIQUE("secret_hash")
);
