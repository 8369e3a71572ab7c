import type { KeyValue, Resource } from '../../src/otlp/model/common';
import type { ExportMetricsServiceRequest, Metric } from '../../src/otlp/model/metrics';
import { NODEJS_EVENTLOOP_DELAY_P99, V8JS_GC_DURATION, V8JS_MEMORY_HEAP_USED } from '../../src/recommend/runtime-signals';

/** Where runtime samples go: the recommend engine's runtime inputs. */
export interface RuntimeSampleSink {
  recordEventLoopDelayP99(service: string, timeMs: number, p99Ms: number, instance?: string): void;
  recordGcDurationSum(service: string, timeMs: number, sumSeconds: number, seriesStartMs?: number, instance?: string): void;
  recordHeapUsed(service: string, timeMs: number, bytes: number, instance?: string): void;
}

/** Heap readings whose minimum is recorded (see floorOf). */
const FLOOR_POINTS = 5;
/** v8js.heap.space.name of the young generation. */
const YOUNG_SPACE = 'new_space';

function spaceOf(attributes: readonly KeyValue[] | undefined): string | undefined {
  for (const kv of attributes ?? []) if (kv.key === 'v8js.heap.space.name') return kv.value?.stringValue;
  return undefined;
}

/** OTLP's AGGREGATION_TEMPORALITY_DELTA. */
const DELTA = 1;

const toMs = (nanos: bigint | undefined): number => Number((nanos ?? 0n) / 1_000_000n);

function identityOf(resource: Resource | undefined): { service: string; instance: string } {
  let service = '';
  let instance = '';
  for (const kv of resource?.attributes ?? []) {
    if (kv.key === 'service.name') service = kv.value?.stringValue ?? '';
    else if (kv.key === 'service.instance.id') instance = kv.value?.stringValue ?? '';
  }
  return { service, instance };
}

/**
 * Reads the Node.js runtime metrics of @opentelemetry/instrumentation-runtime-node
 * (0.36: names and units in src/recommend/runtime-signals.ts) out of OTLP
 * metric requests into the engine:
 * - `nodejs.eventloop.delay.p99` (gauge, seconds) → milliseconds;
 * - `v8js.gc.duration` (histogram, seconds): the sums of all GC types at one
 *   timestamp, cumulative; delta streams are accumulated here per process
 *   (one number per service instance, at most `maxProcesses`);
 * - `v8js.memory.heap.used` (gauge, bytes, one point per heap space): summed
 *   over the old spaces (new_space, the young generation, left out), then the
 *   floor of the last FLOOR_POINTS readings per process.
 * Everything else is ignored; the request itself is never modified.
 */
export class OtlpRuntimeMetricsReader {
  private readonly deltaTotals = new Map<string, number>();
  /** Per process, its last FLOOR_POINTS heap readings (8 numbers each). */
  private readonly recentHeap = new Map<string, number[]>();

  constructor(
    private readonly sink: RuntimeSampleSink,
    private readonly maxProcesses = 1000,
  ) {}

  read(request: ExportMetricsServiceRequest): void {
    for (const resourceMetrics of request.resourceMetrics ?? []) {
      const { service, instance } = identityOf(resourceMetrics.resource);
      for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
        for (const metric of scopeMetrics.metrics ?? []) this.readMetric(metric, service, instance);
      }
    }
  }

  /**
   * The lowest of this process's last FLOOR_POINTS heap readings: a reading
   * taken at export time lands anywhere on the GC sawtooth, and its floor
   * over a few readings is the after-GC level the leak detector wants.
   */
  private floorOf(key: string, bytes: number): number {
    let recent = this.recentHeap.get(key);
    if (recent === undefined) {
      // Full: the process first seen longest ago makes room (restarts bring new instance ids).
      if (this.recentHeap.size >= this.maxProcesses) this.recentHeap.delete(this.recentHeap.keys().next().value as string);
      recent = [];
      this.recentHeap.set(key, recent);
    }
    recent.push(bytes);
    if (recent.length > FLOOR_POINTS) recent.shift();
    return Math.min(...recent);
  }

  private readMetric(metric: Metric, service: string, instance: string): void {
    switch (metric.name) {
      case NODEJS_EVENTLOOP_DELAY_P99:
        for (const point of metric.gauge?.dataPoints ?? []) {
          const seconds = point.asDouble ?? (point.asInt === undefined ? undefined : Number(point.asInt));
          if (seconds !== undefined && Number.isFinite(seconds)) this.sink.recordEventLoopDelayP99(service, toMs(point.timeUnixNano), seconds * 1000, instance);
        }
        return;
      case V8JS_MEMORY_HEAP_USED: {
        const byTime = new Map<bigint, number>();
        for (const point of metric.gauge?.dataPoints ?? []) {
          // The young generation is the sawtooth of every allocation; a leak lives in the old spaces.
          if (spaceOf(point.attributes) === YOUNG_SPACE) continue;
          const bytes = point.asInt === undefined ? point.asDouble : Number(point.asInt);
          if (bytes === undefined || !Number.isFinite(bytes)) continue;
          const at = point.timeUnixNano ?? 0n;
          byTime.set(at, (byTime.get(at) ?? 0) + bytes);
        }
        for (const [at, bytes] of [...byTime].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
          this.sink.recordHeapUsed(service, toMs(at), this.floorOf(`${service}\n${instance}`, bytes), instance);
        }
        return;
      }
      case V8JS_GC_DURATION: {
        const histogram = metric.histogram;
        if (histogram === undefined) return;
        const byTime = new Map<bigint, { sum: number; startMs: number }>();
        for (const point of histogram.dataPoints ?? []) {
          const sum = point.sum;
          if (sum === undefined || !Number.isFinite(sum)) continue;
          const at = point.timeUnixNano ?? 0n;
          const entry = byTime.get(at) ?? { sum: 0, startMs: Number.POSITIVE_INFINITY };
          entry.sum += sum;
          entry.startMs = Math.min(entry.startMs, toMs(point.startTimeUnixNano));
          byTime.set(at, entry);
        }
        const delta = histogram.aggregationTemporality === DELTA;
        const key = `${service}\n${instance}`;
        for (const [at, { sum, startMs }] of [...byTime].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
          if (delta) {
            if (!this.deltaTotals.has(key) && this.deltaTotals.size >= this.maxProcesses) this.deltaTotals.delete(this.deltaTotals.keys().next().value as string);
            const total = (this.deltaTotals.get(key) ?? 0) + sum;
            this.deltaTotals.set(key, total);
            this.sink.recordGcDurationSum(service, toMs(at), total, undefined, instance);
          } else {
            this.sink.recordGcDurationSum(service, toMs(at), sum, Number.isFinite(startMs) ? startMs : undefined, instance);
          }
        }
        return;
      }
      default:
        return;
    }
  }
}
