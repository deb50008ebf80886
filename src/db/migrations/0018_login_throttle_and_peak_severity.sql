-- Failed logins are counted in the database, so that every Herald process sharing it counts the same
-- (they were counted per process, by e-mail only). One row per account and address, per address, and
-- per account (src/services/auth/login-throttle.ts): `account_key` is '' on an address row and
-- `address` is '' on an account row. A row past `expires_at` counts as absent and is pruned.
-- `succeeded_at`: the last successful login from that address to that account (an address the
-- account's owner uses keeps working when the account's hourly cap is reached).
CREATE TABLE "login_throttle" (
	"account_key" text NOT NULL,
	"address" text NOT NULL,
	"failures" integer NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"blocked_until" timestamp with time zone,
	"succeeded_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "login_throttle_account_key_address_pk" PRIMARY KEY("account_key","address")
);
--> statement-breakpoint
CREATE INDEX "login_throttle_expires_idx" ON "login_throttle" USING btree ("expires_at");
--> statement-breakpoint
-- The highest severity an incident has had: whether a message needs a second person's approval is
-- decided by it, so lowering the severity, sending and raising it again does not skip the approval.
ALTER TABLE "incidents" ADD COLUMN "peak_severity" text;
--> statement-breakpoint
-- 'SEV1' is the highest and sorts first: min() is the highest severity, now or before any reclassification.
UPDATE "incidents" i SET "peak_severity" = (
	SELECT min(s) FROM (
		SELECT i."severity" AS s
		UNION ALL
		SELECT e."data"->'before'->>'severity' FROM "incident_events" e
		WHERE e."incident_id" = i."id" AND e."type" IN ('incident.classified', 'incident.reclassified')
	) x
) WHERE i."severity" IS NOT NULL;
