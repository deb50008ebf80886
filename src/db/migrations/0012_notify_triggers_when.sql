-- The notification triggers on the tables an incident command writes are not called at all when the
-- command announces its change itself (herald.notify_by_app = 'on', migration 0009): a condition on the
-- trigger costs much less than calling its function only to return.
DROP TRIGGER IF EXISTS incidents_notify ON "incidents";
--> statement-breakpoint
CREATE TRIGGER incidents_notify AFTER INSERT OR UPDATE ON "incidents" FOR EACH ROW
  WHEN (current_setting('herald.notify_by_app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION herald_notify_incident();
--> statement-breakpoint
DROP TRIGGER IF EXISTS incident_components_notify_status ON "incident_components";
--> statement-breakpoint
CREATE TRIGGER incident_components_notify_status AFTER INSERT OR UPDATE OR DELETE ON "incident_components" FOR EACH STATEMENT
  WHEN (current_setting('herald.notify_by_app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION herald_notify_status();
--> statement-breakpoint
DROP TRIGGER IF EXISTS communications_notify_status ON "communications";
--> statement-breakpoint
CREATE TRIGGER communications_notify_status AFTER INSERT OR UPDATE OR DELETE ON "communications" FOR EACH STATEMENT
  WHEN (current_setting('herald.notify_by_app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION herald_notify_status();
--> statement-breakpoint
DROP TRIGGER IF EXISTS components_notify_status ON "components";
--> statement-breakpoint
CREATE TRIGGER components_notify_status AFTER INSERT OR UPDATE OR DELETE ON "components" FOR EACH STATEMENT
  WHEN (current_setting('herald.notify_by_app', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION herald_notify_status();
