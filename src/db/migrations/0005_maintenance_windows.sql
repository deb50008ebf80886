-- Planned (and emergency) changes: maintenance windows, the components and clients they touch, an
-- append-only timeline, the advance-notice schedule per client tier, and the notices sent for them.
CREATE SEQUENCE "maintenance_number_seq" START WITH 1;
--> statement-breakpoint
CREATE TABLE "maintenance_windows" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"key" text DEFAULT ('MNT-' || nextval('maintenance_number_seq')::text) NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"kind" text NOT NULL,
	"justification" text,
	"incident_id" uuid,
	"is_internal" boolean DEFAULT false NOT NULL,
	"state" text DEFAULT 'scheduled' NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"sequence" integer DEFAULT 0 NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"cancel_reason" text,
	CONSTRAINT "maintenance_windows_key_unique" UNIQUE("key"),
	CONSTRAINT "maintenance_windows_kind_check" CHECK ("kind" IN ('planned', 'emergency')),
	CONSTRAINT "maintenance_windows_state_check" CHECK ("state" IN ('scheduled', 'in_progress', 'completed', 'cancelled')),
	CONSTRAINT "maintenance_windows_times_check" CHECK ("ends_at" > "starts_at"),
	CONSTRAINT "maintenance_windows_justification_check" CHECK ("kind" = 'planned' OR length(trim(coalesce("justification", ''))) > 0)
);
--> statement-breakpoint
CREATE TABLE "maintenance_components" (
	"window_id" uuid NOT NULL,
	"component_id" uuid NOT NULL,
	"prior_status" text,
	CONSTRAINT "maintenance_components_window_id_component_id_pk" PRIMARY KEY("window_id","component_id")
);
--> statement-breakpoint
CREATE TABLE "maintenance_clients" (
	"window_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"source" text DEFAULT 'derived' NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "maintenance_clients_window_id_client_id_pk" PRIMARY KEY("window_id","client_id")
);
--> statement-breakpoint
CREATE TABLE "maintenance_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"window_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_id" uuid,
	"actor_label" text NOT NULL,
	"type" text NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "maintenance_notice_schedules" (
	"tier" text PRIMARY KEY NOT NULL,
	"advance_minutes" jsonb NOT NULL,
	"at_start" boolean DEFAULT true NOT NULL,
	"at_completion" boolean DEFAULT true NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "maintenance_notices" (
	"id" uuid PRIMARY KEY NOT NULL,
	"window_id" uuid NOT NULL,
	"client_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"sequence" integer NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"subject" text NOT NULL,
	"recipient_count" integer DEFAULT 0 NOT NULL,
	"template_versions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
INSERT INTO "maintenance_notice_schedules" ("tier", "advance_minutes", "at_start", "at_completion") VALUES
  ('*', '[10080, 1440]'::jsonb, true, true)
ON CONFLICT DO NOTHING;
--> statement-breakpoint
ALTER TABLE "communication_recipients" ALTER COLUMN "communication_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "communication_recipients" ALTER COLUMN "incident_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "communication_recipients" ADD COLUMN "maintenance_notice_id" uuid;--> statement-breakpoint
ALTER TABLE "communication_recipients" ADD CONSTRAINT "communication_recipients_source_check" CHECK (("communication_id" IS NOT NULL AND "incident_id" IS NOT NULL) OR "maintenance_notice_id" IS NOT NULL);--> statement-breakpoint
ALTER TABLE "component_status_history" ADD COLUMN "maintenance_window_id" uuid;--> statement-breakpoint
ALTER TABLE "maintenance_windows" ADD CONSTRAINT "maintenance_windows_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_windows" ADD CONSTRAINT "maintenance_windows_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_components" ADD CONSTRAINT "maintenance_components_window_id_maintenance_windows_id_fk" FOREIGN KEY ("window_id") REFERENCES "public"."maintenance_windows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_components" ADD CONSTRAINT "maintenance_components_component_id_components_id_fk" FOREIGN KEY ("component_id") REFERENCES "public"."components"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_clients" ADD CONSTRAINT "maintenance_clients_window_id_maintenance_windows_id_fk" FOREIGN KEY ("window_id") REFERENCES "public"."maintenance_windows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_clients" ADD CONSTRAINT "maintenance_clients_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_events" ADD CONSTRAINT "maintenance_events_window_id_maintenance_windows_id_fk" FOREIGN KEY ("window_id") REFERENCES "public"."maintenance_windows"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_notices" ADD CONSTRAINT "maintenance_notices_window_id_maintenance_windows_id_fk" FOREIGN KEY ("window_id") REFERENCES "public"."maintenance_windows"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "maintenance_notices" ADD CONSTRAINT "maintenance_notices_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "communication_recipients" ADD CONSTRAINT "communication_recipients_maintenance_notice_id_maintenance_notices_id_fk" FOREIGN KEY ("maintenance_notice_id") REFERENCES "public"."maintenance_notices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "maintenance_windows_time_idx" ON "maintenance_windows" USING btree ("starts_at","ends_at");--> statement-breakpoint
CREATE INDEX "maintenance_windows_open_idx" ON "maintenance_windows" USING btree ("state","starts_at") WHERE state IN ('scheduled', 'in_progress');--> statement-breakpoint
CREATE INDEX "maintenance_components_component_idx" ON "maintenance_components" USING btree ("component_id");--> statement-breakpoint
CREATE INDEX "maintenance_clients_client_idx" ON "maintenance_clients" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "maintenance_events_window_idx" ON "maintenance_events" USING btree ("window_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "maintenance_notices_dedupe_key" ON "maintenance_notices" USING btree ("window_id","client_id","dedupe_key");--> statement-breakpoint
CREATE INDEX "communication_recipients_notice_idx" ON "communication_recipients" USING btree ("maintenance_notice_id");--> statement-breakpoint
-- The maintenance timeline is append-only, like the incident timeline.
CREATE OR REPLACE FUNCTION herald_refuse_maintenance_event_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'maintenance_events is append-only';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER maintenance_events_append_only BEFORE UPDATE OR DELETE ON "maintenance_events"
  FOR EACH ROW EXECUTE FUNCTION herald_refuse_maintenance_event_change();
--> statement-breakpoint
-- Every change to a window is announced on the channel herald_maintenance once its transaction commits.
CREATE OR REPLACE FUNCTION herald_notify_maintenance() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('herald_maintenance', json_build_object('id', NEW.id, 'key', NEW.key)::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER maintenance_windows_notify AFTER INSERT OR UPDATE ON "maintenance_windows"
  FOR EACH ROW EXECUTE FUNCTION herald_notify_maintenance();
