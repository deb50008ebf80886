// The names of Herald's job queues.
export const QUEUES = {
  /** First attempt of each delivery. */
  delivery: 'delivery',
  /** Later attempts, on their own queue so a failing endpoint cannot hold up first sends. */
  deliveryRetry: 'delivery-retry',
  /** Wake-ups of the maintenance clock at the times that matter (notices, starts, ends). */
  maintenanceClock: 'maintenance-clock',
  /** Monitoring payloads accepted by a hook, processed (de-duplicated, grouped) in the background. */
  intakeAlerts: 'intake-alerts',
  /** Messages to status-page subscribers (confirmations and incident updates). */
  statusSubscriber: 'status-subscriber',
} as const;
