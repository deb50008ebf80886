-- Every change to an incident is announced on the channel herald_incident once its transaction
-- commits, so consoles (server-sent events) and other server processes learn of it at once.
CREATE OR REPLACE FUNCTION herald_notify_incident() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('herald_incident', json_build_object('id', NEW.id, 'key', 'INC-' || NEW.number)::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER incidents_notify AFTER INSERT OR UPDATE ON "incidents"
  FOR EACH ROW EXECUTE FUNCTION herald_notify_incident();
