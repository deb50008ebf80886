-- The public status page shows only what staff published to it, never a text written for one client
-- (issue 15): each published entry is its own row (a public title and a Markdown body), the incident
-- keeps whether it is published and under which title, and a subscriber's notice of a published entry
-- is delivered once, like a notice of a client message.
ALTER TABLE "incidents" ADD COLUMN "public_title" text;
--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "published_at" timestamp with time zone;
--> statement-breakpoint
CREATE INDEX "incidents_published_idx" ON "incidents" USING btree ("published_at") WHERE published_at IS NOT NULL;
--> statement-breakpoint
CREATE TABLE "public_updates" (
	"id" uuid PRIMARY KEY NOT NULL,
	"incident_id" uuid NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"state" text NOT NULL,
	"actor_id" uuid,
	"actor_label" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"withdrawn_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "public_updates" ADD CONSTRAINT "public_updates_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX "public_updates_incident_idx" ON "public_updates" USING btree ("incident_id","at");
--> statement-breakpoint
ALTER TABLE "status_subscriber_deliveries" ADD COLUMN "public_update_id" uuid;
--> statement-breakpoint
ALTER TABLE "status_subscriber_deliveries" ADD CONSTRAINT "status_subscriber_deliveries_public_update_id_public_updates_id_fk" FOREIGN KEY ("public_update_id") REFERENCES "public"."public_updates"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "status_subscriber_deliveries_public_once_key" ON "status_subscriber_deliveries" USING btree ("subscriber_id","public_update_id") WHERE public_update_id IS NOT NULL;
