/**
 * Issue 7's restart acceptance for `extensions.storage`, on real
 * `slowatch serve` processes (dist/), each with its own temporary store:
 *
 * 1. a graceful restart (SIGTERM) loses nothing: the SLO counters, the
 *    window ratios and the store-backed /api/v1/slos show every span right
 *    after the restart, before any new span, and new spans add to them;
 * 2. after `kill -9` the SLO counts resume from the last snapshot: at most
 *    one snapshot_interval of spans is missing, never a part of a request,
 *    and the store's rollups agree with the restored counters;
 * 3. a file that is not a slowatch store (garbage, a truncated store,
 *    another application's SQLite database) stops the start with one clear
 *    error line naming it, and is left byte for byte as it was, with no
 *    -wal or -shm file beside it.
 *
 * snapshot_interval is 1s (its minimum) to keep the file fast.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SlowatchStore } from '../../src/storage/slowatch-store';
import type { StoredEvent } from '../../src/storage/store-records';
import { availabilityBatch, postSpans } from '../helpers/otlp-spans';
import { freePort, startNode } from '../helpers/processes';
import type { RunningProcess } from '../helpers/processes';
import { parsePrometheusText, select, valueOf } from '../helpers/prometheus-text';

const SNAPSHOT_INTERVAL_MS = 1_000;
const SLO = 'availability';
const SERVICE = 'shop';

interface Ports {
  readonly http: number;
  readonly metrics: number;
  readonly health: number;
  readonly web: number;
}

/** A temporary directory holding the config and the store, and the ports every run of it listens on. */
interface Site {
  readonly dir: string;
  readonly configPath: string;
  readonly storePath: string;
  readonly ports: Ports;
}

const sites: Site[] = [];
const processes: RunningProcess[] = [];

afterEach(async () => {
  // A failed assertion must not leave a gateway running.
  await Promise.all(processes.splice(0).map((p) => p.stop()));
});

afterAll(() => {
  for (const site of sites.splice(0)) rmSync(site.dir, { recursive: true, force: true });
});

function render(site: Omit<Site, 'configPath'>): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${site.ports.http} }
processors:
  slo:
    evaluation_interval: 1s
    objectives:
      - name: ${SLO}
        service: ${SERVICE}
        sli: { availability: {} }
        objective: 99
  baseline: {}
exporters:
  prometheus: { endpoint: 127.0.0.1:${site.ports.metrics} }
extensions:
  health_check: { endpoint: 127.0.0.1:${site.ports.health} }
  web: { endpoint: 127.0.0.1:${site.ports.web} }
  storage:
    path: ${JSON.stringify(site.storePath)}
    snapshot_interval: ${SNAPSHOT_INTERVAL_MS / 1000}s
service:
  extensions: [health_check, web, storage]
  pipelines:
    traces: { receivers: [otlp], processors: [slo, baseline], exporters: [] }
    metrics: { exporters: [prometheus] }
`;
}

async function newSite(prefix: string): Promise<Site> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `slowatch-${prefix}-`));
  const ports = { http: await freePort(), metrics: await freePort(), health: await freePort(), web: await freePort() };
  const site = { dir, storePath: path.join(dir, 'slowatch.db'), ports };
  const configPath = path.join(dir, 'otel-config.yaml');
  writeFileSync(configPath, render(site));
  const complete = { ...site, configPath };
  sites.push(complete);
  return complete;
}

function launch(site: Site): RunningProcess {
  const proc = startNode(['dist/src/cli/main.js', 'serve', '--config', site.configPath], {});
  processes.push(proc);
  return proc;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null } | 'still running';

/** How the process ended, or 'still running' after `timeoutMs` (so a gateway that should have exited fails fast). */
function exitOf(proc: RunningProcess, timeoutMs = 20_000): Promise<Exit> {
  const { child } = proc;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still running'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/** Starts `slowatch serve` on the site; resolves once /readyz answers 200 (the store is open and restored by then). */
async function startServe(site: Site): Promise<RunningProcess> {
  const proc = launch(site);
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`slowatch serve exited (${String(proc.child.exitCode ?? proc.child.signalCode)}) before it was ready:\n${proc.stderr()}`);
    }
    const ready = await fetch(`http://127.0.0.1:${site.ports.health}/readyz`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) return proc;
    if (Date.now() > deadline) throw new Error(`slowatch serve not ready within 20 s:\n${proc.stderr()}`);
    await sleep(50);
  }
}

