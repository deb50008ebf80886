-- The next update promised to each client by the last message it was sent: the update obligation's
-- deadline and the "promise kept" record follow it, not the draft disclosures. Existing incidents take
-- the promise of the last message each client received.
ALTER TABLE "incident_clients" ADD COLUMN "promised_next_update_at" timestamp with time zone;
--> statement-breakpoint
UPDATE "incident_clients" ic SET "promised_next_update_at" = (
	SELECT c."promised_next_update_at" FROM "communications" c
	WHERE c."incident_id" = ic."incident_id" AND c."status" = 'sent' AND c."client_ids" ? ic."client_id"::text
	ORDER BY c."sent_at" DESC NULLS LAST, c."created_at" DESC
	LIMIT 1
);
