// Bounds how many calls of one kind run at once. Anonymous sign-ups go through one, so that a burst of
// them cannot hold every pooled database connection (staff commands and deliveries share the pool)
// nor fill the event loop with transactions in flight: at most `concurrency` run, up to `waiting`
// more wait their turn in order, and any further one is refused at once (the route answers 429 with
// Retry-After). Measured with `npm run bench:abuse` (docs/security.md).
export class ConcurrencyGate {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    readonly concurrency: number,
    readonly waiting: number,
  ) {}

  /** Runs `fn` once a place is free; null, without running it, when the queue is full. */
  run<T>(fn: () => Promise<T>): Promise<T> | null {
    if (this.running >= this.concurrency && this.queue.length >= this.waiting) return null;
    return this.enter().then(async () => {
      try {
        return await fn();
      } finally {
        this.leave();
      }
    });
  }

  private async enter(): Promise<void> {
    // A place freed by a caller that leaves goes to the first in the queue (leave() keeps it counted).
    if (this.running < this.concurrency) this.running++;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  private leave(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running--;
  }
}
