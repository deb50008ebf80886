-- The root-cause analyses by incident: an initial notice links each past occurrence's RCA, and looking
-- for it through every message of each past incident read rows that were never an RCA.
CREATE INDEX "communications_rca_idx" ON "communications" USING btree ("incident_id", "created_at") WHERE "kind" = 'rca';
