import { describe, it, expect, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { startGateway } from '../../src/cli/serve-command';
import type { RunningGateway } from '../../src/cli/serve-command';
import { ManualClock } from '../../src/clock';
import type { Logger } from '../../src/logging/logger';
import { createSeededRandom, standardNormalDraw } from '../../src/stats/mann-whitney/seeded-random';
import type { UniformRandom } from '../../src/stats/mann-whitney/seeded-random';
import { freePort } from '../helpers/processes';
import { parsePrometheusText, select, valueOf } from '../helpers/prometheus-text';
import type { Sample } from '../helpers/prometheus-text';

/*
 * Acceptance: the gateway in-process (startGateway) with a ManualClock,
 * a real OpenTelemetry OTLP/HTTP protobuf client posting to its receiver,
 * and the regression processor with its defaults (min_samples 100, 1 min
 * warm-up, Kayenta's Mann-Whitney classifier). Comparisons run only when
 * /metrics is scraped (evaluation_interval is 1h of real time), so every
 * verdict is made on exactly the data sent before the scrape.
 */

const T0 = Date.UTC(2026, 10, 2, 9);
const BATCH_EVERY_MS = 30_000;

interface Operation {
  readonly method: string;
  readonly route: string;
  readonly medianMs: number;
}

const OPERATIONS: readonly Operation[] = [
  { method: 'GET', route: '/products/:id', medianMs: 20 },
  { method: 'GET', route: '/cart', medianMs: 35 },
  { method: 'POST', route: '/checkout', medianMs: 120 },
];

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, error?: unknown) => lines.push(`${level}: ${message}${error instanceof Error ? `: ${error.message}` : ''}`);
  return { lines, error: push('error'), warn: push('warn'), info: push('info'), debug: push('debug') };
}

/** The `shop` service of one version, as its SDK would record server spans. */
class ShopVersion {
  private readonly memory = new InMemorySpanExporter();
  private readonly provider: BasicTracerProvider;

  constructor(readonly version: string) {
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop', 'service.version': version }),
      spanProcessors: [new SimpleSpanProcessor(this.memory)],
    });
  }

  /**
   * `perOperation` server spans of each operation, lognormal latencies
   * (σ 0.35) around the operation's median times its slowdown.
   */
  spans(perOperation: number, random: UniformRandom, slowdown: Readonly<Record<string, number>> = {}): ReadableSpan[] {
    const tracer = this.provider.getTracer('shop', this.version);
    for (let i = 0; i < perOperation; i++) {
      for (const op of OPERATIONS) {
        const name = `${op.method} ${op.route}`;
        const ms = op.medianMs * (slowdown[name] ?? 1) * Math.exp(0.35 * standardNormalDraw(random));
        const start = T0 + i;
        tracer
          .startSpan(name, {
            kind: SpanKind.SERVER,
            startTime: start,
            attributes: { 'http.request.method': op.method, 'http.route': op.route, 'http.response.status_code': 200 },
          })
          .end(start + ms);
      }
    }
    const spans = this.memory.getFinishedSpans();
    this.memory.reset();
    return [...spans];
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

interface Harness {
  readonly gateway: RunningGateway;
  readonly clock: ManualClock;
  readonly logger: Logger & { lines: string[] };
  readonly client: OTLPTraceExporter;
  send(spans: ReadableSpan[]): Promise<void>;
  scrape(): Promise<{ text: string; samples: Sample[] }>;
}

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function startHarness(): Promise<Harness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-regression-'));
  cleanup.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  const [http, metrics] = [await freePort(), await freePort()];
  const configPath = path.join(dir, 'otel-config.yaml');
  writeFileSync(
    configPath,
    `receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${http} }
processors:
  regression:
    evaluation_interval: 1h
exporters:
  prometheus: { endpoint: 127.0.0.1:${metrics} }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [regression], exporters: [] }
    metrics: { receivers: [], processors: [], exporters: [prometheus] }
`,
  );
  const clock = new ManualClock(T0);
  const logger = memoryLogger();
  const gateway = await startGateway({ configPath, env: {}, logger, clock });
  cleanup.push(() => gateway.stop());
  const client = new OTLPTraceExporter({ url: `http://127.0.0.1:${http}/v1/traces` });
  cleanup.push(() => client.shutdown());
  return {
    gateway,
    clock,
    logger,
    client,
    send: (spans) =>
      new Promise((resolve, reject) => {
        client.export(spans, (result) => (result.code === ExportResultCode.SUCCESS ? resolve() : reject(result.error ?? new Error('export failed'))));
      }),
    async scrape() {
      const text = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
      return { text, samples: parsePrometheusText(text) };
    },
  };
}

