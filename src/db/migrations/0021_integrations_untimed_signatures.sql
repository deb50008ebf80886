-- A Grafana signature without a timestamp can be replayed for ever: it is refused unless the
-- integration allows it (accepts_untimed_signatures, off for new integrations). Signed Grafana
-- integrations that exist already were accepting such signatures, and their Grafana may not be set up
-- to send the timestamp header: they keep doing so, so no alert is refused by the upgrade. An admin
-- turns it off (PATCH /api/v1/integrations/{id} {"acceptsUntimedSignatures": false}) once Grafana
-- sends X-Grafana-Alerting-Signature-Timestamp.
ALTER TABLE "integrations" ADD COLUMN "accepts_untimed_signatures" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
UPDATE "integrations" SET "accepts_untimed_signatures" = true WHERE "kind" = 'grafana' AND "hmac_secret" IS NOT NULL;
