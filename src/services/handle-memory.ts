// What this process remembers of one database, kept with that database's handle: a process may open
// several databases (tests, the CLI), and what it read from one says nothing of another. A transaction
// reaches the memory of the database it belongs to (see handleOf).
import { handleOf, type Db } from '../db/open.js';
import { IncidentMemory } from './incidents/incident-memory.js';

export interface HandleMemory {
  /** Incidents and SLA policies as last loaded or written by a command (see IncidentMemory). */
  incidents: IncidentMemory;
  /** Parts of template versions already read, by message kind then "id:version" (a saved version never changes). */
  templateParts: Map<string, Map<string, Record<string, string>>>;
}

const memories = new WeakMap<Db, HandleMemory>();

export function memoryOf(tx: Db): HandleMemory {
  const handle = handleOf(tx);
  let memory = memories.get(handle);
  if (!memory) memories.set(handle, (memory = { incidents: new IncidentMemory(), templateParts: new Map() }));
  return memory;
}
