// What the services keep of the database between commands, dropped when this process may have missed
// announcements of changes (the database's listening connection was lost and is back). Nothing here is
// wrong to keep (a remembered incident is written only under its row version; a cached credential is
// checked again within 10 s), but after an outage of unknown length everything is read afresh once.
import type { Db } from '../db/open.js';
import { forgetAllCredentials } from './auth/credentials.js';
import { memoryOf } from './handle-memory.js';

export function dropCachesAfterMissedNotifications(db: Db): void {
  memoryOf(db).incidents.clear();
  forgetAllCredentials();
}
