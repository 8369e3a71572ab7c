import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { recommendProcessorFactory } from '../../../processors/recommend/config';
import { sloProcessorFactory } from '../../../processors/slo/config';
import { prometheusExporterFactory } from '../../../exporters/prometheus/config';
import { RECOMMENDATION_METRIC_NAMES } from '../../../exporters/prometheus/recommendation-metrics';
import { ManualClock } from '../../../src/clock';
import type { ComponentFactory } from '../../../src/config/component-factory';
import { ComponentRegistry } from '../../../src/config/component-registry';
import { parseConfigText } from '../../../src/config/parse-config';
import { attributesToRecord } from '../../../src/otlp/codec';
import type { ExportLogsServiceRequest, LogRecord } from '../../../src/otlp/model/logs';
import type { Signal } from '../../../src/otlp/signal';
import type { Consumer } from '../../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../../src/pipeline/telemetry-batch';
import type { RecommendEngine } from '../../../src/recommend/recommend-engine';
import { builtInRuntimes } from '../../../src/service/builtin-runtimes';
import type { ComponentRuntime } from '../../../src/service/runtime-factories';
import { Service } from '../../../src/service/service';
import { freePort } from '../../helpers/processes';
import { parsePrometheusText, select, valueOf } from '../../helpers/prometheus-text';
import {
  eventLoopP99,
  gcDuration,
  heapUsed,
  hexOf,
  idBytes,
  memoryLogger,
  metricsBatch,
  metricsRequest,
  nPlusOneTrace,
  T0,
  traceBatch,
  traceIdHex,
  traceRequest,
} from './otlp-helpers';

/*
 * The gateway's recommend processor inside a Service built from YAML, with a
 * ManualClock, a receiver that hands batches straight to the pipelines and
 * exporters that keep what they get. The evaluation loops run on faked
 * setInterval timers, so every evaluation happens exactly when the test says.
 */

function fakeFactory(kind: 'receiver' | 'exporter', type: string): ComponentFactory<{ fail?: boolean }, { fail: boolean }> {
  return {
    kind,
    type,
    signals: ['traces', 'metrics', 'logs'],
    schema: z.object({ fail: z.boolean().optional() }).strict(),
    createDefaultConfig: () => ({}),
    resolve: (config) => ({ fail: config.fail ?? false }),
  };
}

const registry = new ComponentRegistry([sloProcessorFactory, recommendProcessorFactory, prometheusExporterFactory, fakeFactory('receiver', 'fake'), fakeFactory('exporter', 'sink')]);

interface Harness {
  readonly service: Service;
  readonly clock: ManualClock;
  readonly logger: ReturnType<typeof memoryLogger>;
  /** The receiver's consumers, by signal. */
  readonly receive: Partial<Record<Signal, Consumer>>;
  /** What each sink exporter got. */
  readonly exported: Map<string, TelemetryBatch[]>;
  readonly engine: RecommendEngine;
}

const running: Service[] = [];

async function start(yaml: string): Promise<Harness> {
  const exported = new Map<string, TelemetryBatch[]>();
  let receive: Partial<Record<Signal, Consumer>> = {};
  const runtimes: ComponentRuntime[] = [
    {
      kind: 'receiver',
      type: 'fake',
      create(_settings, consumers) {
        receive = consumers;
        return { start: () => Promise.resolve(), shutdown: () => Promise.resolve() };
      },
    },
    {
      kind: 'exporter',
      type: 'sink',
      create(settings, _signals, context) {
        const got: TelemetryBatch[] = [];
        exported.set(context.id, got);
        const fail = (settings as { fail: boolean }).fail;
        return {
          consume: (batch) => (fail ? Promise.reject(new Error(`${context.id} refused the batch`)) : (got.push(batch), Promise.resolve())),
          start: () => Promise.resolve(),
          shutdown: () => Promise.resolve(),
        };
      },
    },
  ];
  const clock = new ManualClock(T0);
  const logger = memoryLogger();
  const service = new Service(parseConfigText(yaml, { file: 'test.yaml', env: {}, registry }), { logger, clock, runtimes: [...builtInRuntimes, ...runtimes] });
  running.push(service);
  await service.start();
  const engine = service.recommendEngines.get('recommend');
  if (engine === undefined) throw new Error('no recommend engine');
  return { service, clock, logger, receive, exported, engine };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});

