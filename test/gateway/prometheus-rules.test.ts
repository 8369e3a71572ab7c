/**
 * Issue 6's end-to-end acceptance with a real Prometheus (Debian's
 * `prometheus`, a temporary data directory, a loopback port):
 * - the gateway runs every processor, Prometheus scrapes it every second and
 *   evaluates the rules `slowatch rules` generates from the same config;
 * - after a load run with errors and slow requests, every query of every
 *   panel of every dashboard returns data from the Prometheus HTTP API
 *   (except the panels documented as possibly empty), and the rule-based SLO
 *   figures agree with the inline ones within 1 %;
 * - two gateways with different services plus one service split across
 *   both, scraped by one Prometheus, give the split service the same
 *   rule-based SLO as a single gateway fed the same traffic.
 *
 * Every batch has the same composition (5 % errors, 10 % slow), so rate()'s
 * extrapolation at the edges of the data changes good and bad counts in the
 * same proportion and the ratios compare exactly.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../src/cli/serve-command';
import type { RunningGateway } from '../../src/cli/serve-command';
import { loadConfig } from '../../src/config/load-config';
import { dashboardQueries } from '../../src/dashboards/dashboard-queries';
import type { Logger } from '../../src/logging/logger';
import { renderConfigRules } from '../../src/rules/objective-rules';
import { freePort } from '../helpers/processes';
import { hasPrometheus, startPrometheus } from '../helpers/prometheus-server';
import type { RunningPrometheus } from '../helpers/prometheus-server';

const silent: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Ports {
  readonly http: number;
  readonly metrics: number;
}

function gatewayConfig(ports: Ports): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${ports.http} }
processors:
  slo:
    evaluation_interval: 1s
    objectives:
      - name: availability
        sli: { availability: {} }
        objective: 99
      - name: latency
        sli: { latency: { threshold: 200ms } }
        objective: 95
  baseline:
    interval: 10s
    cold_start: 0s
  anomaly: {}
  regression:
    evaluation_interval: 1s
    min_samples: 20
    warmup: 0s
    window: 2m
  recommend:
    evaluation_interval: 1s
    decision_wait: 1s
exporters:
  prometheus: { endpoint: 127.0.0.1:${ports.metrics} }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [slo, baseline, anomaly, regression, recommend], exporters: [] }
    metrics: { exporters: [prometheus] }
`;
}

let spanCounter = 0;
const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

interface BatchOptions {
  /** @default '1.0.0' */
  readonly version?: string;
  /** Latencies × this (the fast ones stay under the 200 ms threshold, the slow ones over it). @default 1 */
  readonly slower?: number;
  /** The last span of the batch is the entry of an N+1 trace: 6 sequential identical queries of 12 ms. @default false */
  readonly nPlusOne?: boolean;
}

/**
 * 100 server spans of `service`: 5 failed, 10 over the 200 ms latency
 * threshold, the rest 20 ms (× `slower`). The composition never changes, so
 * the SLIs are exactly 5 % and 10 % whatever the options.
 */
