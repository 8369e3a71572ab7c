import { RecentTraceIds } from './recent-trace-ids';
import type { ResolvedTraceBufferOptions, TraceBufferOptions } from './trace-buffer-options';
import { resolveTraceBufferOptions } from './trace-buffer-options';

/**
 * Why a decided trace may be incomplete:
 * - `'evicted'`: decided before its wait was over because `maxTraces` or
 *   `maxSpans` was reached; spans still to come will be late spans.
 * - `'flushed'`: decided by `flush()` (shutdown) before its wait was over.
 */
export type TraceTruncation = 'evicted' | 'flushed';

/**
 * One assembled trace as handed to `onTrace`. The buffer keeps no reference
 * to it afterwards: the receiver owns it, `spans` included.
 */
export interface AssembledTrace<S> {
  /** The caller's key for the trace id (see `TraceBuffer.add`). */
  readonly key: string;
  /** The trace's spans in arrival order: the caller's objects, not copies. */
  readonly spans: readonly S[];
  /** When the first span arrived (ms, the caller's clock, never before an earlier `now`). */
  readonly firstSpanAtMs: number;
  /** The `now` of the `tick`, `add` or `flush` call that decided it. */
  readonly decidedAtMs: number;
  /**
   * `undefined` when the trace waited the full `decisionWaitMs`; otherwise
   * why it was decided early. Analyzers that count (N+1, sequential calls)
   * should skip truncated traces: a cut trace can show a loop's first half as
   * a different pattern; per-span statistics may still use them.
   */
  readonly truncated: TraceTruncation | undefined;
  /** Spans of this trace dropped because it already held `maxSpansPerTrace` (0 when complete). */
  readonly droppedSpans: number;
}

/** Where the buffer hands its output; called synchronously from `add`, `tick` and `flush`. */
export interface TraceBufferHandlers<S> {
  /** Receives every decided trace exactly once, oldest first. */
  readonly onTrace: (trace: AssembledTrace<S>) => void;
  /**
   * Receives spans whose trace was already decided (while its id is still
   * remembered, see `decidedTraceIdsCapacity`). Without it such spans are
   * dropped and counted as `spansDropped.late`.
   */
  readonly onLateSpan?: (key: string, span: S, nowMs: number) => void;
}

/** Spans dropped, by the reason (named after the option or event responsible). */
export interface TraceBufferDroppedSpans {
  /** The span's trace already held `maxSpansPerTrace` spans. */
  readonly maxSpansPerTrace: number;
  /** The span's trace was already decided and there is no `onLateSpan`. */
  readonly late: number;
}

/** Counters since construction, plus the current fill. */
export interface TraceBufferStats {
  /** Spans given to `add`. */
  readonly spansReceived: number;
  /** Spans handed over inside decided traces. */
  readonly spansDecided: number;
  /** Late spans handed to `onLateSpan`. */
  readonly lateSpansDelivered: number;
  readonly spansDropped: TraceBufferDroppedSpans;
  /** Traces handed to `onTrace`, however decided (early ones included). */
  readonly tracesDecided: number;
  /** Of `tracesDecided`: decided early because `maxTraces` or `maxSpans` was reached. */
  readonly tracesEvictedEarly: number;
  /** Of `tracesDecided`: decided early by `flush()`. */
  readonly tracesFlushed: number;
  readonly tracesInFlight: number;
  readonly spansInFlight: number;
}

/**
 * A trace being assembled. It becomes the `AssembledTrace` handed over, so a
 * trace costs one object and one array. Entries form a singly linked FIFO in
 * first-arrival order through `newer`.
 */
class TraceEntry<S> implements AssembledTrace<S> {
  readonly spans: S[] = [];
  decidedAtMs = Number.NaN;
  truncated: TraceTruncation | undefined = undefined;
  droppedSpans = 0;
  newer: TraceEntry<S> | undefined = undefined;

  constructor(
    readonly key: string,
    readonly firstSpanAtMs: number,
  ) {}
}