afterEach(async () => {
  for (const service of running.splice(0)) await service.shutdown();
  vi.useRealTimers();
});

const PIPELINES = `
receivers:
  fake: {}
processors:
  slo:
  recommend: { slo: slo, evaluation_interval: 1s, decision_wait: 2s }
exporters:
  sink/traces: {}
  sink/metrics: {}
  sink/logs: {}
  prometheus: { endpoint: 127.0.0.1:PORT }
service:
  pipelines:
    traces: { receivers: [fake], processors: [slo, recommend], exporters: [sink/traces] }
    metrics: { receivers: [fake], processors: [recommend], exporters: [sink/metrics] }
    logs: { receivers: [fake], processors: [recommend], exporters: [sink/logs] }
    metrics/internal: { exporters: [prometheus] }
`;

/** The records of the logs pipeline's batches, with their resource's service.name and attributes as a record. */
function logRecords(batches: readonly TelemetryBatch[]): { service: unknown; scope: string | undefined; record: LogRecord; attributes: Record<string, unknown> }[] {
  return batches.flatMap((batch) =>
    ((batch.request as ExportLogsServiceRequest).resourceLogs ?? []).flatMap((resourceLogs) =>
      (resourceLogs.scopeLogs ?? []).flatMap((scopeLogs) =>
        (scopeLogs.logRecords ?? []).map((record) => ({
          service: attributesToRecord(resourceLogs.resource?.attributes)['service.name'],
          scope: scopeLogs.scope?.name,
          record,
          attributes: attributesToRecord(record.attributes),
        })),
      ),
    ),
  );
}

