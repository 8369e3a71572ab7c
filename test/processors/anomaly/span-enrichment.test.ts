import { describe, expect, it } from 'vitest';
import { ENRICHMENT_ATTRIBUTES, SpanEnricher } from '../../../processors/anomaly/span-enrichment';
import { OtlpAnomalyProcessor } from '../../../processors/anomaly/otlp-anomaly-processor';
import { OtlpBaselineProcessor } from '../../../processors/baseline/otlp-baseline-processor';
import { AnomalyEngine } from '../../../src/engine/anomaly-engine';
import { BaselineEngine } from '../../../src/engine/baseline-engine';
import { BaselineSpanSample } from '../../../src/engine/baseline-span-sample';
import { ManualClock } from '../../../src/clock';
import type { Consumer } from '../../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../../src/pipeline/telemetry-batch';
import type { Logger } from '../../../src/logging/logger';
import type { ExportTraceServiceRequest } from '../../../src/otlp/model/trace';
import { anyValueToJs } from '../../../src/otlp/attributes';
import { BASELINE_SIGNALS, SignalIndex } from '../../../src/baseline/baseline-signal';
import { doubleDetectors } from '../../baseline/detector-double';
import { batchOf, otlpRequest } from '../baseline/otlp-helpers';
import type { SpanSpec } from '../baseline/otlp-helpers';

const T0 = Date.UTC(2026, 10, 2, 10);
const MINUTE = 60_000;
const silent: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/** The pipeline [baseline, anomaly] → capture, with the double detector (baseline after 3 intervals, anomalous beyond ×1.5). */
function pipeline(enrich = true) {
  const clock = new ManualClock(T0);
  const baseline = new BaselineEngine({ clock, model: { modelledSignals: [...BASELINE_SIGNALS], createDetector: doubleDetectors([], 3, 1.5) } });
  const anomaly = new AnomalyEngine(baseline, { signals: ['latency_p99'] });
  const forwarded: TelemetryBatch[] = [];
  const capture: Consumer = { consume: (batch) => Promise.resolve(void forwarded.push(batch)) };
  const anomalyProcessor = new OtlpAnomalyProcessor(enrich ? new SpanEnricher(baseline, anomaly) : undefined, capture, silent);
  const entry = new OtlpBaselineProcessor(baseline, anomalyProcessor, silent);
  const send = async (specs: SpanSpec[]): Promise<ExportTraceServiceRequest> => {
    await entry.consume(batchOf(otlpRequest('shop', specs)));
    return forwarded[forwarded.length - 1]!.request;
  };
  const interval = async (route: string, scale = 1): Promise<void> => {
    await send(Array.from({ length: 20 }, (_, i) => ({ route, ms: (10 + i) * scale })));
    clock.advance(MINUTE);
    baseline.rollUp();
  };
  return { clock, baseline, anomaly, forwarded, send, interval };
}

function stamps(request: ExportTraceServiceRequest): Record<string, unknown>[] {
  return request.resourceSpans!.flatMap((r) =>
    r.scopeSpans!.flatMap((s) =>
      s.spans!.map((span) => {
        const out: Record<string, unknown> = {};
        for (const kv of span.attributes ?? []) if (kv.key!.startsWith('slowatch.')) out[kv.key!] = anyValueToJs(kv.value);
        return out;
      }),
    ),
  );
}