/** SIGTERM, then the exit code (SIGKILL after 10 s, which fails the exit-0 assertions). */
async function stopServe(proc: RunningProcess): Promise<number | null> {
  const code = await proc.stop();
  processes.splice(processes.indexOf(proc), 1);
  return code;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface SloFigures {
  readonly good: number;
  readonly bad: number;
  /** slowatch_slo_sli_error_ratio over the 5m window: bad / (good + bad) of the window's events. */
  readonly errorRatio5m: number;
  /** slowatch_baseline_keys{state="learning"}: keys the baseline tracks in their cold start. */
  readonly baselineKeysLearning: number;
}

/** The SLO's figures as the gateway's own /metrics shows them. */
async function scrape(site: Site): Promise<SloFigures> {
  const samples = parsePrometheusText(await (await fetch(`http://127.0.0.1:${site.ports.metrics}/metrics`)).text());
  const series = { slo: SLO, service: SERVICE };
  const events = (outcome: string): number => select(samples, 'slowatch_slo_events_total', { ...series, outcome }).reduce((sum, s) => sum + s.value, 0);
  return {
    good: events('good'),
    bad: events('bad'),
    errorRatio5m: select(samples, 'slowatch_slo_sli_error_ratio', { ...series, window: '5m' })[0]?.value ?? NaN,
    baselineKeysLearning: valueOf(samples, 'slowatch_baseline_keys', { processor: 'baseline', state: 'learning' }),
  };
}

/** The SLO's good and bad events as the web extension's /api/v1/slos reads them from the store (its 30-day period). */
async function storeTotals(site: Site): Promise<{ good: number; bad: number; total: number }> {
  const response = await fetch(`http://127.0.0.1:${site.ports.web}/api/v1/slos`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { slos: { name: string; goodEvents: number; badEvents: number; totalEvents: number }[] };
  const row = body.slos.find((slo) => slo.name === SLO);
  if (row === undefined) throw new Error(`/api/v1/slos has no ${SLO}: ${JSON.stringify(body)}`);
  return { good: row.goodEvents, bad: row.badEvents, total: row.totalEvents };
}

/** Polls until `probe` gives a value equal to `expected` (then returns it), or returns the last value after the timeout. */
async function settle<T>(probe: () => Promise<T>, expected: T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (JSON.stringify(value) === JSON.stringify(expected) || Date.now() > deadline) return value;
    await sleep(100);
  }
}

/** The storage extension's restore line for an engine, e.g. `slo/slo: restored 1, skipped 0 from the snapshot of 2026-…Z`. */
function restoreLine(proc: RunningProcess, component: string): string | undefined {
  return proc
    .stderr()
    .split('\n')
    .find((line) => line.includes(`extension storage: ${component}: restored `));
}

describe('graceful restart (SIGTERM)', () => {
  it('loses nothing: counters, window ratio and the store show every span before any new one', async () => {
    const site = await newSite('graceful');
    const first = await startServe(site);
    const batches = [
      { good: 40, bad: 2 },
      { good: 55, bad: 5 },
      { good: 30, bad: 1 },
    ];
    for (const batch of batches) await postSpans(site.ports.http, availabilityBatch(batch));
    const good = batches.reduce((n, b) => n + b.good, 0);
    const bad = batches.reduce((n, b) => n + b.bad, 0);
    const before = await scrape(site);
    expect({ good: before.good, bad: before.bad }).toEqual({ good, bad });
    expect(before.baselineKeysLearning).toBe(1);

    expect(await stopServe(first)).toBe(0);
    expect(first.stderr()).not.toMatch(/slowatch (error|warn)/);

    const second = await startServe(site);
    // Right after start, before any new span.
    const restored = await scrape(site);
    expect(restored.good).toBe(good);
    expect(restored.bad).toBe(bad);
    expect(restored.errorRatio5m).toBeCloseTo(bad / (good + bad), 12);
    expect(restored.baselineKeysLearning, 'the baseline key is restored too').toBe(1);
    expect(restoreLine(second, 'slo/slo')).toMatch(/restored 1, skipped 0 /);
    expect(restoreLine(second, 'baseline/baseline')).toMatch(/restored 1, skipped 0 /);
    expect(await storeTotals(site)).toEqual({ good, bad, total: good + bad });

    // New spans add to the restored counts, in the engine and in the store's rollups.
    const more = { good: 20, bad: 3 };
    await postSpans(site.ports.http, availabilityBatch(more));
    const after = await scrape(site);
    expect({ good: after.good, bad: after.bad }).toEqual({ good: good + more.good, bad: bad + more.bad });
    expect(after.errorRatio5m).toBeCloseTo((bad + more.bad) / (good + bad + more.good + more.bad), 12);
    const expectedStore = { good: good + more.good, bad: bad + more.bad, total: good + bad + more.good + more.bad };
    expect(await settle(() => storeTotals(site), expectedStore)).toEqual(expectedStore);

    expect(await stopServe(second)).toBe(0);
    expect(second.stderr()).not.toMatch(/slowatch (error|warn)/);
  });
});

describe('kill -9', () => {
  it('resumes from the last snapshot with at most one snapshot interval of spans missing', async () => {
    const site = await newSite('kill9');
    const first = await startServe(site);

    // Batches every quarter interval over ~3.5 intervals. Batch i has a
    // distinct size, so any restored total names the batches it holds.
    const BATCHES = 14;
    const SPACING_MS = SNAPSHOT_INTERVAL_MS / 4;
    const sent: { good: number; bad: number; acceptedMs: number }[] = [];
    for (let i = 0; i < BATCHES; i++) {
      const batch = { good: 10 + i, bad: i % 3 };
      sent.push({ ...batch, acceptedMs: await postSpans(site.ports.http, availabilityBatch(batch)) });
      await sleep(SPACING_MS);
    }
    const total = { good: sent.reduce((n, b) => n + b.good, 0), bad: sent.reduce((n, b) => n + b.bad, 0) };
    const counted = await scrape(site);
    expect({ good: counted.good, bad: counted.bad }, 'everything was counted before the kill').toEqual(total);

    // Half a spacing after the last batch: the batches that must survive
    // (accepted ≥ one interval before the kill) are at least half a spacing
    // away from that bound.
    const lastAcceptedMs = sent.at(-1)?.acceptedMs ?? 0;
    await sleep(Math.max(0, lastAcceptedMs + SPACING_MS / 2 - Date.now()));
    const killedMs = Date.now();
    first.child.kill('SIGKILL');
    expect(await exitOf(first)).toEqual({ code: null, signal: 'SIGKILL' });
    processes.splice(processes.indexOf(first), 1);

    const second = await startServe(site);
    const line = restoreLine(second, 'slo/slo');
    expect(line, `no cold start: the SLO engine is restored\n${second.stderr()}`).toMatch(/restored 1, skipped 0 from the snapshot of \S+Z$/);
    expect(restoreLine(second, 'baseline/baseline')).toMatch(/restored 1, skipped 0 /);
    const snapshotMs = Date.parse(/snapshot of (\S+)$/.exec(line ?? '')?.[1] ?? '');

    const restored = await scrape(site);
    const restoredTotal = restored.good + restored.bad;
    // Whole requests only: the restored counts are the sum of the first k batches, good and bad alike.
    const prefix = sent.map((_, k) => sent.slice(0, k).reduce((sum, b) => ({ good: sum.good + b.good, bad: sum.bad + b.bad }), { good: 0, bad: 0 }));
    prefix.push(total);
    const kept = prefix.findIndex((p) => p.good === restored.good && p.bad === restored.bad);
    expect(kept, `restored ${restored.good} good and ${restored.bad} bad: not a whole number of batches`).toBeGreaterThanOrEqual(0);

    const dueMs = killedMs - SNAPSHOT_INTERVAL_MS;
    const due = sent.filter((b) => b.acceptedMs <= dueMs).reduce((n, b) => n + b.good + b.bad, 0);
    const sentTotal = total.good + total.bad;
    const lostBatches = sent.slice(kept);
    console.log(
      `kill -9: sent ${sentTotal} spans in ${BATCHES} batches over ${lastAcceptedMs - (sent[0]?.acceptedMs ?? 0)} ms; ` +
        `restored ${restoredTotal} (${kept} batches) from the snapshot taken ${killedMs - snapshotMs} ms before the kill; ` +
        `lost ${sentTotal - restoredTotal} spans (${lostBatches.length} batches, accepted ${lostBatches.map((b) => killedMs - b.acceptedMs).join(', ') || '-'} ms before the kill); ` +
        `${due} spans were accepted at least one snapshot interval (${SNAPSHOT_INTERVAL_MS} ms) before the kill`,
    );
    expect(due, 'some batches precede the bound').toBeGreaterThan(0);
    expect(restoredTotal).toBeGreaterThanOrEqual(due);
    expect(restoredTotal).toBeLessThanOrEqual(sentTotal);
    expect(restored.errorRatio5m).toBeCloseTo(restored.bad / restoredTotal, 12);

    // The rollups were written in the snapshot's transaction: the store agrees with the restored engine.
    expect(await storeTotals(site)).toEqual({ good: restored.good, bad: restored.bad, total: restoredTotal });

    // Counting resumes from there, without counting anything twice.
    const more = { good: 7, bad: 2 };
    await postSpans(site.ports.http, availabilityBatch(more));
    const after = await scrape(site);
    expect({ good: after.good, bad: after.bad }).toEqual({ good: restored.good + more.good, bad: restored.bad + more.bad });
    const expectedStore = { good: after.good, bad: after.bad, total: after.good + after.bad };
    expect(await settle(() => storeTotals(site), expectedStore)).toEqual(expectedStore);
    expect(await stopServe(second)).toBe(0);
  });
});

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** A store written by slowatch's own store code, a few hundred KB so that truncating it cuts live pages. */
function writeRealStore(file: string): void {
  const store = SlowatchStore.open({ path: file });
  const events: StoredEvent[] = [];
  for (let i = 0; i < 400; i++) {
    events.push({ atMs: 1_700_000_000_000 + i * 1000, kind: 'anomaly', slo: null, service: SERVICE, operation: `GET /orders/${i}`, severity: null, state: 'start', payload: JSON.stringify({ i, evidence: 'x'.repeat(800) }) });
  }
  store.transaction(() => store.write({ sloRollups: [], keyRollups: [], events }));
  store.close();
}

describe('a file that is not a slowatch store', () => {
  const cases: { readonly name: string; readonly problem: RegExp; readonly write: (file: string) => void }[] = [
    {
      name: 'garbage bytes',
      problem: /is not a SQLite database/,
      write: (file) => writeFileSync(file, Buffer.from('this is not a database, just some bytes\n'.repeat(200))),
    },
    {
      name: 'a truncated copy of a real store',
      problem: /is a corrupt (or truncated )?SQLite database/,
      write: (file) => {
        const whole = `${file}.whole`;
        writeRealStore(whole);
        const bytes = readFileSync(whole);
        expect(bytes.length).toBeGreaterThan(200_000);
        writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2) + 100));
        rmSync(whole);
      },
    },
    {
      name: "another application's SQLite database (tables, no application id)",
      problem: /is a SQLite database with tables but no application_id: not a slowatch store/,
      write: (file) => {
        const db = new Database(file);
        db.exec("CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer TEXT, amount REAL); INSERT INTO invoices VALUES (1, 'acme', 12.5)");
        db.close();
      },
    },
    {
      name: "another application's SQLite database (its own application id)",
      problem: /is another application's SQLite database \(application_id 0x46524e44, slowatch's is 0x534c5754\)/,
      write: (file) => {
        const db = new Database(file);
        db.pragma('journal_mode = WAL');
        db.pragma(`application_id = ${0x46524e44}`); // "FRND"
        db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
        db.close();
      },
    },
  ];

  let site: Site;
  beforeAll(async () => {
    site = await newSite('refused');
  });

  it.each(cases)('$name: exit 1, one error line naming the file, the file untouched', async ({ problem, write }) => {
    rmSync(site.storePath, { force: true });
    write(site.storePath);
    const filesBefore = readdirSync(site.dir).sort();
    expect(filesBefore).toEqual(['otel-config.yaml', 'slowatch.db']);
    const hashBefore = sha256(site.storePath);

    const proc = launch(site);
    const exit = await exitOf(proc);
    expect(exit, proc.stderr()).toEqual({ code: 1, signal: null });
    const errors = proc
      .stderr()
      .split('\n')
      .filter((line) => /error/i.test(line));
    expect(errors, proc.stderr()).toHaveLength(1);
    expect(errors[0]).toContain(`store ${site.storePath} `);
    expect(errors[0]).toMatch(problem);
    expect(errors[0]).toContain('slowatch leaves it untouched');

    expect(sha256(site.storePath)).toBe(hashBefore);
    expect(existsSync(`${site.storePath}-wal`)).toBe(false);
    expect(existsSync(`${site.storePath}-shm`)).toBe(false);
    expect(readdirSync(site.dir).sort()).toEqual(filesBefore);
  });
});
