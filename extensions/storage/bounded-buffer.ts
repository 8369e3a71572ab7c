/**
 * Items waiting for the next store write, at most `capacity` of them: when
 * full, new items are dropped and counted (the store is behind or failing;
 * keeping the oldest keeps the buffer's order a prefix of what happened).
 */
export class BoundedBuffer<T> {
  private items: T[] = [];
  private droppedCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) throw new RangeError(`capacity must be a whole number >= 0, got ${capacity}`);
  }

  /** False when the item was dropped. */
  push(item: T): boolean {
    if (this.items.length >= this.capacity) {
      this.droppedCount++;
      return false;
    }
    this.items.push(item);
    return true;
  }

  /** Takes every item, oldest first, and empties the buffer. */
  drain(): T[] {
    const items = this.items;
    this.items = [];
    return items;
  }

  /** Puts items taken by `drain` back in front (a write failed), as many as fit; the rest are counted as dropped. */
  restore(items: readonly T[]): void {
    const room = Math.max(0, this.capacity - this.items.length);
    const kept = items.slice(0, room);
    this.droppedCount += items.length - kept.length;
    this.items = [...kept, ...this.items].slice(0, this.capacity);
  }

  get size(): number {
    return this.items.length;
  }

  /** Items dropped since creation. */
  get dropped(): number {
    return this.droppedCount;
  }
}
