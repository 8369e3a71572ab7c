import { linearRegression, linearRegressionLine, rSquared } from 'simple-statistics';
import { RuntimeSampleRing } from './runtime-sample-ring';
import type {
  EventLoopBlockingOptions,
  GcPressureOptions,
  MemoryLeakOptions,
  ResolvedEventLoopBlockingOptions,
  ResolvedGcPressureOptions,
  ResolvedMemoryLeakOptions,
} from './runtime-signals-options';
import { resolveEventLoopBlockingOptions, resolveGcPressureOptions, resolveMemoryLeakOptions } from './runtime-signals-options';

/**
 * Runtime-signal detectors of the `recommend` processor: `event_loop_blocking`,
 * `gc_pressure` and `memory_leak_suspected` (issue 5, scope item 2). Each is a
 * pure, clock-free evaluator over a bounded window of samples the caller feeds
 * (`record(timeMs, value)`, time being the sample's own timestamp) and asks
 * (`evaluate(nowMs)`). One detector instance per service (per process, for the
 * agent; per service.instance.id, for the gateway): runtime signals belong to
 * a process, not to a trace or an operation.
 *
 * Inputs, as emitted by @opentelemetry/instrumentation-runtime-node 0.36
 * (names and units read from its semconv.js and metrics/*Collector.js):
 * - `nodejs.eventloop.delay.p99`: gauge, unit `s`, the 99th percentile of
 *   `perf_hooks.monitorEventLoopDelay` since the previous collection (the
 *   collector resets the histogram after each read, and skips the point when
 *   it holds fewer than 5 measurements). Feed it in MILLISECONDS (× 1000).
 * - `v8js.gc.duration`: histogram, unit `s`, one measurement per GC pause
 *   (PerformanceObserver `gc` entries), attribute `v8js.gc.type`
 *   (major, minor, incremental, weakcb). Feed the histogram's cumulative
 *   `sum` over all types, in SECONDS (with delta temporality, accumulate it).
 * - `v8js.memory.heap.used`: gauge, unit `By`, one point per heap space
 *   (attribute `v8js.heap.space.name`), read at collection time, so it is
 *   NOT an after-GC value. Feed the sum over spaces; ideally the floor after
 *   garbage collection (e.g. `v8.getHeapStatistics().used_heap_size` read
 *   after a major GC, or the minimum over each collection interval). Raw
 *   sawtooth values only make the leak detector less sensitive (the sawtooth
 *   adds residual variance and lowers R²), never more.
 */

export const NODEJS_EVENTLOOP_DELAY_P99 = 'nodejs.eventloop.delay.p99';
export const V8JS_GC_DURATION = 'v8js.gc.duration';
export const V8JS_MEMORY_HEAP_USED = 'v8js.memory.heap.used';
export const V8JS_MEMORY_HEAP_LIMIT = 'v8js.memory.heap.limit';

export const EVENT_LOOP_BLOCKING = 'event_loop_blocking';
export const GC_PRESSURE = 'gc_pressure';
export const MEMORY_LEAK_SUSPECTED = 'memory_leak_suspected';
export type RuntimeFindingType = typeof EVENT_LOOP_BLOCKING | typeof GC_PRESSURE | typeof MEMORY_LEAK_SUSPECTED;

/**
 * What a runtime detector found about one service's process over its window.
 * Unlike `TraceFinding` it belongs to no trace and no operation; type and
 * service are its identity.
 */
export interface RuntimeFinding {
  /** The detector's type id, part of the contract. */
  readonly type: RuntimeFindingType;
  readonly service: string;
  /** Time of the window's first and last sample used, in milliseconds (caller's clock). */
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** Figures for the evidence, flat and JSON-serialisable. */
  readonly evidence: Readonly<Record<string, string | number>>;
  /** One readable sentence on what the problem costs. */
  readonly impactDescription: string;
}

const MS_PER_HOUR = 3_600_000;
const MIB = 1024 * 1024;

