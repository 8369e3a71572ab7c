import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { startGateway } from '../../src/cli/serve-command';
import type { RunningGateway } from '../../src/cli/serve-command';
import { ManualClock } from '../../src/clock';
import type { Logger } from '../../src/logging/logger';
import type { AnomalyEvent } from '../../src/engine/anomaly-event';
import { ENRICHMENT_ATTRIBUTES } from '../../processors/anomaly/span-enrichment';
import { Downstream } from '../helpers/otlp-fixtures';
import { freePort, waitUntil } from '../helpers/processes';
import { parsePrometheusText, select, valueOf } from '../helpers/prometheus-text';

/*
 * Acceptance test of the baseline and anomaly processors in the gateway,
 * in-process and deterministic: a ManualClock drives the intervals, a real
 * OTLP/HTTP protobuf client (the OpenTelemetry exporter) posts one batch per
 * simulated minute, and a local downstream captures what is forwarded.
 *
 * Steady traffic on three routes runs past the cold start (30 intervals by
 * default), then one route's latency doubles: exactly one anomaly must start,
 * on that route's p99, with its evidence, and none on the other routes.
 */

const MINUTE = 60_000;
/** A Monday 09:00 UTC, on an interval boundary. */
const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);
const STEADY_INTERVALS = 36;
const REGRESSED_INTERVALS = 3;
const SPANS_PER_ROUTE = 40;
const ROUTES = { '/products/:id': 20, '/cart': 50, '/search': 120 } as const;
type Route = keyof typeof ROUTES;
const REGRESSED: Route = '/cart';

/** The slowest steady /cart span: the p99 of 40 spans is within a few % of it. */
const STEADY_CART_P99_MS = ROUTES[REGRESSED] * 1.095;

interface Sent {
  readonly interval: number;
  readonly route: Route;
  readonly traceId: string;
  readonly spanId: string;
  readonly ms: number;
}

let dir: string;
let downstream: Downstream;
let gateway: RunningGateway;
let ports: { http: number; metrics: number };
const clock = new ManualClock(T0);
const logLines: string[] = [];
const delivered: AnomalyEvent[] = [];
const sent: Sent[] = [];
let client: OTLPTraceExporter;
let provider: BasicTracerProvider;
let memory: InMemorySpanExporter;

const logger: Logger = {
  error: (m, e) => logLines.push(`error ${m}${e === undefined ? '' : `: ${e instanceof Error ? e.message : JSON.stringify(e)}`}`),
  warn: (m) => logLines.push(`warn ${m}`),
  info: (m) => logLines.push(`info ${m}`),
  debug: () => undefined,
};

/** Duration of the i-th span of a route in an interval: the route's base ±10 %, the same pattern every interval. */
function durationMs(route: Route, i: number, interval: number): number {
  const regressed = route === REGRESSED && interval >= STEADY_INTERVALS;
  return ROUTES[route] * (0.9 + (0.2 * ((i * 7) % SPANS_PER_ROUTE)) / SPANS_PER_ROUTE) * (regressed ? 2 : 1);
}

/** One simulated minute: every route's spans in one OTLP request, then the clock moves on. */
async function sendInterval(interval: number): Promise<void> {
  const tracer = provider.getTracer('checkout-service', '1.0.0');
  const now = clock.now();
  for (const route of Object.keys(ROUTES) as Route[]) {
    for (let i = 0; i < SPANS_PER_ROUTE; i++) {
      const ms = durationMs(route, i, interval);
      const span = tracer.startSpan(`GET ${route}`, {
        kind: SpanKind.SERVER,
        startTime: now + i * 100,
        attributes: { 'http.request.method': 'GET', 'http.route': route, 'http.response.status_code': 200 },
      });
      span.end(now + i * 100 + ms);
      sent.push({ interval, route, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, ms });
    }
  }
  const spans: ReadableSpan[] = memory.getFinishedSpans();
  memory.reset();
  const result = await new Promise<ExportResult>((resolve) => client.export(spans, resolve));
  expect(result.code).toBe(0); // SUCCESS: the gateway answered 200 once the pipeline accepted the request
  clock.advance(MINUTE);
}

async function scrape(): Promise<ReturnType<typeof parsePrometheusText>> {
  return parsePrometheusText(await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text());
}

