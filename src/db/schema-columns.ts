// Column builders every area's tables share, so a uuid key or a timestamp means the same everywhere.
import { timestamp, uuid } from 'drizzle-orm/pg-core';

/** A uuid primary key the database fills in (gen_random_uuid()). */
export const id = () => uuid('id').primaryKey().defaultRandom();
/** timestamptz, read as a Date. */
export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
export const createdAt = () => ts('created_at').notNull().defaultNow();
