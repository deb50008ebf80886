// What a database handle remembers for incident commands: the incidents this process last loaded or
// wrote, with their row versions, and the SLA policies with theirs. Kept per handle (handle-memory.ts),
// never shared between the databases a process opens.
import type { SlaPolicy } from '../../domain/types.js';
import type { IncidentRecord } from './incident-store.js';

/** An incident as last loaded or written, with the version (xmin) its row had then. */
export interface RememberedIncident {
  record: IncidentRecord;
  version: string;
}

/** The SLA policies as last loaded, with the version of their rows (migration 0014). */
export interface RememberedPolicies {
  version: string;
  policies: SlaPolicy[];
}

/**
 * A command on a remembered incident decides on this copy and writes with the version check (and the
 * policies' version check), so another process's change, or a write that rolled back, makes the write
 * fail and the command loads and decides again. Every write to an incident's impacts, clients or
 * obligations changes its incident row too (the save, and the writers that set updated_at), so the row
 * version covers them. By id only: keys (INC-42) say nothing of which row a copy was.
 */
export class IncidentMemory {
  private readonly incidents = new Map<string, RememberedIncident>();
  /** Read with every command and changed rarely: a load sends their version and gets the rows only when they changed. */
  policies: RememberedPolicies | null = null;

  constructor(private readonly maxIncidents = 2_000) {}

  remember(record: IncidentRecord, version: string): void {
    this.incidents.delete(record.id);
    this.incidents.set(record.id, { record, version });
    // The least recently remembered goes first (a Map keeps insertion order).
    if (this.incidents.size > this.maxIncidents) this.incidents.delete(this.incidents.keys().next().value!);
  }

  forget(id: string): void {
    this.incidents.delete(id);
  }

  /** Forgets every incident and the SLA policies: the next command on each loads it afresh. */
  clear(): void {
    this.incidents.clear();
    this.policies = null;
  }

  /** The remembered copy of an incident, with the SLA policies as last loaded; null when there is none. */
  recall(idOrKey: string): (RememberedIncident & { policies: SlaPolicy[]; policiesVersion: string }) | null {
    const found = this.incidents.get(idOrKey.toLowerCase());
    if (!found || !this.policies) return null;
    return { ...found, policies: this.policies.policies, policiesVersion: this.policies.version };
  }
}
