/**
 * The last `capacity` events, oldest first: a fixed ring, so a burst of
 * events (a bad deploy touching every operation) cannot grow memory.
 */
export class RecentEvents<T> {
  private readonly ring: (T | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be an integer >= 1, got ${capacity}`);
    this.ring = new Array<T | undefined>(capacity).fill(undefined);
  }

  push(event: T): void {
    this.ring[this.next] = event;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** A copy, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) out.push(this.ring[(start + i) % this.capacity] as T);
    return out;
  }
}
