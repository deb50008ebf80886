// Whether a client's users may see an incident (the live-update stream asks for every change it
// passes on): the same rule the incident reads apply, as one small query.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { rows } from '../sql-rows.js';
import { visibleToClient } from './incident-store.js';

export async function isIncidentVisibleToClient(db: Db, incidentId: string, clientId: string): Promise<boolean> {
  const found = await rows(db, sql`SELECT 1 FROM incidents i WHERE i.id = ${incidentId} AND ${visibleToClient(clientId)}`);
  return found.length > 0;
}
