-- The SLA policies' version (migration 0014) is taken from a sequence instead of counted up by one.
-- A process keeps the policies it last loaded under their version number and sends that number with
-- each command, getting the rows back only when the number changed. Counted up, a change that rolled
-- back gave its number back, and the next committed change took the same number with other contents:
-- a process that had loaded the policies inside the rolled-back transaction then decided with policies
-- that never existed. A sequence never hands out a number twice, whether the transaction commits or not.
CREATE SEQUENCE "sla_policies_version_seq";
--> statement-breakpoint
SELECT setval('sla_policies_version_seq', (SELECT "version" FROM "sla_policies_version"));
--> statement-breakpoint
CREATE OR REPLACE FUNCTION herald_raise_sla_policies_version() RETURNS trigger AS $$
BEGIN
  UPDATE sla_policies_version SET version = nextval('sla_policies_version_seq');
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
