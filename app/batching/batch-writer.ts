import type { ObjectStore } from '../storage/object-store.js';
import { WritePool } from './write-pool.js';

// Objects go to the store in groups (one writeAll each), a few groups at once: the
// embedded store makes each folder and syncs each file in one pass per group instead of
// one round of syscalls per object, while parsing goes on. The byte budget, plus the
// group being filled, bounds the memory of a run.
const groupBytes = 4 * 1024 * 1024;
const groupObjects = 512;
const groupsInFlight = 4;
const bytesInFlight = 32 * 1024 * 1024;

/**
 * Writes a run's batch objects in the background. Every object is durable once `finish`
 * resolves, and `etag` then tells its store ETag; a failed write is rethrown by the next
 * `add` or by `finish`.
 */
export class BatchWriter {
  private readonly pool = new WritePool(groupsInFlight, bytesInFlight);
  private group: { key: string; body: Uint8Array }[] = [];
  private groupSize = 0;
  private readonly etags = new Map<string, string>();

  constructor(private readonly store: ObjectStore) {}

  /** Queues one object; waits only when the write budget is spent. */
  async add(key: string, body: Uint8Array): Promise<void> {
    this.group.push({ key, body });
    this.groupSize += body.byteLength;
    if (this.groupSize >= groupBytes || this.group.length >= groupObjects) await this.send();
  }

  /** Writes what is queued and waits until every object is durable; throws the first failure. */
  async finish(): Promise<void> {
    await this.send();
    await this.pool.drain();
  }

  /** The ETag the store gave `key` (once `finish` has resolved). */
  etag(key: string): string {
    const etag = this.etags.get(key);
    if (etag === undefined) throw new Error(`${key} was not written`);
    return etag;
  }

  /** Waits for the writes under way, whatever their outcome (before cleaning up after a failure). */
  async settle(): Promise<void> {
    await this.pool.settle();
  }

  private async send(): Promise<void> {
    if (this.group.length === 0) return;
    const objects = this.group;
    const bytes = this.groupSize;
    this.group = [];
    this.groupSize = 0;
    await this.pool.add(bytes, async () => {
      const etags = await this.store.writeAll(objects);
      objects.forEach(({ key }, i) => this.etags.set(key, etags[i]));
    });
  }
}