function batch(service: string, route: string, options: BatchOptions = {}): unknown {
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const slower = options.slower ?? 1;
  const spans = [];
  for (let i = 0; i < 100; i++) {
    const n = ++spanCounter;
    const failed = i < 5;
    const slow = i >= 5 && i < 15;
    const nPlusOne = options.nPlusOne === true && i === 99;
    const durationNs = BigInt(nPlusOne ? 100 : Math.round((slow ? 300 : 20) * slower)) * 1_000_000n;
    if (nPlusOne) {
      for (let q = 0; q < 6; q++) {
        const start = nowNs - durationNs + BigInt(2 + q * 13) * 1_000_000n;
        spans.push({
          traceId: hex(n, 32),
          spanId: hex(1_000_000 + n * 10 + q, 16),
          parentSpanId: hex(n, 16),
          name: 'pg.query:SELECT shop',
          kind: 3,
          startTimeUnixNano: String(start),
          endTimeUnixNano: String(start + 12_000_000n),
          attributes: [
            { key: 'db.system', value: { stringValue: 'postgresql' } },
            { key: 'db.statement', value: { stringValue: `SELECT * FROM order_items WHERE order_id = ${q}` } },
          ],
          status: { code: 0 },
        });
      }
    }
    spans.push({
      traceId: hex(n, 32),
      spanId: hex(n, 16),
      name: `GET ${route}`,
      kind: 2,
      startTimeUnixNano: String(nowNs - durationNs),
      endTimeUnixNano: String(nowNs),
      attributes: [
        { key: 'http.request.method', value: { stringValue: 'GET' } },
        { key: 'http.route', value: { stringValue: route } },
        { key: 'http.response.status_code', value: { intValue: failed ? 500 : 200 } },
      ],
      status: { code: failed ? 2 : 0 },
    });
  }
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { stringValue: service } },
            { key: 'service.version', value: { stringValue: options.version ?? '1.0.0' } },
          ],
        },
        scopeSpans: [{ spans }],
      },
    ],
  };
}

async function post(port: number, body: unknown): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  await response.arrayBuffer();
}

interface Gateway {
  readonly running: RunningGateway;
  readonly ports: Ports;
  readonly rules: string;
}

async function startOne(dir: string, name: string): Promise<Gateway> {
  const ports = { http: await freePort(), metrics: await freePort() };
  const configPath = path.join(dir, `${name}.yaml`);
  writeFileSync(configPath, gatewayConfig(ports));
  const running = await startGateway({ configPath, env: {}, logger: silent });
  const rules = renderConfigRules(loadConfig({ configPath, env: {} }).config).yaml;
  return { running, ports, rules };
}

/** The value of an instant query's single series (or the first), as a number. */
async function scalar(prometheus: RunningPrometheus, expr: string): Promise<number | undefined> {
  const result = await prometheus.query(expr);
  return result.length === 0 ? undefined : Number(result[0]!.value[1]);
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await sleep(1000);
  }
}

const available = hasPrometheus();
if (!available && process.env.CI !== 'true') console.warn('prometheus not found (apt-get install prometheus): skipping the Prometheus end-to-end tests');

describe.skipIf(!available && process.env.CI !== 'true')('generated rules and dashboards on a real Prometheus', () => {
  let dir: string;
  let gateway: Gateway;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-rules-e2e-'));
    gateway = await startOne(dir, 'gateway');
    prometheus = await startPrometheus({ targets: [`127.0.0.1:${gateway.ports.metrics}`], rules: [gateway.rules] });
    // 25 batches over 25 s: past two baseline intervals, enough samples for every rate(). Version 1.1.0,
    // 1.5× slower, replaces 1.0.0 halfway (a deploy regression), and every batch carries an N+1 trace.
    for (let i = 0; i < 25; i++) {
      const deployed = i >= 12;
      await post(gateway.ports.http, batch('shop', '/orders', { version: deployed ? '1.1.0' : '1.0.0', slower: deployed ? 1.5 : 1, nPlusOne: true }));
      await sleep(1000);
    }
    await sleep(3000);
  }, 120_000);

  afterAll(async () => {
    await prometheus?.close();
    await gateway?.running.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('answers every query of every dashboard panel with data', async () => {
    const queries = dashboardQueries({ sloth_service: 'shop', sloth_slo: 'availability', service: 'shop', operation: '.*' });
    expect(queries.length).toBeGreaterThan(40);
    const empty: string[] = [];
    // The panels that may rightly be empty (a recommendation, a deploy verdict) have data here too:
    // the load planted an N+1 loop and a slower deploy.
    for (const q of queries) {
      const result = await eventually(async () => ((await prometheus.query(q.expr)).length > 0 ? true : undefined), 15_000);
      if (result === undefined) empty.push(`${q.dashboard} / ${q.panel}: ${q.expr}`);
    }
    expect(empty).toEqual([]);
  }, 240_000);

  it('gives the same SLO figures through the rules as inline, within 1 %', async () => {
    for (const [slo, expected] of [
      ['availability', 0.05],
      ['latency', 0.1],
    ] as const) {
      const ruled = await scalar(prometheus, `slo:sli_error:ratio_rate5m{sloth_service="shop", sloth_slo="${slo}"}`);
      const inline = await scalar(prometheus, `slowatch_slo_sli_error_ratio{service="shop", slo="${slo}", window="5m"}`);
      expect(inline, slo).toBeCloseTo(expected, 6);
      expect(ruled, slo).toBeDefined();
      expect(Math.abs(ruled! - inline!) / inline!, `${slo}: rules ${ruled} vs inline ${inline}`).toBeLessThan(0.01);
      const ruledBudget = await scalar(prometheus, `slo:period_error_budget_remaining:ratio{sloth_service="shop", sloth_slo="${slo}"}`);
      const inlineBudget = await scalar(prometheus, `slowatch_slo_error_budget_remaining_ratio{service="shop", slo="${slo}"}`);
      expect(Math.abs(ruledBudget! - inlineBudget!), `${slo}: budget rules ${ruledBudget} vs inline ${inlineBudget}`).toBeLessThan(0.01 * Math.max(1, Math.abs(inlineBudget!)));
    }
  });
});

