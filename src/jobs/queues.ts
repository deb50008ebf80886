// The names of Herald's job queues.
export const QUEUES = {
  /** First attempt of each delivery. */
  delivery: 'delivery',
  /** Later attempts, on their own queue so a failing endpoint cannot hold up first sends. */
  deliveryRetry: 'delivery-retry',
} as const;
