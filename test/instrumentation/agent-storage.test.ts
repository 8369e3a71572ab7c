import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startNode, waitUntil } from '../helpers/processes';
import type { RunningProcess } from '../helpers/processes';
import { parsePrometheusText, select } from '../helpers/prometheus-text';
import type { Sample } from '../helpers/prometheus-text';
import { SHOP_MIX, sendShopMix } from '../helpers/shop-traffic';

/*
 * The agent with the storage extension, in real processes: the example shop
 * under `node --require ./dist/instrumentation/register.js`, stopped and
 * started again on the same store file.
 */

const FAST_MIX = SHOP_MIX.filter((r) => !r.slow);
const FAST_BAD = FAST_MIX.filter((r) => r.status >= 500).length;

interface Ports {
  readonly app: number;
  readonly metrics: number;
  readonly web: number;
}

/** The shop's SLOs, /metrics, and the storage (and web) extensions; ids are named to check they key the snapshots. */
function configText(storePath: string, webPort: number, snapshotInterval: string): string {
  return `
processors:
  slo/shop:
    evaluation_interval: 1s
    objectives:
      - name: shop-availability
        service: shop
        sli: { availability: {} }
        objective: 99.9
        window: 30d
      - name: shop-routes
        service: shop
        sli: { availability: {} }
        objective: 99
        window: 28d
        group_by: [http.route]
exporters:
  prometheus: {}
extensions:
  storage/agent:
    path: ${JSON.stringify(storePath)}
    snapshot_interval: ${snapshotInterval}
    rollup_interval: ${snapshotInterval === '1s' ? '1m' : snapshotInterval}
  web:
    endpoint: 127.0.0.1:${webPort}
service:
  extensions: [storage/agent, web]
  pipelines:
    traces:
      processors: [slo/shop]
    metrics:
      exporters: [prometheus]
`;
}

function startShop(configPath: string, ports: Ports): RunningProcess {
  return startNode(['--require', './dist/instrumentation/register.js', 'examples/shop/server.cjs'], {
    PORT: String(ports.app),
    OTEL_SERVICE_NAME: 'shop',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(ports.metrics),
    SLOWATCH_CONFIG: configPath,
  });
}

async function sloCounters(metricsPort: number): Promise<Sample[]> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return select(parsePrometheusText(text), 'slowatch_slo_events_total').sort((a, b) => (JSON.stringify(a.labels) < JSON.stringify(b.labels) ? -1 : 1));
}

const countOf = (samples: readonly Sample[], slo: string, outcome: string): number =>
  samples.filter((s) => s.labels.slo === slo && s.labels.outcome === outcome).reduce((n, s) => n + s.value, 0);

/** Scrapes until shop-availability has counted `expected` events. */
function countersWhen(metricsPort: number, expected: number): Promise<Sample[]> {
  return waitUntil(async () => {
    const samples = await sloCounters(metricsPort);
    return countOf(samples, 'shop-availability', 'good') + countOf(samples, 'shop-availability', 'bad') === expected ? samples : undefined;
  });
}

async function newPorts(): Promise<Ports> {
  return { app: await freePort(), metrics: await freePort(), web: await freePort() };
}

