-- A sign-up for an e-mail address that already follows a page no longer changes what it follows: the
-- requested components wait here until the link mailed to the address is used (its hash is kept in
-- confirm_token_hash, like a new sign-up's). The two partial indexes count the sign-ups and changes
-- of a page that wait for confirmation (the cap on pending sign-ups per page).
ALTER TABLE "status_subscribers" ADD COLUMN "change_component_ids" jsonb;
--> statement-breakpoint
ALTER TABLE "status_subscribers" ADD COLUMN "change_requested_at" timestamp with time zone;
--> statement-breakpoint
CREATE INDEX "status_subscribers_pending_idx" ON "status_subscribers" USING btree ("client_id", "created_at") WHERE "status" = 'pending';
--> statement-breakpoint
CREATE INDEX "status_subscribers_change_idx" ON "status_subscribers" USING btree ("client_id", "change_requested_at") WHERE "change_requested_at" IS NOT NULL;
