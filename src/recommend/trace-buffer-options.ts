/**
 * How a `TraceBuffer` waits and what it holds at most. Every field is
 * optional; `resolveTraceBufferOptions` is the one place the defaults are
 * filled in and the values checked. The idea and the names follow the
 * OpenTelemetry Collector's tail sampling processor (`tailsamplingprocessor`
 * in opentelemetry-collector-contrib): `decision_wait` (time since a trace's
 * first span before it is decided), `num_traces` (traces held; the oldest is
 * evicted when full) and `decision_cache` (ids of decided traces, so late
 * spans follow the earlier decision instead of starting a new trace).
 */
export interface TraceBufferOptions {
  /**
   * How long after its FIRST span a trace is decided (handed to `onTrace`),
   * like the Collector's `decision_wait`. Longer catches slower traces whole
   * but holds more memory (traces in flight ≈ new traces per second × wait).
   * The Collector defaults to 30 s for sampling; analyzers look at request
   * traces that mostly end within a few seconds, so 10 s is enough here.
   * From 0 to 10 minutes.
   * @default 10000 (10 seconds)
   */
  readonly decisionWaitMs?: number;
  /**
   * Traces in flight at most (the Collector's `num_traces`). A new trace
   * beyond it evicts the oldest one, which is handed over early marked
   * `truncated: 'evicted'`. Size it to new traces per second × wait.
   * @default 10000
   */
  readonly maxTraces?: number;
  /**
   * Spans kept per trace at most; later spans of that trace are dropped and
   * counted (a trace of a runaway loop must not fill the buffer alone).
   * At most `maxSpans`.
   * @default 1000 (or `maxSpans` when that is smaller)
   */
  readonly maxSpansPerTrace?: number;
  /**
   * Spans in flight at most, over all traces. Going beyond it evicts the
   * oldest traces (handed over early, marked `truncated: 'evicted'`) until the
   * total is within the cap again.
   * @default 200000
   */
  readonly maxSpans?: number;
  /**
   * How many ids of recently decided traces are remembered, to recognise late
   * spans (a span whose trace was already decided; the Collector's
   * `decision_cache`). Oldest forgotten first. 0 turns it off: a late span
   * then starts a new trace of its own.
   * @default the resolved `maxTraces`
   */
  readonly decidedTraceIdsCapacity?: number;
}

/** `TraceBufferOptions` with every default filled in and checked. */
export type ResolvedTraceBufferOptions = Readonly<Required<TraceBufferOptions>>;

const MAX_DECISION_WAIT_MS = 600_000;
const MAX_TRACES_LIMIT = 10_000_000;
const MAX_SPANS_LIMIT = 100_000_000;

export const DEFAULT_TRACE_BUFFER_OPTIONS: ResolvedTraceBufferOptions = Object.freeze({
  decisionWaitMs: 10_000,
  maxTraces: 10_000,
  maxSpansPerTrace: 1_000,
  maxSpans: 200_000,
  decidedTraceIdsCapacity: 10_000,
});

function integerIn(name: keyof TraceBufferOptions, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`trace buffer: ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/**
 * Fills in the defaults and checks every value.
 * @throws RangeError naming the first option out of range.
 */
export function resolveTraceBufferOptions(options: TraceBufferOptions = {}): ResolvedTraceBufferOptions {
  const d = DEFAULT_TRACE_BUFFER_OPTIONS;
  const decisionWaitMs = options.decisionWaitMs ?? d.decisionWaitMs;
  if (!Number.isFinite(decisionWaitMs) || decisionWaitMs < 0 || decisionWaitMs > MAX_DECISION_WAIT_MS) {
    throw new RangeError(`trace buffer: decisionWaitMs must be a number of milliseconds in [0, ${MAX_DECISION_WAIT_MS}], got ${decisionWaitMs}`);
  }
  const maxTraces = integerIn('maxTraces', options.maxTraces ?? d.maxTraces, 1, MAX_TRACES_LIMIT);
  const maxSpans = integerIn('maxSpans', options.maxSpans ?? d.maxSpans, 1, MAX_SPANS_LIMIT);
  // Checked against maxSpans so that evicting the oldest traces always makes room
  // for the span just added (see TraceBuffer.enforceSpanCap).
  const maxSpansPerTrace = integerIn('maxSpansPerTrace', options.maxSpansPerTrace ?? Math.min(d.maxSpansPerTrace, maxSpans), 1, maxSpans);
  const decidedTraceIdsCapacity = integerIn('decidedTraceIdsCapacity', options.decidedTraceIdsCapacity ?? maxTraces, 0, MAX_TRACES_LIMIT);
  return Object.freeze({ decisionWaitMs, maxTraces, maxSpansPerTrace, maxSpans, decidedTraceIdsCapacity });
}
