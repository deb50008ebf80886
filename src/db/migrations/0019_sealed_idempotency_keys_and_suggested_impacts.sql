-- Idempotency-Key records are now kept with the key as a hash and the answer sealed under a key derived
-- from it (src/services/requests/idempotency-keys.ts), and expire after 24 hours. The records kept
-- before held keys and answers (some with secrets) in clear: they are removed, not converted (their
-- keys are not known, so they cannot be sealed). The index serves the pruning of expired records.
DELETE FROM "idempotency_keys";
--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_at_idx" ON "idempotency_keys" USING btree ("created_at");
--> statement-breakpoint
-- A client user's report suggests impacts; it no longer sets the status of components other clients share
-- (src/services/incidents/report-incident.ts). The suggestion is kept here for staff.
ALTER TABLE "incidents" ADD COLUMN "suggested_impacts" jsonb DEFAULT '[]'::jsonb NOT NULL;
