-- A delivery being sent (to a client, or to a status-page subscriber) is leased to the worker sending
-- it: `claimed_until` (the database's clock) is set by the claim and renewed while the worker sends.
-- pg-boss runs a job again once a run outlives the job's expiry, while that first run goes on; a
-- delivery 'sending' under a live lease is not claimed by the second run, so it is not sent twice. A
-- lapsed lease (the worker died) lets another take it over. Rows 'sending' from before this column
-- (NULL) are claimable as before.
ALTER TABLE "communication_recipients" ADD COLUMN "claimed_until" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "status_subscriber_deliveries" ADD COLUMN "claimed_until" timestamp with time zone;