function forwardedSpans(): { spanId: string; attributes: Record<string, unknown> }[] {
  return downstream.spans().map(({ span }) => {
    const attributes: Record<string, unknown> = {};
    for (const kv of (span.attributes ?? []) as { key: string; value: Record<string, unknown> }[]) {
      attributes[kv.key] = kv.value.doubleValue ?? kv.value.boolValue ?? kv.value.stringValue ?? kv.value.intValue;
    }
    return { spanId: String(span.spanId), attributes };
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-anomaly-'));
  downstream = new Downstream();
  await downstream.start();
  ports = { http: await freePort(), metrics: await freePort() };
  const configPath = path.join(dir, 'otel-config.yaml');
  writeFileSync(
    configPath,
    `receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${ports.http} }
processors:
  baseline:
  anomaly:
exporters:
  otlp/downstream:
    endpoint: http://127.0.0.1:${downstream.port}
    compression: none
  prometheus: { endpoint: 127.0.0.1:${ports.metrics} }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [baseline, anomaly], exporters: [otlp/downstream] }
    metrics/self: { receivers: [], processors: [], exporters: [prometheus] }
`,
  );
  gateway = await startGateway({ configPath, env: {}, logger, clock });
  gateway.service.anomalyEngines.get('anomaly')!.subscribe((event) => delivered.push(event));
  memory = new InMemorySpanExporter();
  provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  client = new OTLPTraceExporter({ url: `http://127.0.0.1:${ports.http}/v1/traces` });

  for (let interval = 0; interval < STEADY_INTERVALS + REGRESSED_INTERVALS; interval++) await sendInterval(interval);
  // Close the last interval: the timer would, within a second; a scrape does it at once.
  await scrape();
  await waitUntil(() => Promise.resolve(downstream.spans().length >= sent.length ? true : undefined));
}, 60_000);

afterAll(async () => {
  await client?.shutdown();
  await provider?.shutdown();
  await gateway?.stop();
  await downstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('gateway: baseline + anomaly on a latency regression', () => {
  it('starts exactly one anomaly, on the regressed route\'s p99, and none on the others', () => {
    const engine = gateway.service.anomalyEngines.get('anomaly')!;
    const starts = engine.recentEvents().filter((e) => e.edge === 'start');
    expect(starts.map((e) => `${e.key.service} ${e.key.operation} ${e.key.spanKind} ${e.signal}`)).toEqual(['checkout GET /cart server latency_p99']);
    expect(engine.recentEvents().filter((e) => e.edge === 'end')).toEqual([]);
    // Delivered to onAnomaly subscribers and logged, one line.
    expect(delivered).toEqual(engine.recentEvents());
    expect(logLines.filter((l) => l.includes('anomaly started'))).toHaveLength(1);
    expect(logLines.filter((l) => l.startsWith('error') || l.startsWith('warn'))).toEqual([]);
  });

  it('gives the evidence: the interval, the expected band, the observed value, the score and the slowest trace ids', () => {
    const [start] = gateway.service.anomalyEngines.get('anomaly')!.recentEvents() as [AnomalyEvent];
    // Detected at the close of the first regressed interval.
    expect(start.atMs).toBe(T0 + (STEADY_INTERVALS + 1) * MINUTE);
    expect(start.startedAtMs).toBe(T0 + STEADY_INTERVALS * MINUTE);
    expect(start.unit).toBe('ms');
    expect(start.spanCount).toBe(SPANS_PER_ROUTE);
    expect(Math.max(...Array.from({ length: SPANS_PER_ROUTE }, (_, i) => durationMs(REGRESSED, i, 0)))).toBeCloseTo(STEADY_CART_P99_MS, 9);
    expect(start.expected!.center / STEADY_CART_P99_MS).toBeGreaterThan(0.97);
    expect(start.expected!.center / STEADY_CART_P99_MS).toBeLessThan(1.03);
    expect(start.expected!.low).toBeLessThan(start.expected!.center);
    expect(start.expected!.high).toBeLessThan(start.observed!);
    expect(start.observed! / start.expected!.center).toBeGreaterThan(1.9);
    expect(start.observed! / start.expected!.center).toBeLessThan(2.1);
    expect(start.score).toBeGreaterThan(0.5);
    expect(start.score).toBeLessThanOrEqual(1);
    // The three slowest /cart spans of that interval, as hex, slowest first.
    const slowest = sent
      .filter((s) => s.interval === STEADY_INTERVALS && s.route === REGRESSED)
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 3)
      .map((s) => s.traceId);
    expect(start.traceIds).toEqual(slowest);
    expect(start.recent.slice(0, -1).every((v) => v !== null && v < start.expected!.high)).toBe(true);
  });

  it('stamps forwarded spans once their key has a baseline: p99 baseline, duration / median baseline, anomaly state', () => {
    const bySpan = new Map(forwardedSpans().map((s) => [s.spanId, s.attributes]));
    expect(bySpan.size).toBe(sent.length);
    const at = (interval: number, route: Route): Record<string, unknown>[] =>
      sent.filter((s) => s.interval === interval && s.route === route).map((s) => bySpan.get(s.spanId)!);
    // Cold start: nothing added.
    for (const attributes of at(0, REGRESSED)) expect(Object.keys(attributes).filter((k) => k.startsWith('slowatch.'))).toEqual([]);
    // Warm, before the regression: the baselines, no anomaly.
    const before = at(STEADY_INTERVALS - 1, REGRESSED);
    for (const attributes of before) {
      expect(attributes[ENRICHMENT_ATTRIBUTES.anomalyActive]).toBe(false);
      expect(Number(attributes[ENRICHMENT_ATTRIBUTES.baselineP99Ms]) / STEADY_CART_P99_MS).toBeGreaterThan(0.97);
      expect(Number(attributes[ENRICHMENT_ATTRIBUTES.baselineP99Ms]) / STEADY_CART_P99_MS).toBeLessThan(1.03);
      expect(Number(attributes[ENRICHMENT_ATTRIBUTES.latencyVsBaseline])).toBeGreaterThan(0.8);
      expect(Number(attributes[ENRICHMENT_ATTRIBUTES.latencyVsBaseline])).toBeLessThan(1.25);
    }
    // Once the anomaly is open (spans sent after the first regressed interval closed).
    for (const attributes of at(STEADY_INTERVALS + 1, REGRESSED)) {
      expect(attributes[ENRICHMENT_ATTRIBUTES.anomalyActive]).toBe(true);
      expect(Number(attributes[ENRICHMENT_ATTRIBUTES.latencyVsBaseline])).toBeGreaterThan(1.7);
    }
    for (const attributes of at(STEADY_INTERVALS + 1, '/search')) expect(attributes[ENRICHMENT_ATTRIBUTES.anomalyActive]).toBe(false);
  });

  it('serves the baselines and the anomaly state on /metrics', async () => {
    const samples = await scrape();
    const cart = { service: 'checkout', operation: 'GET /cart', span_kind: 'server' };
    expect(valueOf(samples, 'slowatch_anomaly_active', { ...cart, signal: 'latency_p99' })).toBe(1);
    expect(valueOf(samples, 'slowatch_anomaly_score', { ...cart, signal: 'latency_p99' })).toBeGreaterThan(0.5);
    for (const operation of ['GET /products/:id', 'GET /search']) {
      expect(valueOf(samples, 'slowatch_anomaly_active', { operation, signal: 'latency_p99' })).toBe(0);
    }
    expect(select(samples, 'slowatch_anomaly_active')).toHaveLength(9); // 3 keys × 3 watched signals
    expect(valueOf(samples, 'slowatch_baseline_latency_seconds', { ...cart, percentile: '99' })).toBeCloseTo(STEADY_CART_P99_MS / 1000, 2);
    expect(valueOf(samples, 'slowatch_baseline_latency_seconds', { operation: 'GET /search', percentile: '50' })).toBeCloseTo(0.12, 2);
    expect(valueOf(samples, 'slowatch_baseline_error_ratio', cart)).toBe(0);
    expect(valueOf(samples, 'slowatch_baseline_keys', { processor: 'baseline', state: 'ready' })).toBe(3);
    expect(valueOf(samples, 'slowatch_anomaly_events_total', { processor: 'anomaly', signal: 'latency_p99', edge: 'start' })).toBe(1);
  });
});