describe('agent with the storage extension', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-agent-storage-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('resumes the SLO counters after a graceful restart on the same store, and serves the report API from it', async () => {
    const storePath = path.join(dir, 'graceful', 'slowatch.db');
    const configPath = path.join(dir, 'graceful.yaml');
    // One write per hour: what the second process finds can only come from the shutdown's last write.
    let ports = await newPorts();
    writeFileSync(configPath, configText(storePath, ports.web, '1h'));

    const first = startShop(configPath, ports);
    let before: Sample[];
    try {
      await first.waitFor(/shop listening/);
      const statuses = await sendShopMix(`http://127.0.0.1:${ports.app}`, FAST_MIX);
      expect(statuses).toEqual(FAST_MIX.map((r) => r.status));
      before = await countersWhen(ports.metrics, FAST_MIX.length);
      expect(countOf(before, 'shop-availability', 'bad')).toBe(FAST_BAD);
      // One series per route for shop-routes, besides shop-availability's good and bad.
      expect(new Set(before.filter((s) => s.labels.slo === 'shop-routes').map((s) => s.labels.http_route)).size).toBe(new Set(FAST_MIX.map((r) => r.route)).size);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    expect(first.stderr()).toContain(`extension storage/agent: store ${storePath}`);
    expect(first.stderr()).not.toMatch(/slowatch (error|warn)/);

    ports = await newPorts();
    writeFileSync(configPath, configText(storePath, ports.web, '1h'));
    const second = startShop(configPath, ports);
    try {
      await second.waitFor(/shop listening/);
      // Right after the restart, before any new request: every series exactly where the first process left it.
      expect(await sloCounters(ports.metrics)).toEqual(before);
      expect(second.stderr()).toContain('extension storage/agent: slo/slo/shop: restored 2, skipped 0');

      // The report API reads the same store: the first process's rollups, written at its shutdown.
      const list = (await (await fetch(`http://127.0.0.1:${ports.web}/api/v1/slos`)).json()) as { slos: { name: string; goodEvents: number; badEvents: number }[] };
      const availability = list.slos.find((s) => s.name === 'shop-availability');
      expect(availability).toMatchObject({ goodEvents: FAST_MIX.length - FAST_BAD, badEvents: FAST_BAD });
      const page = await fetch(`http://127.0.0.1:${ports.web}/slos/shop-availability`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('shop-availability');

      // And counting goes on from there, not from zero; the report pages' requests are not counted.
      await sendShopMix(`http://127.0.0.1:${ports.app}`, FAST_MIX.slice(0, 10));
      const after = await countersWhen(ports.metrics, FAST_MIX.length + 10);
      expect(countOf(after, 'shop-availability', 'good')).toBe(countOf(before, 'shop-availability', 'good') + 10);
      expect(after.some((s) => s.labels.http_route?.startsWith('/api') === true || s.labels.http_route?.startsWith('/slos') === true)).toBe(false);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    expect(second.stderr()).not.toMatch(/slowatch (error|warn)/);
  });

  it('writes the last snapshot in its own shutdown when the application has no SIGTERM handler (the agent re-raises the signal)', async () => {
    const storePath = path.join(dir, 'signal.db');
    const configPath = path.join(dir, 'signal.yaml');
    const run = async (requests: number): Promise<{ proc: RunningProcess; counters: Sample[]; ports: Ports }> => {
      const ports = await newPorts();
      writeFileSync(configPath, configText(storePath, ports.web, '1h'));
      const proc = startNode(['--require', './dist/instrumentation/register.js', 'test/fixtures/agent/signal-app.cjs'], {
        PORT: String(ports.app),
        SIGNAL_MODE: 'none',
        OTEL_SERVICE_NAME: 'shop',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(ports.metrics),
        SLOWATCH_CONFIG: configPath,
      });
      await proc.waitFor(/app listening/);
      const counters = await sloCounters(ports.metrics);
      for (let i = 0; i < requests; i++) await (await fetch(`http://127.0.0.1:${ports.app}/`)).text();
      return { proc, counters, ports };
    };
    const first = await run(7);
    try {
      expect(countOf(await countersWhen(first.ports.metrics, 7), 'shop-availability', 'good')).toBe(7);
      first.proc.child.kill('SIGTERM');
      const signal = await new Promise<NodeJS.Signals | null>((resolve) => first.proc.child.once('exit', (_code, s) => resolve(s)));
      expect(signal).toBe('SIGTERM');
    } finally {
      await first.proc.stop();
    }
    const second = await run(0);
    try {
      expect(countOf(second.counters, 'shop-availability', 'good')).toBe(7);
    } finally {
      await second.proc.stop();
    }
  });

  it('after kill -9, resumes from the last periodic snapshot', async () => {
    const storePath = path.join(dir, 'killed.db');
    const configPath = path.join(dir, 'killed.yaml');
    let ports = await newPorts();
    writeFileSync(configPath, configText(storePath, ports.web, '1s'));
    const first = startShop(configPath, ports);
    let before: Sample[];
    try {
      await first.waitFor(/shop listening/);
      await sendShopMix(`http://127.0.0.1:${ports.app}`, FAST_MIX);
      before = await countersWhen(ports.metrics, FAST_MIX.length);
      // Two snapshot intervals: at least one write after the last count.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
    } finally {
      first.child.kill('SIGKILL');
      await first.stop();
    }
    ports = await newPorts();
    writeFileSync(configPath, configText(storePath, ports.web, '1s'));
    const second = startShop(configPath, ports);
    try {
      await second.waitFor(/shop listening/);
      expect(await sloCounters(ports.metrics)).toEqual(before);
    } finally {
      await second.stop();
    }
  });

  it('runs without storage, logging one clear error, when the store file is not a slowatch store; the file is left untouched', async () => {
    const storePath = path.join(dir, 'garbage.db');
    const garbage = Buffer.from('this is not a database, and slowatch must not overwrite it\n'.repeat(200));
    writeFileSync(storePath, garbage);
    const configPath = path.join(dir, 'garbage.yaml');
    const ports = await newPorts();
    writeFileSync(configPath, configText(storePath, ports.web, '1s'));
    const shop = startShop(configPath, ports);
    try {
      await shop.waitFor(/shop listening/);
      const statuses = await sendShopMix(`http://127.0.0.1:${ports.app}`, FAST_MIX);
      expect(statuses).toEqual(FAST_MIX.map((r) => r.status));
      // The SLOs still count, in memory.
      await countersWhen(ports.metrics, FAST_MIX.length);
      // The report API says there is no store, rather than failing.
      expect((await fetch(`http://127.0.0.1:${ports.web}/api/v1/slos`)).status).toBe(503);
    } finally {
      expect(await shop.stop()).toBe(0);
    }
    const errorLines = shop.stderr().split('\n').filter((l) => l.startsWith('slowatch error'));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toContain(`extension storage/agent: store ${storePath} is not a SQLite database`);
    expect(errorLines[0]).toContain('the agent runs without storage');
    expect(readFileSync(storePath).equals(garbage)).toBe(true);
    expect(existsSync(`${storePath}-wal`) || existsSync(`${storePath}-shm`)).toBe(false);
  });
});
