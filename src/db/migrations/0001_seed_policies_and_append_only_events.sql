-- The published default SLA policies, for every tier without policies of its own ('*').
INSERT INTO "sla_policies" ("tier", "severity", "initial_notice_minutes", "update_every_minutes", "resolution_notice_minutes", "rca_business_days") VALUES
  ('*', 'SEV1', 15, 30, 60, 5),
  ('*', 'SEV2', 30, 60, 120, 5),
  ('*', 'SEV3', 60, 120, 240, 10),
  ('*', 'SEV4', 240, NULL, 480, NULL)
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- The timeline is append-only: the database itself refuses to change or remove an event.
CREATE OR REPLACE FUNCTION herald_refuse_event_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'incident_events is append-only';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER incident_events_append_only BEFORE UPDATE OR DELETE ON "incident_events"
  FOR EACH ROW EXECUTE FUNCTION herald_refuse_event_change();
