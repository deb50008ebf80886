// What a job on the delivery queues carries: the deliveries it attempts. A message's first sends go a
// few deliveries per job (fewer job rows to write, fetch and complete than one job per delivery); a
// retry is a job of its own, for the one delivery it retries.

/** Deliveries in one first-send job. */
export const DELIVERIES_PER_JOB = 20;

export interface DeliveryJobData {
  deliveryIds?: string[];
  /** One delivery: a retry, a maintenance notice, or a job written before jobs carried several. */
  deliveryId?: string;
}

/** The deliveries of a batch of jobs, in order, each once. */
export function deliveryIdsOf(jobs: { data: DeliveryJobData }[]): string[] {
  const ids = jobs.flatMap((j) => [...(j.data.deliveryIds ?? []), ...(j.data.deliveryId ? [j.data.deliveryId] : [])]);
  return [...new Set(ids)];
}
