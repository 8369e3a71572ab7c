import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock';
import { OtlpRegressionProcessor } from '../../../processors/regression/otlp-regression-processor';
import { RegressionEngine } from '../../../src/regression/regression-engine';
import type { RegressionKey } from '../../../src/regression/regression-key';
import { BackpressureError } from '../../../src/pipeline/pipeline-errors';
import type { Consumer } from '../../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../../src/pipeline/telemetry-batch';
import type { ExportTraceServiceRequest } from '../../../src/otlp/model/trace';
import type { Logger } from '../../../src/logging/logger';
import type { SpanSample } from '../../../src/engine/span-sample';
import { meanRatioClassifier, regressionSpec } from '../../regression/regression-fixtures';

const NOW = Date.UTC(2026, 10, 1, 12);

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, error?: unknown) => lines.push(`${level}: ${message}${error instanceof Error ? `: ${error.message}` : ''}`);
  return { lines, error: push('error'), warn: push('warn'), info: push('info'), debug: push('debug') };
}

function batch(version: string | undefined, spans: { kind?: number; ms: number; route?: string }[]): TelemetryBatch {
  const end = BigInt(NOW) * 1_000_000n;
  const resource = [{ key: 'service.name', value: { stringValue: 'cart' } }];
  if (version !== undefined) resource.push({ key: 'service.version', value: { stringValue: version } });
  const request: ExportTraceServiceRequest = {
    resourceSpans: [
      {
        resource: { attributes: resource },
        scopeSpans: [
          {
            spans: spans.map((s) => ({
              name: 'GET',
              kind: s.kind ?? 2,
              startTimeUnixNano: end - BigInt(Math.round(s.ms * 1e6)),
              endTimeUnixNano: end,
              attributes: [
                { key: 'http.route', value: { stringValue: s.route ?? '/cart' } },
                { key: 'http.request.method', value: { stringValue: 'GET' } },
              ],
            })),
          },
        ],
      },
    ],
  };
  return { signal: 'traces', request, itemCount: spans.length };
}

function engine(clock = new ManualClock(NOW)) {
  const classify = meanRatioClassifier();
  return { classify, engine: new RegressionEngine(regressionSpec({ minSamples: 10 }), { clock, classify }) };
}

function keys(e: RegressionEngine): [string, string, string, number][] {
  const out: [string, string, string, number][] = [];
  e.forEachKey((k: RegressionKey) => out.push([k.service, k.operation, k.spanKind, k.spans]));
  return out;
}

describe('OtlpRegressionProcessor', () => {
  it('reads the service and its version from the resource, the operation, kind and nanosecond duration from the span', async () => {
    const { engine: e, classify } = engine();
    const processor = new OtlpRegressionProcessor(e, { consume: () => Promise.resolve() }, memoryLogger());
    await processor.consume(batch('1.0', Array.from({ length: 10 }, () => ({ ms: 10.25 }))));
    await processor.consume(batch('1.0', [{ ms: 5, kind: 3 }])); // a client span: not sampled by default
    await processor.consume(batch(undefined, [{ ms: 5 }]));
    await processor.consume(batch('1.1', Array.from({ length: 10 }, () => ({ ms: 30.5 }))));
    expect(keys(e)).toEqual([['cart', 'GET /cart', 'server', 20]]);
    expect(e.untracked.noVersion).toBe(1);
    e.evaluate();
    expect(classify.calls).toHaveLength(1);
    expect(classify.calls[0]?.control).toEqual(new Array(10).fill(10.25));
    expect(classify.calls[0]?.experiment).toEqual(new Array(10).fill(30.5));
    expect(e.recentEvents().map((ev) => [ev.outcome, ev.baselineVersion, ev.version])).toEqual([['regression', '1.0', '1.1']]);
  });

  it('reads only the operation and service.version: one reused attribute object, one resource record per resource', async () => {
    const seen: { attributes: unknown; resourceAttributes: unknown; endTimeMs: number }[] = [];
    const recorder = { record: (s: SpanSample) => seen.push({ attributes: s.attributes, resourceAttributes: s.resourceAttributes, endTimeMs: s.endTimeMs }) };
    const processor = new OtlpRegressionProcessor(recorder as unknown as RegressionEngine, { consume: () => Promise.resolve() }, memoryLogger());
    await processor.consume(batch('1.0', [{ ms: 1, route: '/a' }, { ms: 2, route: '/b' }, { ms: 3, route: '/c' }]));
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((s) => s.attributes)).size).toBe(1); // no record per span
    expect(new Set(seen.map((s) => s.resourceAttributes)).size).toBe(1);
    expect(seen[0]?.resourceAttributes).toEqual({ 'service.version': '1.0' });
    expect(seen.map((s) => s.endTimeMs)).toEqual([0, 0, 0]); // the engine samples by the clock
  });

  it('samples a batch only once it is accepted downstream, so a client retry after 503 is not sampled twice', async () => {
    const { engine: e } = engine();
    let refuse = 2;
    const next: Consumer = { consume: () => (refuse-- > 0 ? Promise.reject(new BackpressureError('queue full')) : Promise.resolve()) };
    const processor = new OtlpRegressionProcessor(e, next, memoryLogger());
    const sent = batch('1.0', [{ ms: 1 }, { ms: 2 }]);
    await expect(processor.consume(sent)).rejects.toBeInstanceOf(BackpressureError);
    await expect(processor.consume(sent)).rejects.toBeInstanceOf(BackpressureError);
    await processor.consume(sent);
    expect(keys(e)).toEqual([['cart', 'GET /cart', 'server', 2]]);
  });

  it('never fails the batch when the engine throws: counted, logged once', async () => {
    const { engine: e } = engine();
    e.record = () => {
      throw new Error('boom');
    };
    const logger = memoryLogger();
    const processor = new OtlpRegressionProcessor(e, { consume: () => Promise.resolve() }, logger);
    for (let i = 0; i < 5; i++) await expect(processor.consume(batch('1', [{ ms: 1 }]))).resolves.toBeUndefined();
    expect(processor.failedBatches).toBe(5);
    expect(logger.lines).toEqual(['error: deploy regression processing of OTLP spans failed; further failures are counted, not logged: boom']);
  });
});
