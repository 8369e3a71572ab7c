import type { ExemplarSetState } from './baseline-state';
import { readRecord, readStringArray } from '../slo/snapshot-reader';
import { readTypedArray } from '../anomaly/state-reader';

/** A trace id as adapters have it: OTLP's 16 bytes, or the SDK's 32 lower-case hex characters. */
export type TraceIdSource = Uint8Array | string | undefined;

const TRACE_ID_BYTES = 16;
/** Largest capacity. */
const MAX_EXEMPLARS = 10;
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * The trace ids of the k slowest spans of one interval: the evidence an
 * anomaly event points at ("look at these traces").
 *
 * Bounded and allocation-free on the hot path: durations live in a
 * Float64Array and OTLP trace ids are *copied* into one preallocated
 * Uint8Array, so no slice of a decoded request is ever retained (the batch
 * can be freed as soon as it is forwarded). SDK trace ids are already
 * immutable hex strings and are kept by reference. Hex strings are built
 * only when the set is read, i.e. when an event is reported.
 *
 * Memory: 8k + 16k bytes of typed arrays plus k references (k ≤ 10).
 */
export class ExemplarSet {
  readonly capacity: number;
  private readonly durations: Float64Array;
  private readonly bytes: Uint8Array;
  private readonly hexes: (string | undefined)[];
  private size = 0;
  /** Slot of the fastest kept span: the one a slower span replaces. */
  private minSlot = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > MAX_EXEMPLARS) throw new RangeError(`ExemplarSet capacity must be an integer in [0, 10], got ${capacity}`);
    this.capacity = capacity;
    this.durations = new Float64Array(capacity);
    this.bytes = new Uint8Array(capacity * TRACE_ID_BYTES);
    this.hexes = new Array<string | undefined>(capacity).fill(undefined);
  }

  get length(): number {
    return this.size;
  }

  /** Keeps the span's trace id when it is among the k slowest seen since clear(). O(1) unless kept (then O(k)). */
  offer(durationMs: number, traceId: TraceIdSource): void {
    if (this.capacity === 0 || traceId === undefined || traceId.length === 0) return;
    let slot: number;
    if (this.size < this.capacity) {
      slot = this.size++;
    } else {
      if (!(durationMs > (this.durations[this.minSlot] as number))) return;
      slot = this.minSlot;
    }
    this.durations[slot] = durationMs;
    if (typeof traceId === 'string') {
      this.hexes[slot] = traceId;
    } else {
      this.hexes[slot] = undefined;
      const base = slot * TRACE_ID_BYTES;
      const n = Math.min(traceId.length, TRACE_ID_BYTES);
      for (let i = 0; i < n; i++) this.bytes[base + i] = traceId[i] as number;
      for (let i = n; i < TRACE_ID_BYTES; i++) this.bytes[base + i] = 0;
    }
    if (this.size === this.capacity) this.minSlot = this.findMinSlot();
  }

  /** The kept trace ids as lower-case hex, slowest span first. Allocates: for events only. */
  traceIds(): string[] {
    const order = Array.from({ length: this.size }, (_, i) => i).sort((a, b) => (this.durations[b] as number) - (this.durations[a] as number));
    return order.map((slot) => this.hexes[slot] ?? this.hexOfBytes(slot));
  }

  clear(): void {
    this.size = 0;
    this.minSlot = 0;
    // Drop references to SDK strings so a quiet key does not pin them.
    this.hexes.fill(undefined);
  }

  /** The kept spans in slot order, trace ids as hex (see ExemplarSetState). Allocates. */
  exportState(): ExemplarSetState {
    const traceIds: string[] = [];
    for (let slot = 0; slot < this.size; slot++) traceIds.push(this.hexes[slot] ?? this.hexOfBytes(slot));
    return { durations: this.durations.slice(0, this.size), traceIds };
  }

  /** Checks a state without changing anything; throws a TypeError naming the field under `path`. */
  checkState(state: unknown, path: string): ExemplarSetState {
    const record = readRecord(state, path);
    const durations = readTypedArray(record, 'durations', path, 'Float64Array', { max: MAX_EXEMPLARS });
    const traceIds = readStringArray(record, 'traceIds', path);
    if (traceIds.length !== durations.length) {
      throw new TypeError(`${path}.traceIds: expected ${durations.length} trace ids (one per duration), got ${traceIds.length}`);
    }
    return { durations, traceIds };
  }

  /**
   * Replaces the contents by a checked state, offered in its slot order:
   * with the same capacity the set is as it was (same slots, same reading
   * order); with a smaller one it keeps the slowest. Trace ids come back as
   * hex strings (the form `traceIds()` returns anyway).
   */
  applyState(state: ExemplarSetState): void {
    this.clear();
    for (let i = 0; i < state.durations.length; i++) this.offer(state.durations[i] as number, state.traceIds[i]);
  }

  /** checkState then applyState: all or nothing. */
  restoreState(state: unknown, path = 'exemplars'): void {
    this.applyState(this.checkState(state, path));
  }

  private findMinSlot(): number {
    let min = 0;
    for (let i = 1; i < this.size; i++) if ((this.durations[i] as number) < (this.durations[min] as number)) min = i;
    return min;
  }

  private hexOfBytes(slot: number): string {
    let hex = '';
    const base = slot * TRACE_ID_BYTES;
    for (let i = 0; i < TRACE_ID_BYTES; i++) hex += HEX[this.bytes[base + i] as number];
    return hex;
  }
}
