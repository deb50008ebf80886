-- Status pages: secret links to the per-client pages, subscribers of the pages and what is sent to
-- them, and a NOTIFY on every change a status page shows so each server drops its rendered copy.
CREATE TABLE "status_page_links" (
	"client_id" uuid PRIMARY KEY NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rotated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "status_subscribers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"client_id" uuid,
	"channel" text NOT NULL,
	"address" text NOT NULL,
	"secret" text,
	"component_ids" jsonb,
	"status" text NOT NULL,
	"confirm_token_hash" text,
	"unsubscribe_token" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"confirmed_at" timestamp with time zone,
	"unsubscribed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "status_subscriber_deliveries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"subscriber_id" uuid NOT NULL,
	"communication_id" uuid,
	"kind" text NOT NULL,
	"channel" text NOT NULL,
	"to_address" text NOT NULL,
	"subject" text NOT NULL,
	"text_body" text NOT NULL,
	"html_body" text,
	"payload" jsonb,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"provider_ref" text,
	"created_at" timestamp with time zone NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"dead_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "status_page_links" ADD CONSTRAINT "status_page_links_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_subscribers" ADD CONSTRAINT "status_subscribers_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_subscriber_deliveries" ADD CONSTRAINT "status_subscriber_deliveries_subscriber_id_status_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."status_subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "status_subscribers_page_address_key" ON "status_subscribers" USING btree (COALESCE("client_id"::text, ''),"channel",lower("address"));--> statement-breakpoint
CREATE UNIQUE INDEX "status_subscribers_unsubscribe_token_key" ON "status_subscribers" USING btree ("unsubscribe_token");--> statement-breakpoint
CREATE INDEX "status_subscribers_confirm_idx" ON "status_subscribers" USING btree ("confirm_token_hash");--> statement-breakpoint
CREATE INDEX "status_subscriber_deliveries_subscriber_idx" ON "status_subscriber_deliveries" USING btree ("subscriber_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "status_subscriber_deliveries_once_key" ON "status_subscriber_deliveries" USING btree ("subscriber_id","communication_id") WHERE communication_id IS NOT NULL;--> statement-breakpoint
-- Every change a status page shows is announced on herald_status once its transaction commits.
CREATE OR REPLACE FUNCTION herald_notify_status() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('herald_status', TG_TABLE_NAME);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER components_notify_status AFTER INSERT OR UPDATE OR DELETE ON "components" FOR EACH STATEMENT EXECUTE FUNCTION herald_notify_status();--> statement-breakpoint
CREATE TRIGGER component_groups_notify_status AFTER INSERT OR UPDATE OR DELETE ON "component_groups" FOR EACH STATEMENT EXECUTE FUNCTION herald_notify_status();--> statement-breakpoint
CREATE TRIGGER clients_notify_status AFTER INSERT OR UPDATE OR DELETE ON "clients" FOR EACH STATEMENT EXECUTE FUNCTION herald_notify_status();--> statement-breakpoint
CREATE TRIGGER client_components_notify_status AFTER INSERT OR UPDATE OR DELETE ON "client_components" FOR EACH STATEMENT EXECUTE FUNCTION herald_notify_status();--> statement-breakpoint
CREATE TRIGGER communications_notify_status AFTER INSERT OR UPDATE OR DELETE ON "communications" FOR EACH STATEMENT EXECUTE FUNCTION herald_notify_status();--> statement-breakpoint
CREATE TRIGGER status_page_links_notify_status AFTER INSERT OR UPDATE OR DELETE ON "status_page_links" FOR EACH STATEMENT EXECUTE FUNCTION herald_notify_status();--> statement-breakpoint
CREATE TRIGGER incident_components_notify_status AFTER INSERT OR UPDATE OR DELETE ON "incident_components" FOR EACH STATEMENT EXECUTE FUNCTION herald_notify_status();--> statement-breakpoint
-- Maintenance windows (when their tables exist) are shown on the pages too.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['maintenance_windows', 'maintenance_components', 'maintenance_clients'] LOOP
    IF to_regclass('public.' || t) IS NOT NULL THEN
      EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH STATEMENT EXECUTE FUNCTION herald_notify_status()', t || '_notify_status', t);
    END IF;
  END LOOP;
END;
$$;
