/**
 * Thresholds and window sizes of the runtime-signal detectors
 * (runtime-signals.ts). Every field is optional; the `resolve…` functions
 * below are the one place the defaults are filled in and the values checked
 * (RangeError naming the first bad option).
 */

const MIB = 1024 * 1024;
const MAX_WINDOW_MS = 7 * 24 * 3_600_000;
const MAX_SAMPLES = 1_048_576;

/** Options of `EventLoopBlockingDetector` (`event_loop_blocking`). */
export interface EventLoopBlockingOptions {
  /**
   * How far back the samples are read, in milliseconds.
   * @default 300000 (5 minutes)
   */
  readonly windowMs?: number;
  /**
   * A finding needs the MEDIAN of the window's p99 samples to EXCEED this, in
   * milliseconds. 100 ms is the "respond within 100 ms" budget of Google's
   * RAIL performance model, and sits just above toobusy's default maximum
   * lag of 70 ms (the figure its authors give for a server at 90–100 % CPU);
   * it is also ten times the 10 ms resolution the OpenTelemetry runtime-node
   * instrumentation samples the delay at by default (`monitoringPrecision`),
   * so timer granularity alone can never reach it.
   * @default 100
   */
  readonly thresholdMs?: number;
  /**
   * Fewest p99 samples in the window for a verdict (fewer: no finding).
   * @default 3
   */
  readonly minSamples?: number;
  /**
   * Ring capacity in samples (16 bytes each). When full the oldest sample is
   * overwritten, so the window then spans less than `windowMs`.
   * @default 512
   */
  readonly maxSamples?: number;
}

/** Options of `GcPressureDetector` (`gc_pressure`). */
export interface GcPressureOptions {
  /**
   * How far back the samples are read, in milliseconds.
   * @default 300000 (5 minutes)
   */
  readonly windowMs?: number;
  /**
   * A finding needs the share of wall time spent in GC pauses over the window
   * to EXCEED this fraction.
   * @default 0.1
   */
  readonly maxShare?: number;
  /**
   * Shortest elapsed time between the window's first and last sample for a
   * verdict, in milliseconds: shorter spans make the share too noisy (one
   * major GC in a 2 s span is a large share).
   * @default 60000
   */
  readonly minSpanMs?: number;
  /**
   * Ring capacity in samples (16 bytes each).
   * @default 512
   */
  readonly maxSamples?: number;
}

/** Options of `MemoryLeakDetector` (`memory_leak_suspected`). */
export interface MemoryLeakOptions {
  /**
   * How far back the samples are read for the regression, in milliseconds.
   * @default 3600000 (1 hour)
   */
  readonly windowMs?: number;
  /**
   * Shortest span (first to last sample in the window) for a verdict, in
   * milliseconds; the "at least 30 minutes".
   * @default 1800000 (30 minutes)
   */
  readonly minSpanMs?: number;
  /**
   * Fewest samples for a verdict.
   * @default 10
   */
  readonly minSamples?: number;
  /**
   * A finding needs the least-squares slope to EXCEED this, in bytes per
   * hour. 10 MiB/h means at least 5 MiB of growth over the minimum 30-minute
   * span: above the post-GC jitter of a steady service (typically well under
   * a few MiB), yet a leak of that rate still exhausts a 2 GiB heap within
   * days, which is the kind worth a recommendation.
   * @default 10485760 (10 MiB/h)
   */
  readonly minSlopeBytesPerHour?: number;
  /**
   * A finding needs the regression's coefficient of determination to reach
   * this: the growth must be steady, not a few jumps (a cache filling up
   * once, a burst of traffic).
   * @default 0.8
   */
  readonly minRSquared?: number;
  /**
   * Heap size limit in bytes (e.g. `v8.getHeapStatistics().heap_size_limit`,
   * or the `v8js.memory.heap.limit` metric), supplied by the caller; when set,
   * the evidence projects the time until the fitted line reaches it.
   * 0 = unknown.
   * @default 0
   */
  readonly heapLimitBytes?: number;
  /**
   * Ring capacity in samples (16 bytes each).
   * @default 512
   */
  readonly maxSamples?: number;
}

export type ResolvedEventLoopBlockingOptions = Readonly<Required<EventLoopBlockingOptions>>;
export type ResolvedGcPressureOptions = Readonly<Required<GcPressureOptions>>;
export type ResolvedMemoryLeakOptions = Readonly<Required<MemoryLeakOptions>>;

