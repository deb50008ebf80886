-- A NOTIFY makes its transaction take one lock for the whole database at commit and hold it until the
-- commit is on disk: every transaction that notifies waits for the one before it to be written. Herald's
-- own incident commands mark their transaction (set_config('herald.notify_by_app', 'on', true)) and
-- announce the change themselves once it has committed, in batches, on a connection that does not wait
-- for the disk (a lost announcement only means a cache kept a little longer). Every other change (other
-- programs, administration, jobs) is still announced here.
CREATE OR REPLACE FUNCTION herald_notify_incident() RETURNS trigger AS $$
BEGIN
  IF current_setting('herald.notify_by_app', true) = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('herald_incident', json_build_object('id', NEW.id, 'key', 'INC-' || NEW.number)::text);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION herald_notify_status() RETURNS trigger AS $$
BEGIN
  IF current_setting('herald.notify_by_app', true) = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM pg_notify('herald_status', TG_TABLE_NAME);
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
