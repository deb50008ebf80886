// The e-mail addresses of users, by id: staff alerts (SLA reminders and escalations) also go out by
// e-mail when an SMTP server is configured.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { rows } from '../sql-rows.js';

export interface UserAddress {
  id: string;
  name: string;
  email: string;
}

export async function userAddresses(db: Db, userIds: string[]): Promise<UserAddress[]> {
  return rows<UserAddress>(db, sql`SELECT id, name, email FROM users WHERE id::text IN (SELECT jsonb_array_elements_text(${JSON.stringify(userIds)}::jsonb))`);
}