describe('span enrichment', () => {
  it('forwards spans untouched (the very same request) while their key has no baseline', async () => {
    const p = pipeline();
    const request = otlpRequest('shop', [{ route: '/a', ms: 10 }]);
    const entry = new OtlpAnomalyProcessor(new SpanEnricher(p.baseline, p.anomaly), { consume: (b) => Promise.resolve(void p.forwarded.push(b)) }, silent);
    const batch = batchOf(request);
    await entry.consume(batch);
    expect(p.forwarded[0]).toBe(batch);
  });

  it('stamps the p99 baseline, the duration over the median baseline and the anomaly state once a baseline exists', async () => {
    const p = pipeline();
    for (let i = 0; i < 4; i++) await p.interval('/a');
    const series = p.baseline.find(Object.assign(new BaselineSpanSample(), { service: 'shop', kind: 2, attributes: { 'http.request.method': 'GET', 'http.route': '/a' } }))!;
    const p50 = series.baseline(SignalIndex.latency_p50);
    const p99 = series.baseline(SignalIndex.latency_p99);
    const out = await p.send([{ route: '/a', ms: 40 }, { route: '/new', ms: 5 }]);
    expect(stamps(out)).toEqual([
      { [ENRICHMENT_ATTRIBUTES.baselineP99Ms]: p99, [ENRICHMENT_ATTRIBUTES.latencyVsBaseline]: 40 / p50, [ENRICHMENT_ATTRIBUTES.anomalyActive]: false },
      {}, // a key without a baseline
    ]);
    expect(p99).toBeGreaterThan(p50);

    await p.interval('/a', 3); // p99 ×3: the anomaly opens at this interval's close
    expect(stamps(await p.send([{ route: '/a', ms: 60 }]))[0]).toMatchObject({ [ENRICHMENT_ATTRIBUTES.anomalyActive]: true });
  });

  it('never modifies the received request (it may be fanned out to other pipelines) and shares what it does not change', async () => {
    const p = pipeline();
    for (let i = 0; i < 4; i++) await p.interval('/a');
    const received = otlpRequest('shop', [{ route: '/a', ms: 40 }, { route: '/other', ms: 1 }]);
    const snapshot = structuredClone(received);
    await new OtlpAnomalyProcessor(new SpanEnricher(p.baseline, p.anomaly), { consume: (b) => Promise.resolve(void p.forwarded.push(b)) }, silent).consume(batchOf(received));
    const out = p.forwarded[p.forwarded.length - 1]!;
    expect(received).toEqual(snapshot);
    expect(out.request).not.toBe(received);
    const [outSpan, outOther] = (out.request as ExportTraceServiceRequest).resourceSpans![0]!.scopeSpans![0]!.spans!;
    const [inSpan, inOther] = received.resourceSpans![0]!.scopeSpans![0]!.spans!;
    expect(outOther).toBe(inOther);
    expect(outSpan).not.toBe(inSpan);
    expect({ ...outSpan, attributes: undefined }).toEqual({ ...inSpan, attributes: undefined });
    expect(outSpan!.attributes!.slice(0, inSpan!.attributes!.length)).toEqual(inSpan!.attributes);
    expect(out.itemCount).toBe(2);
  });

  it('replaces the values an upstream slowatch wrote instead of repeating the keys', async () => {
    const p = pipeline();
    for (let i = 0; i < 4; i++) await p.interval('/a');
    const out = await p.send([{ route: '/a', ms: 10, attributes: [{ key: ENRICHMENT_ATTRIBUTES.anomalyActive, value: { boolValue: true } }, { key: 'keep', value: { stringValue: 'me' } }] }]);
    const keys = out.resourceSpans![0]!.scopeSpans![0]!.spans![0]!.attributes!.map((kv) => kv.key);
    expect(keys.filter((k) => k === ENRICHMENT_ATTRIBUTES.anomalyActive)).toHaveLength(1);
    expect(keys).toContain('keep');
    expect(stamps(out)[0]![ENRICHMENT_ATTRIBUTES.anomalyActive]).toBe(false);
  });

  it('forwards spans as they came with enrich_spans: false, and when enrichment fails', async () => {
    const off = pipeline(false);
    for (let i = 0; i < 4; i++) await off.interval('/a');
    expect(stamps(await off.send([{ route: '/a', ms: 10 }]))).toEqual([{}]);

    const throwing = { enrich: () => { throw new Error('broken'); } } as unknown as SpanEnricher;
    const lines: string[] = [];
    const forwarded: TelemetryBatch[] = [];
    const processor = new OtlpAnomalyProcessor(throwing, { consume: (b) => Promise.resolve(void forwarded.push(b)) }, { ...silent, error: (m) => lines.push(m) });
    const batch = batchOf(otlpRequest('shop', [{ route: '/a', ms: 1 }]));
    await processor.consume(batch);
    await processor.consume(batch);
    expect(forwarded).toEqual([batch, batch]);
    expect(processor.failedBatches).toBe(2);
    expect(lines).toHaveLength(1);
  });
});
