import { describe, expect, it } from 'vitest';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { OtlpRuntimeMetricsReader } from '../../../processors/recommend/otlp-runtime-metrics-reader';
import type { RuntimeSampleSink } from '../../../processors/recommend/otlp-runtime-metrics-reader';
import { decodeProtobufRequest } from '../../../src/otlp/codec';
import { eventLoopP99, gcDuration, heapUsed, metricsRequest, T0 } from './otlp-helpers';

/** A sink that writes down every call, as `kind service instance time value [seriesStart]`. */
function recordingSink(): RuntimeSampleSink & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    recordEventLoopDelayP99: (service, timeMs, p99Ms, instance) => calls.push(`p99 ${service} ${instance ?? '-'} ${timeMs - T0} ${p99Ms}`),
    recordGcDurationSum: (service, timeMs, sumSeconds, seriesStartMs, instance) =>
      calls.push(`gc ${service} ${instance ?? '-'} ${timeMs - T0} ${sumSeconds} ${seriesStartMs === undefined ? '-' : seriesStartMs - T0}`),
    recordHeapUsed: (service, timeMs, bytes, instance) => calls.push(`heap ${service} ${instance ?? '-'} ${timeMs - T0} ${bytes}`),
  };
}

describe('OtlpRuntimeMetricsReader', () => {
  it('reads nodejs.eventloop.delay.p99 (a gauge in seconds) as milliseconds, per service and instance', () => {
    const sink = recordingSink();
    new OtlpRuntimeMetricsReader(sink).read(metricsRequest('shop', [eventLoopP99([[T0 + 1000, 0.25], [T0 + 2000, 0.0125]])], 'pod-1'));
    expect(sink.calls).toEqual(['p99 shop pod-1 1000 250', 'p99 shop pod-1 2000 12.5']);
    // An integer point (a producer that writes asInt) and a resource without instance.
    const intPoint = eventLoopP99([[T0 + 3000, 0]]);
    intPoint.gauge!.dataPoints![0] = { timeUnixNano: BigInt(T0 + 3000) * 1_000_000n, asInt: 2n };
    new OtlpRuntimeMetricsReader(sink).read(metricsRequest('shop', [intPoint]));
    expect(sink.calls.at(-1)).toBe('p99 shop  3000 2000');
  });

  it('sums v8js.memory.heap.used over the old heap spaces of one collection (new_space, the sawtooth of every allocation, left out)', () => {
    const sink = recordingSink();
    new OtlpRuntimeMetricsReader(sink).read(
      metricsRequest('shop', [heapUsed(T0 + 1000, { new_space: 1_000_000, old_space: 30_000_000, code_space: 500_000 }), heapUsed(T0 + 2000, { old_space: 31_000_000 })]),
    );
    expect(sink.calls).toEqual(['heap shop  1000 30500000', 'heap shop  2000 30500000']);
  });

  it('records the floor of the last five heap readings of each process (the after-GC level under the sawtooth)', () => {
    const sink = recordingSink();
    const reader = new OtlpRuntimeMetricsReader(sink);
    const readings = [100, 90, 120, 130, 140, 150, 160];
    readings.forEach((mib, i) => reader.read(metricsRequest('shop', [heapUsed(T0 + i * 1000, { old_space: mib })], 'pod-1')));
    reader.read(metricsRequest('shop', [heapUsed(T0 + 10_000, { old_space: 500 })], 'pod-2'));
    expect(sink.calls).toEqual([
      'heap shop pod-1 0 100',
      'heap shop pod-1 1000 90',
      'heap shop pod-1 2000 90',
      'heap shop pod-1 3000 90',
      'heap shop pod-1 4000 90',
      'heap shop pod-1 5000 90',
      // 90 has left the last five.
      'heap shop pod-1 6000 120',
      'heap shop pod-2 10000 500',
    ]);
  });

  it('sums a cumulative v8js.gc.duration over the GC types at each timestamp, in time order, with the series start', () => {
    const sink = recordingSink();
    const metric = gcDuration('cumulative', [
      { timeMs: T0 + 2000, startMs: T0, type: 'major', sumSeconds: 0.5 },
      { timeMs: T0 + 2000, startMs: T0, type: 'minor', sumSeconds: 0.25 },
      { timeMs: T0 + 1000, startMs: T0, type: 'minor', sumSeconds: 0.125 },
    ]);
    new OtlpRuntimeMetricsReader(sink).read(metricsRequest('shop', [metric], 'pod-1'));
    expect(sink.calls).toEqual(['gc shop pod-1 1000 0.125 0', 'gc shop pod-1 2000 0.75 0']);
  });

  it('accumulates a delta v8js.gc.duration into a cumulative sum per process', () => {
    const sink = recordingSink();
    const reader = new OtlpRuntimeMetricsReader(sink);
    const delta = (timeMs: number, sumSeconds: number) => gcDuration('delta', [{ timeMs, startMs: timeMs - 1000, type: 'minor', sumSeconds }]);
    reader.read(metricsRequest('shop', [delta(T0 + 1000, 0.5)], 'pod-1'));
    reader.read(metricsRequest('shop', [delta(T0 + 1000, 0.25)], 'pod-2'));
    reader.read(metricsRequest('shop', [delta(T0 + 2000, 0.5)], 'pod-1'));
    reader.read(metricsRequest('shop', [delta(T0 + 2000, 0.25)], 'pod-2'));
    expect(sink.calls).toEqual(['gc shop pod-1 1000 0.5 -', 'gc shop pod-2 1000 0.25 -', 'gc shop pod-1 2000 1 -', 'gc shop pod-2 2000 0.5 -']);
  });

  it('keeps delta totals for at most maxProcesses processes; a new one replaces the one first seen', () => {
    const sink = recordingSink();
    const reader = new OtlpRuntimeMetricsReader(sink, 1);
    const delta = gcDuration('delta', [{ timeMs: T0 + 1000, startMs: T0, type: 'minor', sumSeconds: 0.5 }]);
    reader.read(metricsRequest('shop', [delta], 'pod-1'));
    reader.read(metricsRequest('shop', [delta], 'pod-2'));
    reader.read(metricsRequest('shop', [delta], 'pod-1'));
    // pod-2 took pod-1's slot (a restarted process has a new instance id); pod-1 then starts again from 0.
    expect(sink.calls).toEqual(['gc shop pod-1 1000 0.5 -', 'gc shop pod-2 1000 0.5 -', 'gc shop pod-1 1000 0.5 -']);
  });

  it('ignores other metrics, non-finite values and missing parts, and never modifies the request', () => {
    const sink = recordingSink();
    const request = metricsRequest('shop', [
      { name: 'nodejs.eventloop.delay.p50', gauge: { dataPoints: [{ timeUnixNano: 1n, asDouble: 1 }] } },
      { name: 'v8js.memory.heap.limit', gauge: { dataPoints: [{ timeUnixNano: 1n, asInt: 5n }] } },
      eventLoopP99([[T0 + 1000, Number.NaN]]),
      { name: 'v8js.gc.duration' },
      { name: 'v8js.memory.heap.used' },
    ]);
    request.resourceMetrics!.push({}, { resource: {}, scopeMetrics: [{}] });
    const before = structuredClone(request);
    new OtlpRuntimeMetricsReader(sink).read(request);
    new OtlpRuntimeMetricsReader(sink).read({});
    expect(sink.calls).toEqual([]);
    expect(request).toEqual(before);
  });

  it('reads what @opentelemetry/instrumentation-runtime-node exports, through the SDK\'s own OTLP encoder', async () => {
    class CollectingReader extends MetricReader {
      protected onForceFlush(): Promise<void> {
        return Promise.resolve();
      }
      protected onShutdown(): Promise<void> {
        return Promise.resolve();
      }
    }
    const reader = new CollectingReader();
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'shop', 'service.instance.id': 'pod-9' }), readers: [reader] });
    const instrumentation = new RuntimeNodeInstrumentation({ monitoringPrecision: 10 });
    instrumentation.setMeterProvider(provider);
    instrumentation.enable();
    try {
      // More than five event-loop measurements (the collector's minimum), and some garbage for the GC to collect.
      let garbage: number[][] = [];
      for (let i = 0; i < 12; i++) {
        garbage = Array.from({ length: 2000 }, (_, j) => [i, j]);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(garbage).toHaveLength(2000);
      const { resourceMetrics } = await reader.collect();
      const request = decodeProtobufRequest('metrics', ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!);
      const sink = recordingSink();
      new OtlpRuntimeMetricsReader(sink).read(request);
      const p99 = sink.calls.filter((c) => c.startsWith('p99 shop pod-9 '));
      const heap = sink.calls.filter((c) => c.startsWith('heap shop pod-9 '));
      expect(p99).toHaveLength(1);
      expect(heap).toHaveLength(1);
      // The p99 in milliseconds: at least the timer resolution's worth of delay, and far below seconds.
      const p99Ms = Number(p99[0]!.split(' ')[4]);
      expect(p99Ms).toBeGreaterThan(0);
      expect(p99Ms).toBeLessThan(10_000);
      // The heap used, summed over the old spaces: megabytes, as process.memoryUsage() says (read at another moment).
      const heapBytes = Number(heap[0]!.split(' ')[4]);
      expect(heapBytes).toBeGreaterThan(1_000_000);
      expect(heapBytes).toBeLessThan(4 * process.memoryUsage().heapTotal);
      // GC: a cumulative sum (seconds) when a GC was observed; nothing otherwise.
      for (const call of sink.calls.filter((c) => c.startsWith('gc '))) expect(call).toMatch(/^gc shop pod-9 -?\d+ [\d.e-]+ -?\d+$/);
    } finally {
      instrumentation.disable();
      await provider.shutdown();
    }
  });
});