/**
 * Groups spans by trace id and hands each trace over whole once
 * `decisionWaitMs` has passed since its first span: the tail-sampling
 * assembly of the OpenTelemetry Collector's `tailsamplingprocessor`
 * (`decision_wait`, `num_traces`, `decision_cache`), without the sampling.
 * Pure and clock-injected: time is the `nowMs` argument, and decisions only
 * happen in `tick(nowMs)`, which the caller runs from its own interval timer
 * (a trace is decided at the first tick at or after first span + wait).
 *
 * Order and cost. Every trace is decided at firstSpanAtMs + decisionWaitMs
 * with one wait for all, so first-arrival order is decision order; evictions
 * also take the oldest. Entries therefore only ever leave from the head of a
 * FIFO, kept as a linked list through the entries (no iterator allocations),
 * with a Map from key to entry for lookup: `add` is O(1) amortized (plus the
 * O(1) per trace of the evictions it causes) and `tick` is O(1) per decided
 * trace. `nowMs` going backwards is clamped to the latest `nowMs` seen, which
 * keeps the FIFO sorted by first arrival.
 *
 * Caps, and why evicted traces are handed over rather than dropped: a trace
 * beyond `maxTraces`, or spans beyond `maxSpans`, decide the oldest traces
 * early, marked `truncated: 'evicted'`. Dropping them (as the Collector does)
 * would lose their spans for the per-span statistics (slow statements, error
 * ratios); handing them over unmarked could let a trace cut mid-loop count as
 * a smaller or different pattern. Marked, every analyzer chooses: the
 * counting ones skip them. Spans beyond `maxSpansPerTrace` are dropped and
 * counted on the trace (`droppedSpans`) and in `stats().spansDropped`.
 *
 * Late spans (their trace already decided, its id still among the last
 * `decidedTraceIdsCapacity` decided ids) never start a new trace: a fragment
 * would look like a whole trace to the analyzers. As in the Collector, they
 * follow the earlier decision: handed to `onLateSpan` when given (per-span
 * analyzers can still use them), otherwise dropped and counted. A late span
 * whose id has been forgotten starts a new trace.
 *
 * Conservation (tested): every span given to `add` is in exactly one decided
 * trace, or handed to `onLateSpan`, or counted in `spansDropped`, or still in
 * flight.
 *
 * Spans are kept by reference, never copied: callers should pass compact
 * records that do not pin a decoded request's buffers for the wait.
 *
 * Memory of the buffer's own bookkeeping, measured on Node 20 x64 (heapUsed
 * after GC, 10 000 traces of 20 spans, keys allocated beforehand): about
 * 350 bytes per trace in flight (the entry object with 7 fields, ~80 bytes,
 * and two boxed times, 32; the span array's header, 32, and its first
 * backing store of 17 slots, ~150; the Map entry with hash-table slack, ~45),
 * and about 10 bytes per span beyond the first 17 of a trace (8-byte slot
 * plus growth slack); plus about 60 bytes per remembered decided id
 * (`RecentTraceIds`). Add the key string when the caller keeps no other
 * reference to it (~56 bytes for 32 hex characters). At the defaults, full:
 * 10 000 × 350 B + 200 000 × 10 B + 10 000 × 60 B ≈ 6 MB, not counting the
 * span records themselves.
 */
export class TraceBuffer<S> {
  readonly options: ResolvedTraceBufferOptions;
  private readonly onTrace: (trace: AssembledTrace<S>) => void;
  private readonly onLateSpan: ((key: string, span: S, nowMs: number) => void) | undefined;
  private readonly inFlight = new Map<string, TraceEntry<S>>();
  private readonly decidedIds: RecentTraceIds;
  /** Oldest trace in flight: the next to be decided or evicted. */
  private oldest: TraceEntry<S> | undefined = undefined;
  /** Newest trace in flight: where new traces are appended. */
  private newest: TraceEntry<S> | undefined = undefined;
  /** The latest `nowMs` seen; earlier values are clamped to it. */
  private latestNowMs = Number.NEGATIVE_INFINITY;

  private spansInFlight = 0;
  private spansReceived = 0;
  private spansDecided = 0;
  private lateSpansDelivered = 0;
  private droppedForTraceCap = 0;
  private droppedLate = 0;
  private tracesDecided = 0;
  private tracesEvictedEarly = 0;
  private tracesFlushed = 0;

  constructor(handlers: TraceBufferHandlers<S>, options: TraceBufferOptions = {}) {
    this.options = resolveTraceBufferOptions(options);
    this.onTrace = handlers.onTrace;
    this.onLateSpan = handlers.onLateSpan;
    this.decidedIds = new RecentTraceIds(this.options.decidedTraceIdsCapacity);
  }

