import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Clock } from '../src/clock';
import type { Logger } from '../src/logging/logger';
import { FailureCounter } from '../src/logging/logger';

/** Where the samples go: the recommend engine's runtime inputs. */
export interface RuntimeSampleRecorder {
  recordEventLoopDelayP99(service: string, timeMs: number, p99Ms: number): void;
  recordGcDurationSum(service: string, timeMs: number, sumSeconds: number, seriesStartMs?: number): void;
  recordHeapUsed(service: string, timeMs: number, bytes: number): void;
}

export interface RuntimeSamplerOptions {
  readonly recorder: RuntimeSampleRecorder;
  /** The service the samples belong to (the agent's service.name), asked at each sample. */
  readonly service: () => string;
  /** @default 10_000 */
  readonly intervalMs?: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Resolution of the event-loop delay histogram, in milliseconds (Node's default is 10). */
const EVENT_LOOP_RESOLUTION_MS = 10;
/** Fewer measurements than this in an interval say too little (the runtime instrumentation's rule too). */
const MIN_DELAY_MEASUREMENTS = 5;

/**
 * The agent's own runtime signals, read in-process with what Node offers
 * (the same sources as @opentelemetry/instrumentation-runtime-node, without
 * going through metric export):
 * - event-loop delay: `monitorEventLoopDelay`, p99 per interval, then reset;
 * - GC time: `PerformanceObserver` on `gc` entries, summed (seconds, cumulative);
 * - heap used after GC: the lowest `v8.getHeapStatistics().used_heap_size`
 *   read right after a GC of the interval (any kind: after a scavenge the
 *   young generation is near empty, so the figure is the old generation and
 *   large objects), else, in an interval without GC, the heap used at the
 *   sample. The leak detector then sees the floor of the sawtooth more than
 *   its teeth; the young generation (at most a few tens of MB) bounds the
 *   remaining noise.
 * One unref'd timer; observers and histogram are released at stop. Failures
 * are counted and logged once.
 */
export class RuntimeSampler {
  private readonly recorder: RuntimeSampleRecorder;
  private readonly service: () => string;
  private readonly clock: Clock;
  private readonly failures: FailureCounter;
  private readonly histogram: IntervalHistogram;
  private readonly observer: PerformanceObserver;
  private readonly startedAtMs: number;
  private timer: NodeJS.Timeout | undefined;
  private gcSeconds = 0;
  private heapAfterGc: number | undefined;

  constructor(options: RuntimeSamplerOptions) {
    this.recorder = options.recorder;
    this.service = options.service;
    this.clock = options.clock;
    this.failures = new FailureCounter(options.logger, 'runtime sampling');
    this.startedAtMs = options.clock.now();
    this.histogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
    this.histogram.enable();
    this.observer = new PerformanceObserver((list) => {
      try {
        for (const entry of list.getEntries()) {
          this.gcSeconds += entry.duration / 1000;
        }
        // Observer callbacks run after the GCs they report: read once per batch, keep the interval's floor.
        const used = getHeapStatistics().used_heap_size;
        if (this.heapAfterGc === undefined || used < this.heapAfterGc) this.heapAfterGc = used;
      } catch (error) {
        this.failures.record(error);
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
    this.timer = setInterval(() => this.sample(), options.intervalMs ?? 10_000);
    this.timer.unref();
  }

  /** Takes one sample now (the timer's work). */
  sample(): void {
    try {
      const now = this.clock.now();
      const service = this.service();
      if (this.histogram.count >= MIN_DELAY_MEASUREMENTS) {
        // The histogram is in nanoseconds.
        this.recorder.recordEventLoopDelayP99(service, now, this.histogram.percentile(99) / 1e6);
      }
      this.histogram.reset();
      this.recorder.recordGcDurationSum(service, now, this.gcSeconds, this.startedAtMs);
      this.recorder.recordHeapUsed(service, now, this.heapAfterGc ?? getHeapStatistics().used_heap_size);
      this.heapAfterGc = undefined;
    } catch (error) {
      this.failures.record(error);
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.histogram.disable();
    this.observer.disconnect();
  }
}
