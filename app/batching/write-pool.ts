/**
 * Runs store writes concurrently within a count and a byte budget, so parsing the next
 * batch overlaps writing the last ones while memory stays bounded (one write is always
 * allowed, however big). A failed write is rethrown by the next `add` or by `drain`;
 * rejections are always observed, so none goes unhandled.
 */
export class WritePool {
  private readonly running = new Set<Promise<void>>();
  private bytesInFlight = 0;
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly maxWrites: number,
    private readonly maxBytes: number,
  ) {}

  /** Waits until `bytes` more fit the budget, then starts `task`. */
  async add(bytes: number, task: () => Promise<unknown>): Promise<void> {
    while (this.running.size >= this.maxWrites || (this.running.size > 0 && this.bytesInFlight + bytes > this.maxBytes)) {
      await Promise.race(this.running);
    }
    this.throwIfFailed();
    this.bytesInFlight += bytes;
    const running: Promise<void> = task()
      .then(() => undefined)
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => {
        this.bytesInFlight -= bytes;
        this.running.delete(running);
      });
    this.running.add(running);
  }

  /** Waits for every write; throws the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    this.throwIfFailed();
  }

  /** Waits for every write, whatever their outcome (before cleaning up after a failure). */
  async settle(): Promise<void> {
    await Promise.all(this.running);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
