-- The version of the SLA policies as one number, raised by every statement that changes them. Incident
-- commands check that the policies they decided with are still current: reading this row costs much
-- less than hashing every policy row's version, as each command did. It is read under the same
-- snapshot rules as the policies themselves, so it changes exactly when they visibly do.
CREATE TABLE "sla_policies_version" (
  "id" boolean PRIMARY KEY DEFAULT true CHECK ("id"),
  "version" bigint NOT NULL
);
--> statement-breakpoint
INSERT INTO "sla_policies_version" ("id", "version") VALUES (true, 1);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION herald_raise_sla_policies_version() RETURNS trigger AS $$
BEGIN
  UPDATE sla_policies_version SET version = version + 1;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER sla_policies_version_raise AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "sla_policies"
  FOR EACH STATEMENT EXECUTE FUNCTION herald_raise_sla_policies_version();
