import type { UniformRandom } from '../stats/mann-whitney/seeded-random';
import { LatencyReservoir } from './latency-reservoir';

/**
 * The recent latencies of one operation under one version: two reservoirs
 * (LatencyReservoir), each a uniform sample of one generation of
 * `generationMs` of that version's traffic. When a span arrives and the
 * active generation is older than `generationMs`, it becomes the older one
 * and a fresh generation begins; a gap of two generations or more forgets
 * both. So the samples always cover between one and two generations of the
 * version's most recent traffic, the same trade bucketed windows make.
 *
 * Rotation is lazy, on arrival: a version that stops receiving spans (the
 * old version after a rolling deploy) keeps the last stretch it served,
 * which is exactly the control a comparison needs.
 *
 * The two generations are sampled independently, so a quiet generation is
 * over-represented next to a busy one (each contributes up to
 * `generationCapacity` values). For a steady version that changes nothing;
 * it is the price of forgetting old traffic in O(1).
 *
 * Memory: at most 2 × generationCapacity × 4 bytes of samples plus about
 * 200 bytes of objects.
 */
export class VersionSamples {
  private active: LatencyReservoir;
  private older: LatencyReservoir;
  private generationStartMs: number;

  constructor(
    generationCapacity: number,
    private readonly generationMs: number,
    nowMs: number,
  ) {
    this.active = new LatencyReservoir(generationCapacity);
    this.older = new LatencyReservoir(generationCapacity);
    this.generationStartMs = nowMs;
  }

  /** Values held across both generations. */
  get size(): number {
    return this.active.size + this.older.size;
  }

  /** Bytes of sample storage allocated across both generations. */
  get allocatedBytes(): number {
    return this.active.allocatedBytes + this.older.allocatedBytes;
  }

  add(durationMs: number, nowMs: number, random: UniformRandom): void {
    if (nowMs - this.generationStartMs >= this.generationMs) this.rotate(nowMs);
    this.active.add(durationMs, random);
  }

  /** Forgets everything; the next span starts a generation at `nowMs`. */
  reset(nowMs: number): void {
    this.active.clear();
    this.older.clear();
    this.generationStartMs = nowMs;
  }

  /** Appends every held value to `target`; returns their sum. */
  appendTo(target: number[]): number {
    return this.older.appendTo(target) + this.active.appendTo(target);
  }

  private rotate(nowMs: number): void {
    const elapsed = nowMs - this.generationStartMs;
    const retired = this.older;
    this.older = this.active;
    this.active = retired;
    this.active.clear();
    // Two generations or more without a span: the older one is stale too.
    if (elapsed >= 2 * this.generationMs) this.older.clear();
    this.generationStartMs = nowMs;
  }
}
