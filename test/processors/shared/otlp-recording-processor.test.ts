import { describe, expect, it } from 'vitest';
import { OtlpRecordingProcessor } from '../../../processors/shared/otlp-recording-processor';
import type { IntervalLoop } from '../../../processors/shared/interval-loop';
import { OtlpSpanSampleReader } from '../../../processors/shared/otlp-span-sample-reader';
import type { SpanSample } from '../../../src/engine/span-sample';
import type { Logger } from '../../../src/logging/logger';
import type { ExportTraceServiceRequest } from '../../../src/otlp/model/trace';
import type { TelemetryBatch } from '../../../src/pipeline/telemetry-batch';

const silent: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const END_NS = 1_767_225_600_123_456_789n; // 2026-01-01, with a nanosecond part

function batchOf(request: ExportTraceServiceRequest): TelemetryBatch {
  return { signal: 'traces', request, itemCount: 0 };
}

/** What the engine saw of each sample: copied, as the reader reuses the one object. */
function recorder() {
  const seen: Omit<SpanSample, 'attribute'>[] = [];
  return { seen, record: (s: SpanSample) => void seen.push({ ...s }) };
}

describe('OtlpRecordingProcessor with OtlpSpanSampleReader', () => {
  it('hands every span of every resource and scope to the engine, resource attributes read once per resource', async () => {
    const engine = recorder();
    const processor = new OtlpRecordingProcessor({ reader: new OtlpSpanSampleReader(), engine, next: { consume: () => Promise.resolve() }, logger: silent, what: 'test' });
    await processor.consume(
      batchOf({
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cart' } }, { key: 'service.version', value: { stringValue: '2.0' } }] },
            scopeSpans: [
              { spans: [{ name: 'a', kind: 2, startTimeUnixNano: END_NS - 1_500_000n, endTimeUnixNano: END_NS, attributes: [{ key: 'http.route', value: { stringValue: '/a' } }] }] },
              { spans: [{ name: 'b', status: { code: 2 } }] },
            ],
          },
          { scopeSpans: [{ spans: [{ name: 'c', kind: 3 }] }] },
        ],
      }),
    );
    expect(engine.seen).toEqual([
      { service: 'cart', kind: 2, name: 'a', statusCode: 0, durationMs: 1.5, endTimeMs: 1_767_225_600_123.456, attributes: { 'http.route': '/a' }, resourceAttributes: { 'service.name': 'cart', 'service.version': '2.0' } },
      { service: 'cart', kind: 0, name: 'b', statusCode: 2, durationMs: 0, endTimeMs: 0, attributes: {}, resourceAttributes: { 'service.name': 'cart', 'service.version': '2.0' } },
      { service: '', kind: 3, name: 'c', statusCode: 0, durationMs: 0, endTimeMs: 0, attributes: {}, resourceAttributes: {} },
    ]);
    // No attributes, no allocation: the shared frozen empty map.
    const reader = new OtlpSpanSampleReader();
    reader.useResource(undefined);
    expect(Object.isFrozen(reader.read({}).attributes)).toBe(true);
    expect(Object.isFrozen(reader.sample.resourceAttributes)).toBe(true);
  });

  it('runs its loop from start to shutdown, a new one after a restart', async () => {
    const loops: { stopped: boolean }[] = [];
    const startLoop = (): IntervalLoop => {
      const loop = { stopped: false };
      loops.push(loop);
      return { runNow: () => undefined, stop: () => void (loop.stopped = true) } as unknown as IntervalLoop;
    };
    const processor = new OtlpRecordingProcessor({ reader: new OtlpSpanSampleReader(), engine: recorder(), next: { consume: () => Promise.resolve() }, logger: silent, what: 'test', startLoop });
    expect(loops).toEqual([]);
    await processor.start();
    expect(loops).toEqual([{ stopped: false }]);
    await processor.shutdown();
    await processor.start();
    await processor.shutdown();
    expect(loops).toEqual([{ stopped: true }, { stopped: true }]);
  });
});
