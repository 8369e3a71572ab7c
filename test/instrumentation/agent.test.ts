import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createServer } from 'node:http';
import { freePort, startNode, waitUntil, REPO_ROOT } from '../helpers/processes';
import type { RunningProcess } from '../helpers/processes';
import { parsePrometheusText, valueOf, select } from '../helpers/prometheus-text';
import type { Sample } from '../helpers/prometheus-text';
import { SHOP_MIX, sendShopMix } from '../helpers/shop-traffic';

const SHOP_CONFIG = path.join(REPO_ROOT, 'test/fixtures/agent/shop-slos.yaml');
const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];
const DAY_S = 86_400;

interface StartedShop {
  readonly proc: RunningProcess;
  readonly appUrl: string;
  readonly metricsUrl: string;
}

async function startShop(entry: 'cjs' | 'esm', extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<StartedShop> {
  const appPort = await freePort();
  const metricsPort = await freePort();
  const loader = entry === 'cjs' ? ['--require', 'slowatch/register'] : ['--import', 'slowatch/register'];
  const script = entry === 'cjs' ? 'examples/shop/server.cjs' : 'examples/shop/server.mjs';
  const proc = startNode([...loader, ...extraArgs, script], {
    PORT: String(appPort),
    OTEL_SERVICE_NAME: 'shop',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
    SLOWATCH_CONFIG: SHOP_CONFIG,
    ...env,
  });
  await proc.waitFor(/shop listening/);
  return { proc, appUrl: `http://127.0.0.1:${appPort}`, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
}

async function scrape(url: string): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(url);
  const text = await res.text();
  return { text, samples: parsePrometheusText(text) };
}

/** Scrapes until the SLO event counters reach `expected` events for `slo`. */
async function scrapeWhenCounted(url: string, slo: string, expected: number): Promise<{ text: string; samples: Sample[] }> {
  return waitUntil(async () => {
    const result = await scrape(url);
    const counted = select(result.samples, 'slowatch_slo_events_total', { slo }).reduce((n, s) => n + s.value, 0);
    return counted === expected ? result : undefined;
  });
}

const total = SHOP_MIX.length;
const availabilityBad = SHOP_MIX.filter((r) => r.status >= 500).length;
const latencyBad = SHOP_MIX.filter((r) => r.slow).length;

function expectSloFigures(samples: Sample[], slo: string, bad: number, all: number, objective: number, periodDays: number, labels: Record<string, string> = { service: 'shop' }): void {
  const match = { slo, ...labels };
  const budget = 1 - objective;
  const ratio = bad / all;
  const burn = ratio / budget;
  expect(valueOf(samples, 'slowatch_slo_events_total', { ...match, outcome: 'good' })).toBe(all - bad);
  expect(valueOf(samples, 'slowatch_slo_events_total', { ...match, outcome: 'bad' })).toBe(bad);
  expect(valueOf(samples, 'slowatch_slo_objective_ratio', match)).toBeCloseTo(objective, 12);
  // Every event happened within the last minute, so every window holds all of them.
  for (const window of [...WINDOWS, `${periodDays}d`]) {
    expect(Math.abs(valueOf(samples, 'slowatch_slo_sli_error_ratio', { ...match, window }) - ratio)).toBeLessThan(1e-9);
    expect(Math.abs(valueOf(samples, 'slowatch_slo_burn_rate', { ...match, window }) - burn)).toBeLessThan(1e-9);
  }
  const remaining = 1 - burn;
  expect(Math.abs(valueOf(samples, 'slowatch_slo_error_budget_remaining_ratio', match) - remaining)).toBeLessThan(1e-9);
  const exhaustion = valueOf(samples, 'slowatch_slo_budget_exhaustion_seconds', match);
  if (remaining <= 0) expect(exhaustion).toBe(0);
  else if (burn === 0) expect(exhaustion).toBe(Infinity);
  else expect(Math.abs(exhaustion - (remaining * periodDays * DAY_S) / burn) / exhaustion).toBeLessThan(1e-9);
}

/** test/fixtures/agent/signal-app.cjs with the agent preloaded; mode 'none' has no SIGTERM handler, 'keep' drains. */
async function startSignalApp(mode: 'none' | 'keep', env: NodeJS.ProcessEnv = {}): Promise<{ proc: RunningProcess; appPort: number; metricsPort: number }> {
  const appPort = await freePort();
  const metricsPort = await freePort();
  const proc = startNode(['--require', 'slowatch/register', 'test/fixtures/agent/signal-app.cjs'], {
    PORT: String(appPort),
    SIGNAL_MODE: mode,
    OTEL_SERVICE_NAME: 'shop',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
    SLOWATCH_CONFIG: SHOP_CONFIG,
    ...env,
  });
  return { proc, appPort, metricsPort };
}

/** A bare OTLP/HTTP endpoint that keeps the bodies POSTed to /v1/traces. */
async function startOtlpReceiver(): Promise<{ url: string; bodies: Buffer[]; contentTypes: string[]; close(): Promise<void> }> {
  const bodies: Buffer[] = [];
  const contentTypes: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        bodies.push(Buffer.concat(chunks));
        contentTypes.push(String(req.headers['content-type']));
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, bodies, contentTypes, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function promtoolAvailable(): boolean {
  const found = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!found) console.warn('promtool not found: skipping the exposition lint (CI installs Debian\'s prometheus package)');
  return found;
}

describe.each(['cjs', 'esm'] as const)('agent preloaded into the example shop (%s)', (entry) => {
  let shop: StartedShop;

  beforeAll(async () => {
    shop = await startShop(entry);
  });
  afterAll(async () => {
    await shop?.proc.stop();
  });

  it('counts the scripted mix exactly and computes budgets and burn rates', async () => {
    const statuses = await sendShopMix(shop.appUrl);
    expect(statuses).toEqual(SHOP_MIX.map((r) => r.status));

    const { samples } = await scrapeWhenCounted(shop.metricsUrl, 'shop-availability', total);
    expectSloFigures(samples, 'shop-availability', availabilityBad, total, 0.999, 30);
    expectSloFigures(samples, 'shop-latency', latencyBad, total, 0.95, 30);

    // group_by http.route: one series per route, with the route as a label.
    const routes = new Map<string, { all: number; bad: number }>();
    for (const r of SHOP_MIX) {
      const c = routes.get(r.route) ?? { all: 0, bad: 0 };
      c.all++;
      if (r.status >= 500) c.bad++;
      routes.set(r.route, c);
    }
    expect(select(samples, 'slowatch_slo_objective_ratio', { slo: 'shop-routes' })).toHaveLength(routes.size);
    for (const [route, c] of routes) {
      expectSloFigures(samples, 'shop-routes', c.bad, c.all, 0.99, 28, { service: 'shop', http_route: route });
    }

    // The page alert: the error ratio (11/74) is far above 14.4 x 0.1% in both 5m and 1h.
    const firing = await waitUntil(async () => {
      const { samples: s } = await scrape(shop.metricsUrl);
      return valueOf(s, 'slowatch_slo_alert_firing', { slo: 'shop-availability', severity: 'page' }) === 1 ? s : undefined;
    });
    expect(valueOf(firing, 'slowatch_slo_alert_firing', { slo: 'shop-availability', severity: 'ticket' })).toBe(1);
    // 3/74 = 4.05% errors against a 5% budget is a burn of 0.81: below every threshold.
    expect(valueOf(firing, 'slowatch_slo_alert_firing', { slo: 'shop-latency', severity: 'page' })).toBe(0);
    expect(valueOf(firing, 'slowatch_slo_alert_firing', { slo: 'shop-latency', severity: 'ticket' })).toBe(0);
  });

  it('does not count its own /metrics requests, and serves runtime metrics', async () => {
    for (let i = 0; i < 5; i++) await scrape(shop.metricsUrl);
    const { samples } = await scrapeWhenCounted(shop.metricsUrl, 'shop-availability', total);
    expect(select(samples, 'slowatch_slo_events_total', { slo: 'shop-routes' }).some((s) => s.labels.http_route === '/metrics')).toBe(false);
    expect(samples.some((s) => s.name.startsWith('nodejs_eventloop'))).toBe(true);
  });

  it.runIf(promtoolAvailable() || process.env.CI === 'true')('passes promtool check metrics', async () => {
    const { text } = await scrape(shop.metricsUrl);
    const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('logs an alert line when the page alert fires', async () => {
    await shop.proc.waitFor(/SLO alert firing: slo=shop-availability service=shop severity=page/, 15_000);
  });
});

describe('agent under faults', () => {
  it('keeps serving every request when the SLO engine throws on every span, logging one line', async () => {
    const shop = await startShop('cjs', ['--require', './test/fixtures/agent/throwing-engine.cjs']);
    try {
      const statuses = await sendShopMix(shop.appUrl, SHOP_MIX.filter((r) => !r.slow));
      expect(statuses).toEqual(SHOP_MIX.filter((r) => !r.slow).map((r) => r.status));
      const again = await sendShopMix(shop.appUrl, SHOP_MIX.filter((r) => !r.slow));
      expect(again.length).toBe(SHOP_MIX.length - latencyBad);
      const lines = shop.proc.stderr().split('\n').filter((l) => l.includes('SLO span processing failed'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('injected fault');
    } finally {
      await shop.proc.stop();
    }
  });

  it('runs the app uninstrumented with one clear error line when the config is unusable', async () => {
    const shop = await startShop('cjs', [], { SLOWATCH_CONFIG: path.join(REPO_ROOT, 'test/fixtures/agent/does-not-exist.yaml') });
    try {
      const statuses = await sendShopMix(shop.appUrl, SHOP_MIX.slice(0, 10));
      expect(statuses.every((s) => s === 200)).toBe(true);
      const errorLines = shop.proc.stderr().split('\n').filter((l) => l.startsWith('slowatch error'));
      expect(errorLines).toHaveLength(1);
      expect(errorLines[0]).toContain('does-not-exist.yaml');
      await expect(fetch(shop.metricsUrl)).rejects.toThrow();
    } finally {
      await shop.proc.stop();
    }
  });

  it('names every config issue with its YAML path and line, on one line', async () => {
    const shop = await startShop('cjs', [], { SLOWATCH_CONFIG: path.join(REPO_ROOT, 'test/fixtures/agent/invalid-objective.yaml') });
    try {
      const statuses = await sendShopMix(shop.appUrl, SHOP_MIX.slice(0, 5));
      expect(statuses.every((s) => s === 200)).toBe(true);
      const errorLines = shop.proc.stderr().split('\n').filter((l) => l.startsWith('slowatch error'));
      expect(errorLines).toHaveLength(1);
      expect(errorLines[0]).toContain('processors.slo.objectives[0].objective: must be > 0 and < 100, got 999');
      expect(errorLines[0]).toContain('invalid-objective.yaml:6');
      expect(errorLines[0]).toContain('processors.slo.objectives[1].name');
    } finally {
      await shop.proc.stop();
    }
  });

  it('honours OTEL_RESOURCE_ATTRIBUTES and OTEL_NODE_DISABLED_INSTRUMENTATIONS', async () => {
    const viaResource = await startShop('cjs', [], { OTEL_SERVICE_NAME: '', OTEL_RESOURCE_ATTRIBUTES: 'service.name=shop,deployment.environment=test' });
    try {
      await sendShopMix(viaResource.appUrl, SHOP_MIX.slice(0, 4));
      const { samples } = await scrapeWhenCounted(viaResource.metricsUrl, 'shop-availability', 4);
      expect(valueOf(samples, 'slowatch_slo_events_total', { slo: 'shop-availability', service: 'shop', outcome: 'good' })).toBe(4);
    } finally {
      await viaResource.proc.stop();
    }
    const httpOff = await startShop('cjs', [], { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http,express' });
    try {
      await sendShopMix(httpOff.appUrl, SHOP_MIX.slice(0, 4));
      // /metrics is served (the agent runs) but no server span was ever made.
      const { samples } = await scrape(httpOff.metricsUrl);
      expect(select(samples, 'slowatch_slo_events_total')).toEqual([]);
    } finally {
      await httpOff.proc.stop();
    }
  });

  it('does nothing when OTEL_SDK_DISABLED=true', async () => {
    const shop = await startShop('cjs', [], { OTEL_SDK_DISABLED: 'true' });
    try {
      const statuses = await sendShopMix(shop.appUrl, SHOP_MIX.slice(0, 5));
      expect(statuses.every((s) => s === 200)).toBe(true);
      await expect(fetch(shop.metricsUrl)).rejects.toThrow();
      expect(shop.proc.stderr()).toBe('');
    } finally {
      await shop.proc.stop();
    }
  });

  it("never holds the app open: it exits on its own SIGTERM handler while a scrape connection idles", async () => {
    const shop = await startShop('cjs');
    // fetch keeps the scrape connection alive (5 s idle timeout on the server); it must not delay the exit.
    await scrape(shop.metricsUrl);
    const started = Date.now();
    const code = await shop.proc.stop(8_000);
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('flushes pending spans on SIGTERM and then exits by the signal when the app has no handler', async () => {
    const otlp = await startOtlpReceiver();
    const { proc, appPort } = await startSignalApp('none', {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      // Nothing leaves on the batch timer during the test: only the shutdown flush sends.
      OTEL_BSP_SCHEDULE_DELAY: '600000',
    });
    try {
      await proc.waitFor(/app listening/);
      for (let i = 0; i < 3; i++) await (await fetch(`http://127.0.0.1:${appPort}/flush-me`)).text();
      expect(otlp.bodies).toHaveLength(0);
      proc.child.kill('SIGTERM');
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        proc.child.once('exit', (c, s) => resolve([c, s])),
      );
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
      expect(Buffer.concat(otlp.bodies).includes('/flush-me')).toBe(true);
    } finally {
      await proc.stop();
      await otlp.close();
    }
  });

  it('keeps counting and serving /metrics while an app that handles SIGTERM drains', async () => {
    const { proc, appPort, metricsPort } = await startSignalApp('keep');
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    try {
      await proc.waitFor(/app listening/);
      await (await fetch(`http://127.0.0.1:${appPort}/`)).text();
      proc.child.kill('SIGTERM');
      await proc.waitFor(/draining \(1\)/);
      await (await fetch(`http://127.0.0.1:${appPort}/`)).text();
      const { samples } = await scrapeWhenCounted(metricsUrl, 'shop-availability', 2);
      expect(valueOf(samples, 'slowatch_slo_events_total', { slo: 'shop-availability', outcome: 'good' })).toBe(2);
      proc.child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
      expect(code).toBe(0);
    } finally {
      await proc.stop();
    }
  });

  it('also sends spans over OTLP http/protobuf with OTEL_TRACES_EXPORTER=otlp', async () => {
    const otlp = await startOtlpReceiver();
    const shop = await startShop('cjs', [], {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
    try {
      await sendShopMix(shop.appUrl, SHOP_MIX.slice(0, 3));
      await waitUntil(() => Promise.resolve(Buffer.concat(otlp.bodies).includes('/products/:id') ? true : undefined));
      expect(otlp.contentTypes.every((t) => t === 'application/x-protobuf')).toBe(true);
      const { samples } = await scrapeWhenCounted(shop.metricsUrl, 'shop-availability', 3);
      expect(valueOf(samples, 'slowatch_slo_events_total', { slo: 'shop-availability', outcome: 'good' })).toBe(3);
    } finally {
      await shop.proc.stop();
      await otlp.close();
    }
  });

  it('runs the baseline, anomaly and regression processors of its config and serves their metrics', async () => {
    const shop = await startShop('cjs', [], {
      SLOWATCH_CONFIG: path.join(REPO_ROOT, 'test/fixtures/agent/shop-intelligence.yaml'),
      OTEL_RESOURCE_ATTRIBUTES: 'service.version=1.0.0',
    });
    try {
      await sendShopMix(shop.appUrl);
      const routes = new Set(SHOP_MIX.map((r) => `${r.method} ${r.route}`)).size;
      const { text, samples } = await waitUntil(async () => {
        const result = await scrape(shop.metricsUrl);
        const keys = select(result.samples, 'slowatch_regression_keys', {}).reduce((n, s) => n + s.value, 0);
        return keys === routes ? result : undefined;
      });
      // One baseline key per server route, still learning until its first roll-up; no version change, so no verdict.
      const baselineKeys = select(samples, 'slowatch_baseline_keys', { processor: 'baseline' }).reduce((n, s) => n + s.value, 0);
      expect(baselineKeys).toBe(routes);
      expect(select(samples, 'slowatch_regression_deploys_total', { service: 'shop' }).reduce((n, s) => n + s.value, 0)).toBe(0);
      expect(text).not.toContain('slowatch_regression_effect_size_ratio{');
      expect(shop.proc.stderr()).not.toMatch(/slowatch (error|warn)/);
    } finally {
      await shop.proc.stop();
    }
  });

});
