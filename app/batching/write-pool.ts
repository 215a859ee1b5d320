/**
 * Runs at most `limit` store writes at once, so parsing the next batch overlaps writing
 * the last one while memory stays bounded. A failed write is rethrown by the next `add`
 * or by `drain`; rejections are always observed, so none goes unhandled.
 */
export class WritePool {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly limit: number) {}

  /** Waits for a free slot, then starts `task`. */
  async add(task: () => Promise<unknown>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.throwIfFailed();
    const running: Promise<void> = task()
      .then(() => undefined)
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(running));
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
