-- Only a maintenance notice's copies have a notice: an incident message's copies (nearly all of them) no
-- longer write an empty entry into this index, one per recipient.
DROP INDEX IF EXISTS "communication_recipients_notice_idx";
--> statement-breakpoint
CREATE INDEX "communication_recipients_notice_idx" ON "communication_recipients" USING btree ("maintenance_notice_id") WHERE "maintenance_notice_id" IS NOT NULL;