/** `[effect size, p-value, baseline samples, new samples]` from a `deploy regression:` line. */
function figuresOf(line: string): [number, number, number, number] {
  const match = /effect size (\S+) \(mean ratio\), p-value (\S+), .*samples (\d+) baseline \/ (\d+) new$/.exec(line);
  if (match === null) throw new Error(`not a regression line: ${line}`);
  return [Number(match[1]), Number(match[2]), Number(match[3]), Number(match[4])];
}

const regressionLines = (logger: { lines: string[] }) => logger.lines.filter((l) => /deploy (regression|improvement)/.test(l));

/** The figures of the one regression or improvement line logged, which must match `pattern`. */
function theOnlyRegressionLine(logger: { lines: string[] }, pattern: RegExp): [number, number, number, number] {
  const lines = regressionLines(logger);
  expect(lines).toHaveLength(1);
  const [line] = lines as [string];
  expect(line).toMatch(pattern);
  return figuresOf(line);
}

/** A gateway where 1.0.0 of the shop has served alone for 5 minutes (10 batches of 30 spans per operation), and 1.1.0 is ready. */
async function afterFiveMinutesOfTheOldVersion(seed: number) {
  const h = await startHarness();
  const random = createSeededRandom(seed);
  const v100 = new ShopVersion('1.0.0');
  const v110 = new ShopVersion('1.1.0');
  cleanup.push(() => v100.shutdown(), () => v110.shutdown());
  for (let batch = 0; batch < 10; batch++) {
    await h.send(v100.spans(30, random));
    h.clock.advance(BATCH_EVERY_MS);
  }
  return { h, random, v100, v110 };
}