function formatNumber(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

/**
 * `event_loop_blocking`: the p99 event-loop delay stays above `thresholdMs`.
 *
 * Decision: the verdict is on the MEDIAN of the window's p99 samples (each
 * covering one collection interval), not the maximum. One p99 spike is a
 * single slow interval (a cold start, a big JSON.parse once); a median above
 * the threshold means at least half the intervals of the last `windowMs` had
 * 1 % of their ticks delayed that long, a sustained block worth a
 * recommendation (and a CPU profile). The maximum and the count of intervals
 * above the threshold are in the evidence.
 *
 * Memory: the sample ring (16 bytes × maxSamples) plus a sort scratch
 * (8 bytes × maxSamples): 24 bytes per slot, 12 KiB at the default 512.
 * `evaluate` costs O(n log n) over the window, allocating nothing.
 */
export class EventLoopBlockingDetector {
  readonly service: string;
  readonly options: ResolvedEventLoopBlockingOptions;
  private readonly samples: RuntimeSampleRing;
  private readonly scratch: Float64Array;
  private rejected = 0;

  constructor(service: string, options: EventLoopBlockingOptions = {}) {
    this.service = service;
    this.options = resolveEventLoopBlockingOptions(options);
    this.samples = new RuntimeSampleRing(this.options.maxSamples);
    this.scratch = new Float64Array(this.options.maxSamples);
  }

  /** Samples refused (non-finite, negative, or older than the newest one). */
  get rejectedSamples(): number {
    return this.rejected;
  }

  get stateBytes(): number {
    return this.samples.stateBytes + this.scratch.byteLength;
  }

  /** Records one p99 event-loop delay, in milliseconds, observed at `timeMs`. */
  record(timeMs: number, p99DelayMs: number): boolean {
    const accepted = p99DelayMs >= 0 && this.samples.push(timeMs, p99DelayMs);
    if (!accepted) this.rejected++;
    else this.samples.dropOlderThan(timeMs - this.options.windowMs);
    return accepted;
  }

  /** The finding over the samples in [nowMs − windowMs, nowMs], or undefined. */
  evaluate(nowMs: number): RuntimeFinding | undefined {
    const { windowMs, thresholdMs, minSamples } = this.options;
    const first = this.samples.firstIndexAtOrAfter(nowMs - windowMs);
    const end = this.samples.endIndexAtOrBefore(nowMs);
    const count = end - first;
    if (count < minSamples) return undefined;

    let max = 0;
    let above = 0;
    for (let i = first; i < end; i++) {
      const value = this.samples.valueAt(i);
      this.scratch[i - first] = value;
      if (value > max) max = value;
      if (value > thresholdMs) above++;
    }
    const sorted = this.scratch.subarray(0, count).sort();
    const middle = count >>> 1;
    const median = count % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
    if (!(median > thresholdMs)) return undefined;

    const windowStartMs = this.samples.timeAt(first);
    const windowEndMs = this.samples.timeAt(end - 1);
    return {
      type: EVENT_LOOP_BLOCKING,
      service: this.service,
      windowStartMs,
      windowEndMs,
      evidence: {
        metric: NODEJS_EVENTLOOP_DELAY_P99,
        medianP99DelayMs: median,
        maxP99DelayMs: max,
        samplesAboveThreshold: above,
        sampleCount: count,
        thresholdMs,
        windowMs,
      },
      impactDescription:
        `The event loop's p99 delay has a median of ${formatNumber(median, 1)} ms over ${count} intervals ` +
        `(threshold ${thresholdMs} ms): while the loop is blocked, every request in flight in this process waits, ` +
        `so about 1 % of event-loop turns add ${formatNumber(median, 1)} ms or more to whatever they serve.`,
    };
  }
}

/**
 * `gc_pressure`: the share of wall time spent in GC pauses exceeds `maxShare`.
 *
 * share = (sum of GC pause durations over the window) / (elapsed wall time),
 * from the cumulative `v8js.gc.duration` sum: each sample is stored as the
 * increase since the previous sample, so the window's GC time is the sum of
 * the increases after its first sample, and the elapsed time is last − first.
 *
 * Counter resets (process restart, SDK re-created, or an OTLP series whose
 * start time changed) follow the Prometheus `rate()` convention: when the
 * cumulative value drops, or the caller signals a new series start, the
 * counter is taken to have restarted from 0 and the new value itself is the
 * increase. A reset immediately followed by growth past the old value cannot
 * be seen from the values alone; passing `seriesStartMs` (OTLP
 * StartTimeUnixNano) closes that gap.
 *
 * Memory: the ring of (time, increase) samples, 16 bytes × maxSamples
 * (8 KiB at the default 512), plus three scalars. `evaluate` is O(n).
 */
export class GcPressureDetector {
  readonly service: string;
  readonly options: ResolvedGcPressureOptions;
  private readonly increases: RuntimeSampleRing;
  private previousSum = NaN;
  private previousSeriesStartMs = NaN;
  private resets = 0;
  private rejected = 0;

  constructor(service: string, options: GcPressureOptions = {}) {
    this.service = service;
    this.options = resolveGcPressureOptions(options);
    this.increases = new RuntimeSampleRing(this.options.maxSamples);
  }

  /** Counter resets seen so far. */
  get counterResets(): number {
    return this.resets;
  }

  /** Samples refused (non-finite, negative, or older than the newest one). */
  get rejectedSamples(): number {
    return this.rejected;
  }

  get stateBytes(): number {
    return this.increases.stateBytes;
  }

  /**
   * Records the cumulative GC pause time in seconds at `timeMs`.
   * @param seriesStartMs the cumulative series' start time when known (OTLP
   *   StartTimeUnixNano in ms); a change means the counter restarted.
   */
  record(timeMs: number, gcDurationSecondsSum: number, seriesStartMs?: number): boolean {
    if (!(gcDurationSecondsSum >= 0) || !Number.isFinite(timeMs) || timeMs < this.increases.newestTimeMs) {
      this.rejected++;
      return false;
    }
    let increase: number;
    if (Number.isNaN(this.previousSum)) {
      increase = 0; // The first sample is a baseline only.
    } else {
      const restarted =
        gcDurationSecondsSum < this.previousSum ||
        (seriesStartMs !== undefined && !Number.isNaN(this.previousSeriesStartMs) && seriesStartMs !== this.previousSeriesStartMs);
      if (restarted) this.resets++;
      increase = restarted ? gcDurationSecondsSum : gcDurationSecondsSum - this.previousSum;
    }
    if (!this.increases.push(timeMs, increase)) {
      this.rejected++;
      return false;
    }
    this.previousSum = gcDurationSecondsSum;
    if (seriesStartMs !== undefined) this.previousSeriesStartMs = seriesStartMs;
    this.increases.dropOlderThan(timeMs - this.options.windowMs);
    return true;
  }

  /** The finding over the samples in [nowMs − windowMs, nowMs], or undefined. */
  evaluate(nowMs: number): RuntimeFinding | undefined {
    const { windowMs, maxShare, minSpanMs } = this.options;
    const first = this.increases.firstIndexAtOrAfter(nowMs - windowMs);
    const end = this.increases.endIndexAtOrBefore(nowMs);
    if (end - first < 2) return undefined;
    const windowStartMs = this.increases.timeAt(first);
    const windowEndMs = this.increases.timeAt(end - 1);
    const elapsedMs = windowEndMs - windowStartMs;
    if (elapsedMs <= 0 || elapsedMs < minSpanMs) return undefined;

    // The first sample's increase belongs to the interval before the window.
    let gcSeconds = 0;
    for (let i = first + 1; i < end; i++) gcSeconds += this.increases.valueAt(i);
    const share = (gcSeconds * 1000) / elapsedMs;
    if (!(share > maxShare)) return undefined;

    return {
      type: GC_PRESSURE,
      service: this.service,
      windowStartMs,
      windowEndMs,
      evidence: {
        metric: V8JS_GC_DURATION,
        gcTimeShare: share,
        gcSeconds,
        elapsedMs,
        maxShare,
        sampleCount: end - first,
        counterResets: this.resets,
      },
      impactDescription:
        `${formatNumber(share * 100, 1)} % of wall time over the last ${formatNumber(elapsedMs / 60_000, 1)} min went to ` +
        `garbage-collection pauses (threshold ${formatNumber(maxShare * 100, 1)} %): the process serves nothing during them, ` +
        `so allocation churn or a heap near its limit costs that share of throughput and adds pause time to request latency.`,
    };
  }
}

/**
 * `memory_leak_suspected`: heap used after GC grows along a significant
 * linear trend.
 *
 * Least-squares line through the window's (time, heap used) samples
 * (simple-statistics `linearRegression`, `rSquared`), time in hours since the
 * window's first sample (subtracting it keeps the sums well conditioned; epoch
 * milliseconds squared would lose precision). A finding needs the samples to
 * span at least `minSpanMs`, at least `minSamples` of them, a slope above
 * `minSlopeBytesPerHour` and R² ≥ `minRSquared`: steady growth rather than a
 * cache warming up in one jump or GC's sawtooth. With `heapLimitBytes`, the
 * evidence projects when the fitted line reaches the limit.
 *
 * Memory: the sample ring, 16 bytes × maxSamples (8 KiB at the default 512).
 * `evaluate` builds n small [x, y] pairs for simple-statistics (about
 * 50 bytes each, freed on return) and costs O(n).
 */
export class MemoryLeakDetector {
  readonly service: string;
  readonly options: ResolvedMemoryLeakOptions;
  private readonly samples: RuntimeSampleRing;
  private rejected = 0;

  constructor(service: string, options: MemoryLeakOptions = {}) {
    this.service = service;
    this.options = resolveMemoryLeakOptions(options);
    this.samples = new RuntimeSampleRing(this.options.maxSamples);
  }

  /** Samples refused (non-finite, negative, or older than the newest one). */
  get rejectedSamples(): number {
    return this.rejected;
  }

  get stateBytes(): number {
    return this.samples.stateBytes;
  }

  /** Records heap used after GC, in bytes, at `timeMs`. */
  record(timeMs: number, heapUsedBytes: number): boolean {
    const accepted = heapUsedBytes >= 0 && this.samples.push(timeMs, heapUsedBytes);
    if (!accepted) this.rejected++;
    else this.samples.dropOlderThan(timeMs - this.options.windowMs);
    return accepted;
  }

  /** The finding over the samples in [nowMs − windowMs, nowMs], or undefined. */
  evaluate(nowMs: number): RuntimeFinding | undefined {
    const { windowMs, minSpanMs, minSamples, minSlopeBytesPerHour, minRSquared, heapLimitBytes } = this.options;
    const first = this.samples.firstIndexAtOrAfter(nowMs - windowMs);
    const end = this.samples.endIndexAtOrBefore(nowMs);
    const count = end - first;
    if (count < minSamples) return undefined;
    const windowStartMs = this.samples.timeAt(first);
    const windowEndMs = this.samples.timeAt(end - 1);
    const spanMs = windowEndMs - windowStartMs;
    if (spanMs <= 0 || spanMs < minSpanMs) return undefined;

    const points: [number, number][] = [];
    for (let i = first; i < end; i++) {
      points.push([(this.samples.timeAt(i) - windowStartMs) / MS_PER_HOUR, this.samples.valueAt(i)]);
    }
    const line = linearRegression(points);
    const slopeBytesPerHour = line.m;
    if (!(slopeBytesPerHour > minSlopeBytesPerHour)) return undefined;
    const fit = rSquared(points, linearRegressionLine(line));
    if (!(fit >= minRSquared)) return undefined;

    const firstHeapUsedBytes = this.samples.valueAt(first);
    const lastHeapUsedBytes = this.samples.valueAt(end - 1);
    const evidence: Record<string, string | number> = {
      metric: V8JS_MEMORY_HEAP_USED,
      slopeBytesPerHour,
      rSquared: fit,
      spanMs,
      sampleCount: count,
      firstHeapUsedBytes,
      lastHeapUsedBytes,
      minSlopeBytesPerHour,
      minRSquared,
    };
    let projection = '';
    if (heapLimitBytes > 0) {
      const fittedNow = line.b + line.m * (spanMs / MS_PER_HOUR);
      const projectedMsToLimit = Math.max(0, ((heapLimitBytes - fittedNow) / slopeBytesPerHour) * MS_PER_HOUR);
      evidence.heapLimitBytes = heapLimitBytes;
      evidence.projectedMsToLimit = projectedMsToLimit;
      projection = `; at this rate it reaches the ${formatNumber(heapLimitBytes / MIB, 0)} MiB heap limit in about ${formatNumber(projectedMsToLimit / MS_PER_HOUR, 1)} h, when the process will crash out of memory`;
    }
    return {
      type: MEMORY_LEAK_SUSPECTED,
      service: this.service,
      windowStartMs,
      windowEndMs,
      evidence,
      impactDescription:
        `Heap used after GC grew by ${formatNumber(slopeBytesPerHour / MIB, 1)} MiB/h over ${formatNumber(spanMs / 60_000, 0)} min ` +
        `(R² ${formatNumber(fit, 2)})${projection}; a growing heap also makes each major GC slower.`,
    };
  }
}
