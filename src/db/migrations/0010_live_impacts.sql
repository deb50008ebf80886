-- Which impacts belong to a live incident (neither resolved nor closed). A component's status comes from
-- the live incidents on it; read through every incident that ever touched the component, that cost grew
-- with the history. The statement that changes an incident's state keeps its impacts' flag current; an
-- impact is written with a new incident (live) unless said otherwise.
ALTER TABLE "incident_components" ADD COLUMN "is_live" boolean DEFAULT true NOT NULL;
--> statement-breakpoint
UPDATE "incident_components" ic SET "is_live" = EXISTS (
  SELECT 1 FROM "incidents" i WHERE i."id" = ic."incident_id" AND i."tech_state" <> 'resolved' AND i."stage" IN ('reported', 'active', 'internal'));
--> statement-breakpoint
CREATE INDEX "incident_components_live_idx" ON "incident_components" USING btree ("component_id") WHERE "is_live";