export const DEFAULT_EVENT_LOOP_BLOCKING_OPTIONS: ResolvedEventLoopBlockingOptions = Object.freeze({
  windowMs: 300_000,
  thresholdMs: 100,
  minSamples: 3,
  maxSamples: 512,
});

export const DEFAULT_GC_PRESSURE_OPTIONS: ResolvedGcPressureOptions = Object.freeze({
  windowMs: 300_000,
  maxShare: 0.1,
  minSpanMs: 60_000,
  maxSamples: 512,
});

export const DEFAULT_MEMORY_LEAK_OPTIONS: ResolvedMemoryLeakOptions = Object.freeze({
  windowMs: 3_600_000,
  minSpanMs: 1_800_000,
  minSamples: 10,
  minSlopeBytesPerHour: 10 * MIB,
  minRSquared: 0.8,
  heapLimitBytes: 0,
  maxSamples: 512,
});

function integerIn(detector: string, name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${detector}: ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

function numberIn(detector: string, name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${detector}: ${name} must be a number in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** @throws RangeError naming the first option out of range. */
export function resolveEventLoopBlockingOptions(options: EventLoopBlockingOptions = {}): ResolvedEventLoopBlockingOptions {
  const d = DEFAULT_EVENT_LOOP_BLOCKING_OPTIONS;
  const who = 'event loop blocking detector';
  const minSamples = integerIn(who, 'minSamples', options.minSamples ?? d.minSamples, 1, MAX_SAMPLES);
  return Object.freeze({
    windowMs: numberIn(who, 'windowMs', options.windowMs ?? d.windowMs, 1, MAX_WINDOW_MS),
    thresholdMs: numberIn(who, 'thresholdMs', options.thresholdMs ?? d.thresholdMs, 0, 3_600_000),
    minSamples,
    maxSamples: integerIn(who, 'maxSamples', options.maxSamples ?? d.maxSamples, Math.max(2, minSamples), MAX_SAMPLES),
  });
}

/** @throws RangeError naming the first option out of range. */
export function resolveGcPressureOptions(options: GcPressureOptions = {}): ResolvedGcPressureOptions {
  const d = DEFAULT_GC_PRESSURE_OPTIONS;
  const who = 'gc pressure detector';
  const windowMs = numberIn(who, 'windowMs', options.windowMs ?? d.windowMs, 1, MAX_WINDOW_MS);
  return Object.freeze({
    windowMs,
    maxShare: numberIn(who, 'maxShare', options.maxShare ?? d.maxShare, 0, 1),
    // A span longer than the window could never be seen.
    minSpanMs: numberIn(who, 'minSpanMs', options.minSpanMs ?? Math.min(d.minSpanMs, windowMs), 0, windowMs),
    maxSamples: integerIn(who, 'maxSamples', options.maxSamples ?? d.maxSamples, 2, MAX_SAMPLES),
  });
}

/** @throws RangeError naming the first option out of range. */
export function resolveMemoryLeakOptions(options: MemoryLeakOptions = {}): ResolvedMemoryLeakOptions {
  const d = DEFAULT_MEMORY_LEAK_OPTIONS;
  const who = 'memory leak detector';
  // Two points always fit a line exactly (R² = 1): at least three.
  const minSamples = integerIn(who, 'minSamples', options.minSamples ?? d.minSamples, 3, MAX_SAMPLES);
  const windowMs = numberIn(who, 'windowMs', options.windowMs ?? d.windowMs, 1, MAX_WINDOW_MS);
  return Object.freeze({
    windowMs,
    minSpanMs: numberIn(who, 'minSpanMs', options.minSpanMs ?? Math.min(d.minSpanMs, windowMs), 0, windowMs),
    minSamples,
    minSlopeBytesPerHour: numberIn(who, 'minSlopeBytesPerHour', options.minSlopeBytesPerHour ?? d.minSlopeBytesPerHour, 0, Number.MAX_SAFE_INTEGER),
    minRSquared: numberIn(who, 'minRSquared', options.minRSquared ?? d.minRSquared, 0, 1),
    heapLimitBytes: numberIn(who, 'heapLimitBytes', options.heapLimitBytes ?? d.heapLimitBytes, 0, Number.MAX_SAFE_INTEGER),
    // The ring must be able to hold a verdict's worth of samples.
    maxSamples: integerIn(who, 'maxSamples', options.maxSamples ?? d.maxSamples, minSamples, MAX_SAMPLES),
  });
}