describe.skipIf(!available && process.env.CI !== 'true')('scale-out: two gateways summed by the rules equal one gateway', () => {
  let dir: string;
  let left: Gateway;
  let right: Gateway;
  let single: Gateway;
  let pair: RunningPrometheus;
  let one: RunningPrometheus;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-scale-out-'));
    [left, right, single] = [await startOne(dir, 'left'), await startOne(dir, 'right'), await startOne(dir, 'single')];
    pair = await startPrometheus({ targets: [`127.0.0.1:${left.ports.metrics}`, `127.0.0.1:${right.ports.metrics}`], rules: [left.rules] });
    one = await startPrometheus({ targets: [`127.0.0.1:${single.ports.metrics}`], rules: [single.rules] });
    // cart only on the left, search only on the right, checkout split across both; the single gateway gets it all.
    for (let i = 0; i < 15; i++) {
      await Promise.all([
        post(left.ports.http, batch('cart', '/cart')),
        post(right.ports.http, batch('search', '/search')),
        post(i % 2 === 0 ? left.ports.http : right.ports.http, batch('checkout', '/checkout')),
        post(single.ports.http, batch('cart', '/cart')),
        post(single.ports.http, batch('search', '/search')),
        post(single.ports.http, batch('checkout', '/checkout')),
      ]);
      await sleep(1000);
    }
    await sleep(3000);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([pair?.close(), one?.close()]);
    await Promise.all([left?.running.stop(), right?.running.stop(), single?.running.stop()]);
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('computes the split service SLO across instances as a single gateway does', async () => {
    for (const slo of ['availability', 'latency']) {
      const expr = `slo:sli_error:ratio_rate5m{sloth_service="checkout", sloth_slo="${slo}"}`;
      const split = await eventually(() => scalar(pair, expr), 15_000);
      const whole = await eventually(() => scalar(one, expr), 15_000);
      expect(split, slo).toBeDefined();
      expect(Math.abs(split! - whole!), `${slo}: two gateways ${split} vs one ${whole}`).toBeLessThan(0.01 * whole!);
      // Each instance alone sees half of the traffic: the sum, not either part, is the SLO.
      const instances = await pair.query(`sum by (instance) (rate(slowatch_slo_events_total{service="checkout", slo="${slo}"}[5m]))`);
      expect(instances).toHaveLength(2);
    }
    for (const service of ['cart', 'search']) {
      const onPair = await scalar(pair, `slo:sli_error:ratio_rate5m{sloth_service="${service}", sloth_slo="availability"}`);
      const onOne = await scalar(one, `slo:sli_error:ratio_rate5m{sloth_service="${service}", sloth_slo="availability"}`);
      expect(Math.abs(onPair! - onOne!)).toBeLessThan(0.01 * onOne!);
    }
  });
});