  /**
   * Adds one span of the trace `key`. The key is any string that identifies
   * the trace id; lowercase hex (`toHex` in src/otlp/codec/bytes.ts for the
   * gateway's 16 bytes, the SDK's own `traceId` in the agent) makes the keys
   * agree across agent and gateway and doubles as evidence. May decide
   * traces early (evictions) and call `onLateSpan`, synchronously.
   */
  add(key: string, span: S, nowMs: number): void {
    const now = this.advance(nowMs);
    this.spansReceived++;
    let entry = this.inFlight.get(key);
    if (entry === undefined) {
      if (this.decidedIds.has(key)) {
        this.late(key, span, now);
        return;
      }
      if (this.inFlight.size >= this.options.maxTraces) this.decideOldest(now, 'evicted');
      entry = new TraceEntry<S>(key, now);
      this.inFlight.set(key, entry);
      if (this.newest === undefined) this.oldest = entry;
      else this.newest.newer = entry;
      this.newest = entry;
    } else if (entry.spans.length >= this.options.maxSpansPerTrace) {
      entry.droppedSpans++;
      this.droppedForTraceCap++;
      return;
    }
    entry.spans.push(span);
    this.spansInFlight++;
    this.enforceSpanCap(now);
  }

  /**
   * Decides every trace whose first span is at least `decisionWaitMs` old at
   * `nowMs`, oldest first. If `onTrace` throws, the trace it was given is
   * already released and the rest wait for the next tick.
   */
  tick(nowMs: number): void {
    const now = this.advance(nowMs);
    const wait = this.options.decisionWaitMs;
    while (this.oldest !== undefined && this.oldest.firstSpanAtMs + wait <= now) this.decideOldest(now, undefined);
  }

  /** Decides everything in flight now (shutdown): due traces as usual, the others marked `'flushed'`. */
  flush(nowMs: number): void {
    this.tick(nowMs);
    const now = this.latestNowMs;
    while (this.oldest !== undefined) this.decideOldest(now, 'flushed');
  }

  get tracesInFlight(): number {
    return this.inFlight.size;
  }

  /** A snapshot of the counters (allocates; meant for metrics scrapes and tests). */
  stats(): TraceBufferStats {
    return {
      spansReceived: this.spansReceived,
      spansDecided: this.spansDecided,
      lateSpansDelivered: this.lateSpansDelivered,
      spansDropped: { maxSpansPerTrace: this.droppedForTraceCap, late: this.droppedLate },
      tracesDecided: this.tracesDecided,
      tracesEvictedEarly: this.tracesEvictedEarly,
      tracesFlushed: this.tracesFlushed,
      tracesInFlight: this.inFlight.size,
      spansInFlight: this.spansInFlight,
    };
  }

  private advance(nowMs: number): number {
    if (!Number.isFinite(nowMs)) throw new RangeError(`trace buffer: nowMs must be a finite number of milliseconds, got ${nowMs}`);
    if (nowMs > this.latestNowMs) this.latestNowMs = nowMs;
    return this.latestNowMs;
  }

  private late(key: string, span: S, now: number): void {
    if (this.onLateSpan === undefined) {
      this.droppedLate++;
      return;
    }
    this.lateSpansDelivered++;
    this.onLateSpan(key, span, now);
  }

  /**
   * Evicts the oldest traces until the spans in flight are within `maxSpans`.
   * Spans arrive one at a time, so the total is over by at most one and one
   * eviction (≥ 1 span) suffices; if the oldest trace is the span's own, it
   * is handed over with the span inside it (maxSpansPerTrace ≤ maxSpans).
   */
  private enforceSpanCap(now: number): void {
    while (this.spansInFlight > this.options.maxSpans) this.decideOldest(now, 'evicted');
  }

  /** Releases the oldest trace, then hands it over (so a throwing `onTrace` leaves the state consistent). */
  private decideOldest(now: number, truncated: TraceTruncation | undefined): void {
    const entry = this.oldest;
    if (entry === undefined) return;
    this.oldest = entry.newer;
    if (this.oldest === undefined) this.newest = undefined;
    entry.newer = undefined;
    this.inFlight.delete(entry.key);
    this.decidedIds.remember(entry.key);
    this.spansInFlight -= entry.spans.length;
    this.spansDecided += entry.spans.length;
    this.tracesDecided++;
    if (truncated === 'evicted') this.tracesEvictedEarly++;
    else if (truncated === 'flushed') this.tracesFlushed++;
    entry.decidedAtMs = now;
    entry.truncated = truncated;
    this.onTrace(entry);
  }
}