describe('recommend processor in the gateway', () => {
  it('assembles traces, finds an N+1 after the decision wait, and sends the recommendation down the logs pipeline', async () => {
    const port = await freePort();
    const h = await start(PIPELINES.replace('PORT', String(port)));
    const spans = [1, 2, 3, 4].flatMap((trace) => nPlusOneTrace({ trace, startMs: T0 - 100 + trace }));
    const batch = traceBatch(traceRequest('shop', spans));
    await h.receive.traces!.consume(batch);
    // Forwarded unchanged: the very batch that came in, first.
    expect(h.exported.get('sink/traces')).toEqual([batch]);
    expect(h.exported.get('sink/traces')![0]).toBe(batch);
    expect(h.engine.stats().buffer.spansReceived).toBe(36);

    // An interval passes with the traces still waiting: nothing decided yet.
    vi.advanceTimersByTime(1_000);
    expect(h.engine.stats().tracesAnalyzed).toBe(0);
    h.clock.advance(2_001);
    vi.advanceTimersByTime(1_000);
    expect(h.engine.stats().tracesAnalyzed).toBe(4);

    const [recommendation, ...others] = h.engine.list();
    expect(others).toEqual([]);
    expect(recommendation).toMatchObject({
      type: 'n_plus_one_db',
      service: 'shop',
      operation: 'GET /orders/:id',
      status: 'open',
      exampleTraceIds: [traceIdHex(4), traceIdHex(3), traceIdHex(2), traceIdHex(1)],
      // 8 queries of 10 ms: batching saves 70 ms per request, in every request of the operation.
      impact: { perRequestMs: 70, affectedShare: 1, slo: 'latency', errorBudgetShare: 0 },
    });
    expect(recommendation!.evidence).toMatchObject({ count: 8, statement: 'SELECT * FROM items WHERE id = ?', dbSystem: 'postgresql' });

    const records = logRecords(h.exported.get('sink/logs')!);
    expect(records).toHaveLength(1);
    const [{ service, scope, record, attributes }] = records as [(typeof records)[number]];
    expect([service, scope, record.eventName, record.severityText]).toEqual(['shop', 'slowatch.recommend', 'slowatch.recommendation', expect.any(String)]);
    expect(record.timeUnixNano).toBe(BigInt(h.clock.now()) * 1_000_000n);
    expect(hexOf(record.traceId!)).toBe(traceIdHex(4));
    expect(attributes).toMatchObject({
      'event.name': 'slowatch.recommendation',
      'slowatch.recommendation.change': 'opened',
      'slowatch.recommendation.id': recommendation!.id,
      'slowatch.recommendation.type': 'n_plus_one_db',
      'slowatch.recommendation.service': 'shop',
      'slowatch.recommendation.operation': 'GET /orders/:id',
      'slowatch.recommendation.status': 'open',
      'slowatch.recommendation.impact.per_request_ms': 70,
      'slowatch.recommendation.slo': 'latency',
      'slowatch.recommendation.example_trace_ids': [traceIdHex(4), traceIdHex(3), traceIdHex(2), traceIdHex(1)],
    });
    expect(attributes['slowatch.recommendation.evidence']).toMatchObject({ count: 8, statement: 'SELECT * FROM items WHERE id = ?' });

    // The same recommendation in /metrics, under the processor's id.
    const samples = parsePrometheusText(await (await fetch(h.service.metricsUrls[0]!)).text());
    expect(select(samples, RECOMMENDATION_METRIC_NAMES.info).map((s) => s.labels)).toEqual([
      { id: recommendation!.id, type: 'n_plus_one_db', service: 'shop', operation: 'GET /orders/:id', severity: recommendation!.severity },
    ]);
    expect(valueOf(samples, RECOMMENDATION_METRIC_NAMES.tracesAnalyzed, { processor: 'recommend' })).toBe(4);

    // Nothing new: the next evaluations send nothing.
    vi.advanceTimersByTime(3_000);
    expect(logRecords(h.exported.get('sink/logs')!)).toHaveLength(1);
    // The logs the receiver hands to the logs pipeline go through unchanged.
    const appLogs: TelemetryBatch = { signal: 'logs', request: { resourceLogs: [] }, itemCount: 0 };
    await h.receive.logs!.consume(appLogs);
    expect(h.exported.get('sink/logs')!.at(-1)).toBe(appLogs);
  });

  it('feeds the runtime metrics of the metrics pipeline to the runtime detectors, forwarding them unchanged', async () => {
    const h = await start(PIPELINES.replace('PORT', String(await freePort())));
    const seconds = (s: number) => T0 + s * 1000;
    const shop = metricsRequest(
      'shop',
      [
        // The p99 event-loop delay, in seconds: 250 ms in three intervals.
        eventLoopP99([
          [seconds(-120), 0.25],
          [seconds(-60), 0.25],
          [seconds(0), 0.25],
        ]),
        // GC: 39 s of pauses in 120 s, a cumulative histogram over two GC types.
        gcDuration('cumulative', [
          { timeMs: seconds(-120), startMs: seconds(-3600), type: 'major', sumSeconds: 0.6 },
          { timeMs: seconds(-120), startMs: seconds(-3600), type: 'minor', sumSeconds: 0.4 },
          { timeMs: seconds(-60), startMs: seconds(-3600), type: 'major', sumSeconds: 12 },
          { timeMs: seconds(-60), startMs: seconds(-3600), type: 'minor', sumSeconds: 8 },
          { timeMs: seconds(0), startMs: seconds(-3600), type: 'major', sumSeconds: 25 },
          { timeMs: seconds(0), startMs: seconds(-3600), type: 'minor', sumSeconds: 15 },
        ]),
        // The heap used, per space: old space grows by 5 MiB every 5 minutes for 55 minutes (60 MiB/h).
        ...Array.from({ length: 12 }, (_, k) => heapUsed(seconds(-3300 + 300 * k), { new_space: 1_048_576, old_space: (50 + 5 * k) * 1_048_576 })),
      ],
      'pod-1',
    );
    // Another service exporting GC time with delta temporality: 40 s of pauses in 120 s.
    const billing = metricsRequest(
      'billing',
      [-120, -60, 0].map((s) => gcDuration('delta', [{ timeMs: seconds(s), startMs: seconds(s - 60), type: 'minor', sumSeconds: s === -120 ? 0.5 : 20 }])),
      'pod-7',
    );
    const shopBatch = metricsBatch(shop);
    const billingBatch = metricsBatch(billing);
    const before = structuredClone(shop);
    await h.receive.metrics!.consume(shopBatch);
    await h.receive.metrics!.consume(billingBatch);
    expect(h.exported.get('sink/metrics')).toEqual([shopBatch, billingBatch]);
    expect(h.exported.get('sink/metrics')![0]).toBe(shopBatch);
    expect(shop).toEqual(before);
    expect(h.engine.stats().runtimeServices).toBe(2);

    vi.advanceTimersByTime(1_000);
    const found = h.engine
      .list()
      .map((r) => `${r.type} ${r.service}`)
      .sort();
    expect(found).toEqual(['event_loop_blocking shop', 'gc_pressure billing', 'gc_pressure shop', 'memory_leak_suspected shop']);
    const byType = new Map(h.engine.list().map((r) => [`${r.type} ${r.service}`, r]));
    expect(byType.get('event_loop_blocking shop')!.evidence).toMatchObject({ medianP99DelayMs: 250, sampleCount: 3 });
    expect(byType.get('gc_pressure shop')!.evidence['gcTimeShare']).toBeCloseTo(39 / 120, 3);
    expect(byType.get('gc_pressure billing')!.evidence['gcTimeShare']).toBeCloseTo(40 / 120, 3);
    // The reader records the floor of recent readings, which lags the growth at first: above the 10 MiB/h threshold, at most the 60 MiB/h sent.
    const slope = byType.get('memory_leak_suspected shop')!.evidence['slopeBytesPerHour'] as number;
    expect(slope).toBeGreaterThan(10 * 1_048_576);
    expect(slope).toBeLessThanOrEqual(60 * 1_048_576 + 1);

    // One batch, one ResourceLogs per service.
    const batches = h.exported.get('sink/logs')!;
    expect(batches).toHaveLength(1);
    expect(((batches[0]!.request as ExportLogsServiceRequest).resourceLogs ?? []).map((r) => attributesToRecord(r.resource?.attributes)['service.name'])).toEqual(['shop', 'billing']);
    expect(
      logRecords(batches)
        .map((r) => `${String(r.attributes['slowatch.recommendation.type'])} ${String(r.service)}`)
        .sort(),
    ).toEqual(found);
  });

  it('records nothing of a batch the rest of the pipeline refused (it will be sent again)', async () => {
    const h = await start(`
receivers:
  fake: {}
processors:
  recommend:
exporters:
  sink/down: { fail: true }
service:
  pipelines:
    traces: { receivers: [fake], processors: [recommend], exporters: [sink/down] }
    metrics: { receivers: [fake], processors: [recommend], exporters: [sink/down] }
`);
    await expect(h.receive.traces!.consume(traceBatch(traceRequest('shop', nPlusOneTrace({ trace: 1, startMs: T0 }))))).rejects.toThrow('sink/down refused the batch');
    await expect(h.receive.metrics!.consume(metricsBatch(metricsRequest('shop', [eventLoopP99([[T0, 0.5]])])))).rejects.toThrow('sink/down refused the batch');
    expect(h.engine.stats().buffer.spansReceived).toBe(0);
    expect(h.engine.stats().runtimeServices).toBe(0);
  });

  it('counts a logs pipeline that refuses the records, logging once; the recommendations stay', async () => {
    const h = await start(`
receivers:
  fake: {}
processors:
  recommend: { decision_wait: 1s, resolve_after: 10s }
exporters:
  sink/traces: {}
  sink/down: { fail: true }
service:
  pipelines:
    traces: { receivers: [fake], processors: [recommend], exporters: [sink/traces] }
    logs: { processors: [recommend], exporters: [sink/down] }
`);
    await h.receive.traces!.consume(traceBatch(traceRequest('shop', [1, 2, 3].flatMap((trace) => nPlusOneTrace({ trace, startMs: T0 - 100 })))));
    h.clock.advance(1_001);
    vi.advanceTimersByTime(5_000);
    // Resolved once its evidence is older than resolve_after: a second change refused downstream.
    h.clock.advance(20_000);
    vi.advanceTimersByTime(5_000);
    await Promise.resolve(); // the refusals settle
    expect(h.engine.list().map((r) => [r.type, r.status])).toEqual([['n_plus_one_db', 'resolved']]);
    expect(h.logger.lines.filter((line) => line.startsWith('error:'))).toEqual([
      'error: sending recommendation log records downstream failed; further failures are counted, not logged: sink/down refused the batch',
    ]);
    expect(h.logger.lines.filter((line) => line.startsWith('info: recommendation '))).toEqual([
      expect.stringMatching(/^info: recommendation opened \[\w+\] n_plus_one_db on shop GET \/orders\/:id: N\+1 queries in GET \/orders\/:id: 8 × SELECT \* FROM items WHERE id = \? \(id [0-9a-f]+\)$/),
      expect.stringMatching(/^info: recommendation resolved /),
    ]);
  });

  it('sends the last evaluation\'s records at shutdown, whatever the order of the pipelines, and leaves no timer behind', async () => {
    const h = await start(`
receivers:
  fake: {}
processors:
  recommend: { decision_wait: 1s }
exporters:
  sink/traces: {}
  sink/logs: {}
service:
  pipelines:
    logs: { processors: [recommend], exporters: [sink/logs] }
    traces: { receivers: [fake], processors: [recommend], exporters: [sink/traces] }
`);
    expect(vi.getTimerCount()).toBe(1); // the one evaluation loop of the id, shared by its two pipelines
    await h.receive.traces!.consume(traceBatch(traceRequest('shop', [1, 2, 3].flatMap((trace) => nPlusOneTrace({ trace, startMs: T0 - 100 })))));
    h.clock.advance(1_001);
    // No timer tick: the shutdown evaluates.
    await h.service.shutdown();
    running.splice(running.indexOf(h.service), 1);
    expect(logRecords(h.exported.get('sink/logs')!).map((r) => [r.attributes['slowatch.recommendation.type'], r.attributes['slowatch.recommendation.change']])).toEqual([
      ['n_plus_one_db', 'opened'],
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('shares one engine per id: recommend/<name> ids have their own', async () => {
    const h = await start(`
receivers:
  fake: {}
processors:
  recommend:
  recommend/b:
exporters:
  sink/traces: {}
service:
  pipelines:
    traces: { receivers: [fake], processors: [recommend], exporters: [sink/traces] }
    traces/b: { receivers: [fake], processors: [recommend/b], exporters: [sink/traces] }
    metrics: { receivers: [fake], processors: [recommend], exporters: [sink/traces] }
`);
    expect([...h.service.recommendEngines.keys()]).toEqual(['recommend', 'recommend/b']);
    await h.receive.traces!.consume(traceBatch(traceRequest('shop', nPlusOneTrace({ trace: 1, startMs: T0 }))));
    expect(h.engine.stats().buffer.spansReceived).toBe(9);
    expect(h.service.recommendEngines.get('recommend/b')!.stats().buffer.spansReceived).toBe(9);
    expect(hexOf(idBytes(1, 16))).toBe(traceIdHex(1));
  });
});
