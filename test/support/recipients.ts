// Reading a message's recipients the way the console does: page by page through
// GET /api/v1/communications/{id}/recipients (a message answers with counts, not with every copy).
import type { Caller } from './test-app.js';

export interface RecipientCopy {
  id: string;
  communicationId: string;
  clientId: string;
  contactId: string | null;
  to: string;
  toName: string;
  language: string;
  subject: string;
  text: string;
  html: string | null;
  channel: string;
  status: string;
  attempts: number;
  messageId: string;
}

/** Every recipient of the message the caller may see, following the cursor to the end. */
export async function recipientsOf(caller: Caller, communicationId: string, query: Record<string, string> = {}, pageSize = 200): Promise<RecipientCopy[]> {
  const out: RecipientCopy[] = [];
  let cursor: string | null = null;
  do {
    const qs = new URLSearchParams({ ...query, limit: String(pageSize), ...(cursor ? { cursor } : {}) });
    const res = await caller.get(`/api/v1/communications/${communicationId}/recipients?${qs}`);
    if (res.status !== 200) throw new Error(`recipients of ${communicationId}: ${res.status} ${JSON.stringify(res.body)}`);
    out.push(...(res.body.items as RecipientCopy[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return out;
}