describe('gateway: deploy regressions', () => {
  it('reports exactly one regression, for the one operation that 1.1.0 made 50 % slower', async () => {
    const { h, random, v110 } = await afterFiveMinutesOfTheOldVersion(2026);
    let scrape = await h.scrape();
    expect(select(scrape.samples, 'slowatch_regression_events_total')).toEqual([]);
    expect(valueOf(scrape.samples, 'slowatch_regression_deploys_total', { service: 'shop' })).toBe(0);
    expect(valueOf(scrape.samples, 'slowatch_regression_keys', { processor: 'regression' })).toBe(3);

    // 1.1.0 replaces it (a rolling deploy) and is 50 % slower on POST /checkout only.
    h.clock.advance(60_000);
    for (let batch = 0; batch < 12; batch++) {
      await h.send(v110.spans(30, random, { 'POST /checkout': 1.5 }));
      h.clock.advance(BATCH_EVERY_MS);
    }
    scrape = await h.scrape();

    expect(h.logger.lines.filter((l) => l.includes('deploy detected'))).toEqual(['info: deploy detected: service=shop 1.0.0 → 1.1.0']);
    const [effectSize, pValue, baselineSamples, newSamples] = theOnlyRegressionLine(
      h.logger,
      /^warn: deploy regression: service=shop operation="POST \/checkout" span_kind=server 1\.0\.0 → 1\.1\.0 \(rolling\): /,
    );
    expect(effectSize).toBeGreaterThan(1.35);
    expect(effectSize).toBeLessThan(1.65);
    expect(pValue).toBeLessThan(1e-9);
    // Every span of 1.0.0; 1.1.0's first two batches fell in its 1 min warm-up.
    expect([baselineSamples, newSamples]).toEqual([300, 300]);

    const checkout = { service: 'shop', operation: 'POST /checkout', span_kind: 'server' };
    expect(select(scrape.samples, 'slowatch_regression_events_total')).toEqual([
      { name: 'slowatch_regression_events_total', labels: { ...checkout, outcome: 'regression' }, value: 1 },
    ]);
    const verdicts = select(scrape.samples, 'slowatch_regression_effect_size_ratio').map((s) => [s.labels.operation, s.labels.outcome, s.labels.canary]);
    expect(verdicts.sort()).toEqual([
      ['GET /cart', 'pass', 'false'],
      ['GET /products/:id', 'pass', 'false'],
      ['POST /checkout', 'regression', 'false'],
    ]);
    const labels = { ...checkout, baseline_version: '1.0.0', version: '1.1.0', outcome: 'regression', canary: 'false' };
    expect(valueOf(scrape.samples, 'slowatch_regression_effect_size_ratio', labels)).toBeCloseTo(effectSize, 3);
    expect(valueOf(scrape.samples, 'slowatch_regression_p_value', labels)).toBeLessThan(1e-9);
    expect(valueOf(scrape.samples, 'slowatch_regression_deploys_total', { service: 'shop' })).toBe(1);
    expect(valueOf(scrape.samples, 'slowatch_regression_canary_active', { service: 'shop' })).toBe(0);

    // One verdict per pair: more traffic and scrapes make no second event.
    await h.send(v110.spans(30, random, { 'POST /checkout': 1.5 }));
    scrape = await h.scrape();
    expect(regressionLines(h.logger)).toHaveLength(1);
    expect(valueOf(scrape.samples, 'slowatch_regression_events_total', { ...checkout, outcome: 'regression' })).toBe(1);

    if (spawnSync('promtool', ['--version']).status === 0) {
      const result = spawnSync('promtool', ['check', 'metrics'], { input: scrape.text, encoding: 'utf8' });
      expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
    }
  });

  it('reports a canary regression while both versions serve side by side', async () => {
    const { h, random, v100, v110 } = await afterFiveMinutesOfTheOldVersion(7);
    // The canary takes a quarter of the traffic, and GET /cart is 60 % slower on it.
    for (let batch = 0; batch < 14; batch++) {
      await h.send([...v100.spans(30, random), ...v110.spans(10, random, { 'GET /cart': 1.6 })]);
      h.clock.advance(BATCH_EVERY_MS);
    }
    const { samples } = await h.scrape();

    const [effectSize, pValue, baselineSamples, newSamples] = theOnlyRegressionLine(
      h.logger,
      /^warn: deploy regression: service=shop operation="GET \/cart" span_kind=server 1\.0\.0 → 1\.1\.0 \(canary\): /,
    );
    expect(effectSize).toBeGreaterThan(1.4);
    expect(pValue).toBeLessThan(1e-6);
    // The baseline keeps a uniform sample of its 720 spans (500 per generation); 12 canary batches after the warm-up.
    expect([baselineSamples, newSamples]).toEqual([500, 120]);
    expect(valueOf(samples, 'slowatch_regression_canary_active', { service: 'shop' })).toBe(1);
    expect(select(samples, 'slowatch_regression_events_total').map((s) => [s.labels.operation, s.labels.outcome, s.value])).toEqual([['GET /cart', 'regression', 1]]);
    expect(
      valueOf(samples, 'slowatch_regression_effect_size_ratio', {
        operation: 'GET /cart',
        baseline_version: '1.0.0',
        version: '1.1.0',
        outcome: 'regression',
        canary: 'true',
      }),
    ).toBeCloseTo(effectSize, 3);
  });
});
