-- Each client's incidents newest first: the past occurrences an initial notice lists (the 25 most recent
-- of the last 12 months on the same components) are read from the front of this index instead of from
-- every incident the client ever had. An incident's report time never changes, so it is copied here.
ALTER TABLE "incident_clients" ADD COLUMN "incident_reported_at" timestamp with time zone;
--> statement-breakpoint
UPDATE "incident_clients" ic SET "incident_reported_at" = i."reported_at" FROM "incidents" i WHERE i."id" = ic."incident_id";
--> statement-breakpoint
ALTER TABLE "incident_clients" ALTER COLUMN "incident_reported_at" SET NOT NULL;
--> statement-breakpoint
CREATE INDEX "incident_clients_client_reported_idx" ON "incident_clients" USING btree ("client_id", "incident_reported_at" DESC);
--> statement-breakpoint
DROP INDEX "incident_clients_client_idx";
