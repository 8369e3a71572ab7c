#!/usr/bin/env node
// `npm run bench:report` — SLO reports and the report pages on a large store
// (slowatch issue 7: "light, server-rendered pages, fast on a large store").
//
// 1. Builds two stores in a temporary folder through SlowatchStore.write (the
//    path the storage extension writes by), from one generator:
//      large  20 SLO series over 5 objectives (three split by group_by) with a
//             1-minute rollup each for 30 days (864 000 rows), 200 baseline keys'
//             1-minute key rollups over the last 24 h (288 000 rows) and 50 000
//             events of every kind (12 % SLO alert edges, 60 % anomaly edges, 8 %
//             regressions, 20 % recommendation updates);
//      small  the same with 1 day of SLO rollups and 1/30 of the events (the key
//             rollups cover the same last 24 h: the service pages read 24 h).
//    Reports how long each build took and the file's size (and per table with
//    SQLite's dbstat when it is compiled in).
// 2. Times, large and small side by side, interleaved (the machine is noisy:
//    medians and p95 over repeated runs, and large/small ratios):
//      a  readSloReportInput + buildSloReport over --period 30d in this process
//         (and renderSloReportHtml of the result, separately; the reader's event
//         lists at its default, 1000 per kind and SLO, as the CLI reads them), and
//         SlowatchStore.open read-only + close (the file check the CLI pays first);
//      b  the whole `node dist/src/cli/main.js report --store F --period 30d
//         --format html` process, with `--version` as the start-up floor;
//      c  autocannon (its own process, bench/lib/load-worker.mjs) against a
//         WebExtension on port 0 in a child process over the store (opened
//         read-only; the gateway's pages run the same SQL on the storage
//         extension's connection), each of GET /slos, /slos/{name},
//         /api/v1/slos, /api/v1/events?limit=100, /services/{service}: req/s and
//         latency p50/p99. One connection by default: the pages are built
//         synchronously on one thread, so more connections only queue and the
//         latency would be the queue's, not the page's. A page whose first
//         request takes over a second is timed with 3 sequential requests
//         instead. With taskset the page server gets the last CPU, the load
//         generator the others.
// 3. Finds where a page spends its time: each endpoint is requested a few
//    times from a WebExtension in this process whose store is wrapped to time
//    every ReportStore call (calls and ms per method, events per kind); and
//    writes SQLite's EXPLAIN QUERY PLAN of every statement the store prepared
//    (queryPlans; slowPages repeats the plans behind each page above 200 ms).
// Writes bench/results/report.json and prints tables. Exits 0 whatever the
// figures; non-zero only when something could not be run (a build, a CLI run
// or a page that fails).
//
// Options: --runs N (15, in-process reports per store) --cli-runs N (5) --duration S (3)
//          --warmup S (1) --connections N (1) --profile-requests N (3) --days N (30)
//          --events N (50000) --keys N (200) --keep (leave the stores in the temp folder)
//          --no-pin --out FILE
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { children, cleanEnv, pinned, planServerPinning, runLoadWorker, tail } from './lib/children.mjs';
import { machineInfo } from './lib/machine.mjs';
import { httpGet } from './lib/net.mjs';
import { procMemory } from './lib/proc.mjs';
import { median, round } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';
import { writeReport } from './lib/report.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const CLI_MAIN = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** A page slower than this (median, large store) gets its store queries explained in the summary. */
const SLOW_PAGE_MS = 200;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '15' },
    'cli-runs': { type: 'string', default: '5' },
    duration: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '1' },
    'profile-requests': { type: 'string', default: '3' },
    days: { type: 'string', default: '30' },
    events: { type: 'string', default: '50000' },
    keys: { type: 'string', default: '200' },
    keep: { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(benchDir, 'results', 'report.json') },
    // Internal: serve the report pages of a store (`--serve FILE --now MS`), print `listening PORT`.
    serve: { type: 'string' },
    now: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'usage: node bench/report.bench.mjs [--runs 15] [--cli-runs 5] [--duration 3] [--warmup 1] [--connections 1]\n' +
      '       [--profile-requests 3] [--days 30] [--events 50000] [--keys 200] [--keep] [--no-pin] [--out bench/results/report.json]\n' +
      'build first: npm run build (the benchmark runs dist/)\n',
  );
  process.exit(0);
}

function intArg(name, { min = 1 } = {}) {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be an integer >= ${min}, got ${args[name]}\n`);
    process.exit(2);
  }
  return n;
}

// --- The code under test (compiled) ------------------------------------------------

const require = createRequire(import.meta.url);
const dist = (p) => path.join(repoRoot, 'dist', p);
const DIST_FILES = [
  'src/storage/slowatch-store.js',
  'src/report/store-report-reader.js',
  'src/report/slo-report.js',
  'src/report/render-html.js',
  'src/slo/alert-windows.js',
  'extensions/web/web-extension.js',
  'extensions/storage/stored-events.js',
  'src/cli/main.js',
];
for (const file of DIST_FILES) {
  if (!existsSync(dist(file))) {
    process.stderr.write(`dist/${file} is missing: build first (npm run build)\n`);
    process.exit(1);
  }
}
const { SlowatchStore } = require(dist('src/storage/slowatch-store.js'));
const { readSloReportInput } = require(dist('src/report/store-report-reader.js'));
const { buildSloReport } = require(dist('src/report/slo-report.js'));
const { renderSloReportHtml } = require(dist('src/report/render-html.js'));
const { googleAlertWindows } = require(dist('src/slo/alert-windows.js'));
const { WebExtension } = require(dist('extensions/web/web-extension.js'));
const { sloAlertRow, anomalyRow, regressionRow, recommendationRow } = require(dist('extensions/storage/stored-events.js'));
const { metrics } = require('@opentelemetry/api');

const quietLogger = { error() {}, warn() {}, info() {}, debug() {} };

/** A WebExtension on 127.0.0.1, port 0, over `store`, its clock stopped at `nowMs` (where the store's rows end). */
async function startPages(store, nowMs) {
  const extension = new WebExtension(
    { host: '127.0.0.1', port: 0 },
    { id: 'web', logger: quietLogger, meter: metrics.getMeter('bench-report'), clock: { now: () => nowMs } },
  );
  extension.addReportStore(() => store);
  await extension.start();
  return extension;
}

// --- Child mode: serve one store's pages ----------------------------------------------

if (args.serve !== undefined) {
  const store = SlowatchStore.open({ path: args.serve, readonly: true });
  const extension = await startPages(store, Number(args.now));
  process.stdout.write(`listening ${extension.port}\n`);
  const stop = async () => {
    await extension.shutdown();
    store.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Keeps running until told to stop.
  await new Promise(() => {});
}

// --- Parameters -----------------------------------------------------------------------

const params = {
  runs: intArg('runs'),
  cliRuns: intArg('cli-runs'),
  durationSec: intArg('duration'),
  warmupSec: intArg('warmup', { min: 0 }),
  connections: intArg('connections'),
  profileRequests: intArg('profile-requests'),
  largeDays: intArg('days'),
  smallDays: 1,
  largeEvents: intArg('events', { min: 0 }),
  keys: intArg('keys', { min: 4 }),
  keyRollupHours: 24,
  rollupMs: MINUTE_MS,
  eventMix: { slo_alert: 0.12, anomaly: 0.6, regression: 0.08, recommendation: 0.2 },
  recommendationIds: 500,
  seed: 7,
};

// --- The stores' rows -------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so both stores (and every run) hold the same rows. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function objective(name, service, overrides) {
  return {
    name,
    service,
    selector: { spanKind: 'server', operations: [], attributes: {} },
    sli: { kind: 'availability' },
    objective: 0.999,
    period: { kind: 'rolling', durationMs: 30 * DAY_MS },
    budgeting: { kind: 'occurrences' },
    groupBy: [],
    maxSeries: 200,
    alerting: { page: true, ticket: true, windows: googleAlertWindows() },
    minEvents: 0,
    ...overrides,
  };
}

const ROUTES = {
  checkout: ['/cart', '/cart/items', '/checkout', '/checkout/confirm', '/orders', '/orders/:id'],
  catalog: ['/products', '/products/:id', '/categories', '/search/suggest'],
};

/** Five objectives, 20 series: 6 + 6 + 4 split by http.route, 1, 3 split by cloud.region. */
function storeObjectives() {
  return [
    { spec: objective('checkout-availability', 'checkout', { groupBy: ['http.route'] }), labels: ROUTES.checkout.map((r) => ({ 'http.route': r })), badRate: 0.0004 },
    {
      spec: objective('checkout-latency', 'checkout', { sli: { kind: 'latency', thresholdMs: 300 }, objective: 0.99, groupBy: ['http.route'] }),
      labels: ROUTES.checkout.map((r) => ({ 'http.route': r })),
      badRate: 0.004,
    },
    { spec: objective('catalog-availability', 'catalog', { objective: 0.995, groupBy: ['http.route'] }), labels: ROUTES.catalog.map((r) => ({ 'http.route': r })), badRate: 0.002 },
    { spec: objective('search-availability', 'search', { objective: 0.99 }), labels: [{}], badRate: 0.02 },
    {
      spec: objective('payments-availability', 'payments', { objective: 0.9995, groupBy: ['cloud.region'], selector: { spanKind: 'server', operations: ['POST /pay*'], attributes: {} } }),
      labels: ['eu-west-1', 'us-east-1', 'ap-south-1'].map((region) => ({ 'cloud.region': region })),
      badRate: 0.0002,
    },
  ];
}

/** A series' labels as the store keys them: JSON with the keys sorted (as the storage extension writes them). */
function canonical(labels) {
  return JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

function storeSeries() {
  const series = [];
  for (const { spec, labels, badRate } of storeObjectives()) {
    for (const extra of labels) {
      const all = { service: spec.service, ...extra };
      series.push({ slo: spec.name, service: spec.service, labels: all, key: canonical(all), badRate, perMinute: 200 + 150 * series.length });
    }
  }
  return series;
}

/** The baseline keys: service × operation × span kind, spread over four services (the first has the most, more than a page shows). */
function storeKeys(count) {
  const services = [
    { name: 'checkout', share: 0.3 },
    { name: 'catalog', share: 0.3 },
    { name: 'search', share: 0.2 },
    { name: 'payments', share: 0.2 },
  ];
  const keys = [];
  for (const { name, share } of services) {
    const n = Math.max(1, Math.round(count * share));
    for (let i = 0; i < n && keys.length < count; i++) {
      const client = i % 5 === 4;
      keys.push({ service: name, operation: client ? `GET downstream-${i}` : `${i % 3 === 0 ? 'POST' : 'GET'} /api/${name}/r${i}`, spanKind: client ? 'client' : 'server', base: 20 + (i % 17) * 7 });
    }
  }
  return keys;
}

/**
 * Alert incidents per series: `incidentsPerSeries` windows of 5–60 minutes at
 * random over the SLO rows' span, each a burst of bad events (30 × the
 * series' rate) with its firing and resolved edges, page or ticket.
 */
function planIncidents(random, series, fromMs, minutes, incidentsPerSeries) {
  return series.map(() => {
    const windows = [];
    for (let i = 0; i < incidentsPerSeries; i++) {
      const start = Math.floor(random() * Math.max(1, minutes - 60));
      windows.push({ start, end: start + 5 + Math.floor(random() * 55), severity: random() < 0.4 ? 'page' : 'ticket' });
    }
    windows.sort((a, b) => a.start - b.start);
    const burst = new Uint8Array(minutes);
    for (const w of windows) burst.fill(1, w.start, Math.min(minutes, w.end));
    return { windows, burst, fromMs };
  });
}

function alertEvent(series, severity, state, atMs) {
  return sloAlertRow({
    slo: series.slo,
    labels: series.labels,
    severity,
    state,
    atMs,
    shortWindow: severity === 'page' ? '5m' : '2h',
    longWindow: severity === 'page' ? '1h' : '1d',
    shortBurnRate: 20,
    longBurnRate: 16,
    factor: severity === 'page' ? 14.4 : 3,
    errorBudgetRemaining: 0.5,
  });
}

function anomalyEvent(key, edge, atMs, startedAtMs) {
  return anomalyRow({
    edge,
    key: { service: key.service, operation: key.operation, spanKind: key.spanKind },
    signal: 'latency_p95',
    unit: 'ms',
    atMs,
    startedAtMs,
    endedAtMs: edge === 'end' ? atMs : undefined,
    observed: key.base * 4,
    expected: { low: key.base * 0.8, center: key.base, high: key.base * 1.4 },
    score: 0.99,
    spanCount: 1200,
    traceIds: ['4bf92f3577b34da6a3ce929d0e0e4736', '0af7651916cd43dd8448eb211c80319c'],
    recent: [key.base, key.base * 1.1, key.base * 4],
  });
}

function regressionEvent(key, atMs, random) {
  const slower = random() < 0.7;
  return regressionRow({
    outcome: slower ? 'regression' : 'improvement',
    classification: slower ? 'High' : 'Medium',
    critical: slower,
    baselineVersion: '1.4.0',
    version: '1.5.0',
    canary: false,
    effectSize: slower ? 1.2 : -0.8,
    pValue: 0.0001,
    confidenceInterval: slower ? [20, 40] : [-30, -10],
    estimateMs: slower ? 30 : -20,
    controlCount: 500,
    experimentCount: 500,
    controlMeanMs: key.base,
    experimentMeanMs: key.base + (slower ? 30 : -20),
    atMs,
    deployedAtMs: atMs - 10 * MINUTE_MS,
    service: key.service,
    operation: key.operation,
    spanKind: key.spanKind,
  });
}

const RECOMMENDATION_TYPES = ['n_plus_one_db', 'n_plus_one_http', 'sequential_calls', 'slow_statement', 'dominant_dependency'];

function recommendationEvent(id, key, atMs, random) {
  const serviceWide = id % 10 === 0;
  return recommendationRow(
    {
      id: `rec-${id}`,
      type: RECOMMENDATION_TYPES[id % RECOMMENDATION_TYPES.length],
      title: `N+1 queries in ${key.operation}: 25 × SELECT * FROM items WHERE order_id = ?`,
      advice: 'Load the rows in one round trip.',
      service: key.service,
      operation: serviceWide ? '' : key.operation,
      severity: ['critical', 'high', 'medium', 'low'][id % 4],
      evidence: { count: 25, statement: 'SELECT * FROM items WHERE order_id = ?' },
      exampleTraceIds: ['4bf92f3577b34da6a3ce929d0e0e4736'],
      impact: { perRequestMs: 5 + (id % 50) * 3, latencyShare: 0.3, affectedShare: 0.4 },
      effort: 'medium',
      risk: 'low',
      priority: id % 97,
      occurrences: 1 + Math.floor(random() * 500),
      firstSeenMs: atMs - HOUR_MS,
      lastSeenMs: atMs,
      status: random() < 0.9 ? 'open' : 'resolved',
    },
    atMs,
  );
}

/**
 * Builds a store at `file` whose rows end at `endMs`: `days` of SLO rollups,
 * the key rollups of the last 24 h, `eventCount` events spread over the days,
 * written through SlowatchStore.write in one transaction per day (SLO rows
 * and that day's events) and per hour of key rollups.
 */
function buildStore(file, { days, endMs, eventCount }) {
  const random = prng(params.seed);
  const started = performance.now();
  const store = SlowatchStore.open({ path: file });
  const objectives = storeObjectives().map((o) => o.spec);
  store.writeObjectives(objectives, endMs);
  const series = storeSeries();
  const keys = storeKeys(params.keys);
  const fromMs = endMs - days * DAY_MS;
  const minutes = days * 1440;

  // Events: each kind's share of eventCount, at random times over the period.
  const count = (kind) => Math.round(eventCount * params.eventMix[kind]);
  const alertEdges = count('slo_alert');
  const incidentsPerSeries = Math.max(1, Math.round(alertEdges / 2 / series.length));
  const incidents = planIncidents(random, series, fromMs, minutes, incidentsPerSeries);
  const events = [];
  incidents.forEach(({ windows }, s) => {
    for (const w of windows) {
      events.push(alertEvent(series[s], w.severity, 'firing', fromMs + w.start * MINUTE_MS));
      events.push(alertEvent(series[s], w.severity, 'resolved', fromMs + w.end * MINUTE_MS));
    }
  });
  const at = () => fromMs + Math.floor(random() * days * DAY_MS);
  const pick = () => keys[Math.floor(random() * keys.length)];
  for (let i = 0; i < count('anomaly') / 2; i++) {
    const key = pick();
    const startMs = at();
    const endAt = Math.min(endMs - 1, startMs + (5 + Math.floor(random() * 60)) * MINUTE_MS);
    events.push(anomalyEvent(key, 'start', startMs, startMs - MINUTE_MS));
    events.push(anomalyEvent(key, 'end', endAt, startMs - MINUTE_MS));
  }
  for (let i = 0; i < count('regression'); i++) events.push(regressionEvent(pick(), at(), random));
  // Each recommendation id belongs to one key; its updates come at random times.
  const recommendationKeys = Array.from({ length: params.recommendationIds }, () => pick());
  for (let i = 0; i < count('recommendation'); i++) {
    const id = Math.floor(random() * params.recommendationIds);
    events.push(recommendationEvent(id, recommendationKeys[id], at(), random));
  }
  events.sort((a, b) => a.atMs - b.atMs);

  // SLO rollups and events, one transaction per day.
  let sloRows = 0;
  let eventIndex = 0;
  for (let day = 0; day < days; day++) {
    const rows = [];
    for (let m = day * 1440; m < (day + 1) * 1440; m++) {
      const startMs = fromMs + m * MINUTE_MS;
      // A daily swing of ±40 % in traffic.
      const load = 1 + 0.4 * Math.sin((2 * Math.PI * (startMs % DAY_MS)) / DAY_MS);
      for (let s = 0; s < series.length; s++) {
        const one = series[s];
        const total = Math.max(1, Math.round(one.perMinute * load));
        const rate = incidents[s].burst[m] === 1 ? Math.min(0.9, one.badRate * 30) : one.badRate;
        const bad = Math.min(total, Math.floor(total * rate + random()));
        rows.push({ slo: one.slo, series: one.key, service: one.service, startMs, intervalMs: params.rollupMs, good: total - bad, bad });
      }
    }
    const dayEndMs = fromMs + (day + 1) * DAY_MS;
    const dayEvents = [];
    while (eventIndex < events.length && (events[eventIndex].atMs < dayEndMs || day === days - 1)) dayEvents.push(events[eventIndex++]);
    store.write({ sloRollups: rows, events: dayEvents });
    sloRows += rows.length;
  }

  // Key rollups over the last 24 h, one transaction per hour.
  let keyRows = 0;
  const keyFromMs = endMs - params.keyRollupHours * HOUR_MS;
  for (let hour = 0; hour < params.keyRollupHours; hour++) {
    const rows = [];
    for (let m = 0; m < 60; m++) {
      const endOfInterval = keyFromMs + (hour * 60 + m + 1) * MINUTE_MS;
      for (const key of keys) {
        const count = 600 + Math.floor(random() * 600);
        const errors = Math.floor(count * 0.002 * random() * 2);
        const p95 = key.base * (0.9 + 0.3 * random());
        const learning = hour === 0 && m < 30;
        rows.push({
          service: key.service,
          operation: key.operation,
          spanKind: key.spanKind,
          endMs: endOfInterval,
          intervalMs: params.rollupMs,
          count,
          errors,
          p50Ms: p95 * 0.5,
          p95Ms: p95,
          p99Ms: p95 * 1.6,
          errorRatio: errors / count,
          throughput: count / 60,
          p95ExpectedLow: learning ? null : key.base * 0.8,
          p95ExpectedCenter: learning ? null : key.base,
          p95ExpectedHigh: learning ? null : key.base * 1.4,
        });
      }
    }
    store.write({ keyRollups: rows });
    keyRows += rows.length;
  }
  store.close();
  const buildMs = performance.now() - started;
  const kinds = {};
  for (const e of events) kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
  return {
    file,
    days,
    fromMs,
    endMs,
    objectives: objectives.length,
    series: series.length,
    keys: keys.length,
    sloRollupRows: sloRows,
    keyRollupRows: keyRows,
    events: events.length,
    eventsByKind: kinds,
    alertIncidents: incidentsPerSeries * series.length,
    buildSec: round(buildMs / 1000, 2),
    sloRowsPerSec: Math.round(sloRows / (buildMs / 1000)),
    fileMb: round(fileBytes(file) / 2 ** 20, 1),
    tables: tableSizes(file),
    keyServices: [...new Set(keys.map((k) => k.service))].map((service) => ({ service, keys: keys.filter((k) => k.service === service).length })),
  };
}

function fileBytes(file) {
  let bytes = 0;
  for (const f of [file, `${file}-wal`]) if (existsSync(f)) bytes += statSync(f).size;
  return bytes;
}

/** MB per table and index, from SQLite's dbstat virtual table; undefined when it is not compiled in. */
function tableSizes(file) {
  const Database = require('better-sqlite3');
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all();
    return Object.fromEntries(rows.filter((r) => r.bytes >= 2 ** 20 / 10).map((r) => [r.name, round(r.bytes / 2 ** 20, 1)]));
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

// --- Figures ----------------------------------------------------------------------------

/** Nearest-rank quantile of the finite values (q in [0, 1]); NaN when there are none. */
function quantile(values, q) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))];
}

function summary(values) {
  return { runs: values.length, medianMs: round(median(values), 1), p95Ms: round(quantile(values, 0.95), 1), minMs: round(Math.min(...values), 1) };
}

const ratio = (large, small) => (Number.isFinite(large) && Number.isFinite(small) && small > 0 ? round(large / small, 2) : null);

// --- (a) the report in this process ------------------------------------------------------

function reportOnce(store, built) {
  const t0 = performance.now();
  const input = readSloReportInput(store, { fromMs: built.endMs - 30 * DAY_MS, toMs: built.endMs, label: '30d' });
  const t1 = performance.now();
  const report = buildSloReport(input);
  const t2 = performance.now();
  const html = renderSloReportHtml(report);
  const t3 = performance.now();
  return { readMs: t1 - t0, buildMs: t2 - t1, renderMs: t3 - t2, htmlBytes: Buffer.byteLength(html), incidents: report.slos.reduce((n, s) => n + s.incidents.length, 0) };
}

const OPEN_RUNS = 3;

function benchInProcess(stores) {
  const open = Object.fromEntries(Object.entries(stores).map(([name, built]) => [name, SlowatchStore.open({ path: built.file, readonly: true })]));
  const samples = { large: [], small: [] };
  // Two unmeasured runs each warm the JIT and SQLite's page cache.
  for (const name of ['large', 'small']) for (let i = 0; i < 2; i++) reportOnce(open[name], stores[name]);
  for (let i = 0; i < params.runs; i++) {
    const order = i % 2 === 0 ? ['large', 'small'] : ['small', 'large'];
    for (const name of order) samples[name].push(reportOnce(open[name], stores[name]));
  }
  const result = {};
  for (const name of ['large', 'small']) {
    const runs = samples[name];
    result[name] = {
      readAndBuild: summary(runs.map((r) => r.readMs + r.buildMs)),
      read: summary(runs.map((r) => r.readMs)),
      build: summary(runs.map((r) => r.buildMs)),
      renderHtml: summary(runs.map((r) => r.renderMs)),
      htmlKb: round(runs[0].htmlBytes / 1024, 1),
      incidents: runs[0].incidents,
    };
  }
  // Where the reader's time goes on the large store: one run through a timing wrapper.
  const profile = profiledStore(open.large);
  readSloReportInput(profile.store, { fromMs: stores.large.endMs - 30 * DAY_MS, toMs: stores.large.endMs, label: '30d' });
  result.largeStoreCalls = profile.snapshot();
  for (const store of Object.values(open)) store.close();
  // Opening read-only, as `slowatch report` does: SlowatchStore.open checks the file first (inspectStoreFile).
  const opens = { large: [], small: [] };
  for (let i = 0; i < OPEN_RUNS; i++) {
    for (const name of i % 2 === 0 ? ['large', 'small'] : ['small', 'large']) {
      const started = performance.now();
      SlowatchStore.open({ path: stores[name].file, readonly: true }).close();
      opens[name].push(performance.now() - started);
    }
  }
  result.large.openReadonly = summary(opens.large);
  result.small.openReadonly = summary(opens.small);
  result.ratio = {
    readAndBuildMedian: ratio(result.large.readAndBuild.medianMs, result.small.readAndBuild.medianMs),
    readAndBuildP95: ratio(result.large.readAndBuild.p95Ms, result.small.readAndBuild.p95Ms),
  };
  return result;
}

// --- (b) the CLI process ------------------------------------------------------------------

function runCli(argv) {
  const started = performance.now();
  const run = spawnSync(process.execPath, [CLI_MAIN, ...argv], { cwd: repoRoot, env: cleanEnv(), encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`slowatch ${argv.join(' ')} exited with ${run.status}: ${(run.stderr ?? '').slice(-2000)}`);
  return { ms, bytes: Buffer.byteLength(run.stdout ?? '') };
}

function benchCli(stores) {
  const command = (file) => ['report', '--store', file, '--period', '30d', '--format', 'html'];
  runCli(['--version']);
  for (const name of ['large', 'small']) runCli(command(stores[name].file));
  const samples = { large: [], small: [], startup: [] };
  let bytes = {};
  for (let i = 0; i < params.cliRuns; i++) {
    samples.startup.push(runCli(['--version']).ms);
    const order = i % 2 === 0 ? ['large', 'small'] : ['small', 'large'];
    for (const name of order) {
      const run = runCli(command(stores[name].file));
      samples[name].push(run.ms);
      bytes[name] = run.bytes;
    }
  }
  const result = {
    command: 'node dist/src/cli/main.js report --store F --period 30d --format html (stdout piped)',
    large: { ...summary(samples.large), htmlKb: round(bytes.large / 1024, 1) },
    small: { ...summary(samples.small), htmlKb: round(bytes.small / 1024, 1) },
    startupFloor: { command: 'node dist/src/cli/main.js --version', ...summary(samples.startup) },
  };
  result.ratio = { median: ratio(result.large.medianMs, result.small.medianMs), p95: ratio(result.large.p95Ms, result.small.p95Ms) };
  return result;
}

// --- (c) the pages under load --------------------------------------------------------------

function endpoints() {
  return [
    { name: 'GET /slos (HTML)', path: '/slos' },
    { name: 'GET /slos/{name} (HTML)', path: '/slos/checkout-availability' },
    { name: 'GET /api/v1/slos', path: '/api/v1/slos' },
    { name: 'GET /api/v1/events?limit=100', path: '/api/v1/events?limit=100' },
    { name: 'GET /services/{service} (HTML)', path: '/services/checkout' },
  ];
}

function startServer(file, nowMs, cpus) {
  const argv = pinned(cpus, [process.execPath, fileURLToPath(import.meta.url), '--serve', file, '--now', String(nowMs)]);
  const child = spawn(argv[0], argv.slice(1), { cwd: repoRoot, env: { ...cleanEnv(), NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const stderr = tail(child.stderr);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`page server for ${file} did not start: ${stderr.text}`)), 30_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), stderr });
      }
    });
    child.on('exit', (code) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`page server for ${file} exited with ${code}: ${stderr.text}`));
    });
  });
}

async function stopServer(server) {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * A page slower than this (its first request) is timed with a few sequential
 * requests instead of autocannon: a few seconds of load would hold one or two
 * answers, and a request autocannon leaves in flight when it stops would
 * still hold the (single-threaded) server when the next measurement starts.
 */
const SEQUENTIAL_ABOVE_MS = 1000;
const SEQUENTIAL_SAMPLES = 3;

/** A cheap request whose answer means the server has finished whatever autocannon left in flight. */
async function drain(url) {
  await httpGet(`${url}/api/v1/events?limit=1`, 120_000);
}

async function autocannonLoad(url, pathname, cpus) {
  const input = { url, connections: params.connections, requests: [{ method: 'GET', path: pathname }], timeoutSec: 60 };
  if (params.warmupSec > 0) {
    await runLoadWorker({ ...input, durationSec: params.warmupSec }, { cpus, cwd: repoRoot });
    await drain(url);
  }
  const load = await runLoadWorker({ ...input, durationSec: params.durationSec }, { cpus, cwd: repoRoot });
  await drain(url);
  const failed = load.non2xx + load.errors + load.timeouts;
  if (failed > 0) throw new Error(`${url}${pathname}: ${failed} failed requests under load (${JSON.stringify(load.statusCodes)})`);
  return {
    method: 'autocannon',
    reqPerSec: round(load.reqPerSecTotalOverDuration, 1),
    p50Ms: load.latencyMs.p50,
    p99Ms: load.latencyMs.p99,
    meanMs: round(load.latencyMs.mean, 1),
    maxMs: load.latencyMs.max,
    requests: load.requestsTotal,
  };
}

async function sequentialLoad(url, pathname) {
  const samples = [];
  for (let i = 0; i < SEQUENTIAL_SAMPLES; i++) {
    const res = await httpGet(`${url}${pathname}`, 120_000);
    if (res.status !== 200) throw new Error(`${url}${pathname} answered ${res.status}`);
    samples.push(res.ms);
  }
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    method: `sequential (${SEQUENTIAL_SAMPLES} requests one after another: first request above ${SEQUENTIAL_ABOVE_MS} ms; p99 is their maximum)`,
    reqPerSec: round(1000 / mean, 2),
    p50Ms: round(median(samples), 1),
    p99Ms: round(Math.max(...samples), 1),
    meanMs: round(mean, 1),
    maxMs: round(Math.max(...samples), 1),
    requests: samples.length,
  };
}

async function benchPages(stores, pinning) {
  const servers = {};
  const cpus = pinning.method === 'taskset' ? pinning.serverCpus : undefined;
  const loadCpus = pinning.method === 'taskset' ? pinning.otherCpus : undefined;
  for (const name of ['large', 'small']) servers[name] = await startServer(stores[name].file, stores[name].endMs, cpus);
  const results = [];
  try {
    for (const endpoint of endpoints()) {
      const row = { endpoint: endpoint.name, path: endpoint.path };
      for (const name of ['large', 'small']) {
        const url = `http://127.0.0.1:${servers[name].port}`;
        // One plain request first: the page must answer 200; its size and a cold-ish time.
        const first = await httpGet(`${url}${endpoint.path}`, 120_000);
        if (first.status !== 200) throw new Error(`${name} ${endpoint.path} answered ${first.status}: ${first.body.slice(0, 300)}`);
        const figures = first.ms > SEQUENTIAL_ABOVE_MS ? await sequentialLoad(url, endpoint.path) : await autocannonLoad(url, endpoint.path, loadCpus);
        row[name] = { ...figures, kb: round(Buffer.byteLength(first.body) / 1024, 1), firstMs: round(first.ms, 1) };
      }
      row.ratio = { p50: ratio(row.large.p50Ms, row.small.p50Ms), reqPerSecSmallOverLarge: ratio(row.small.reqPerSec, row.large.reqPerSec) };
      results.push(row);
    }
    const memory = Object.fromEntries(Object.entries(servers).map(([name, s]) => [name, round((procMemory(s.child.pid).rssBytes ?? NaN) / 2 ** 20, 1)]));
    return { endpoints: results, serverRssMbAfter: memory };
  } finally {
    for (const server of Object.values(servers)) await stopServer(server);
  }
}

// --- Where the time goes: store calls per page, and the query plans -------------------------

const STORE_READS = ['objectives', 'sloSeries', 'sloCounts', 'sloCountsByBucket', 'events', 'keys', 'keyRollups', 'extent'];

/** An events() call told apart by its kinds and filters: `events[regression] by service`. */
function eventsLabel(query) {
  const filters = ['slo', 'service', 'operation'].filter((f) => query?.[f] !== undefined);
  return `events[${query?.kinds?.join(',') ?? 'any'}]${filters.length > 0 ? ` by ${filters.join(', ')}` : ''}`;
}

/** `store` with every ReportStore read timed: calls and ms per method (events per kind and filter) since the last reset. */
function profiledStore(store) {
  let stats = new Map();
  const wrapped = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function' || !STORE_READS.includes(property)) return value;
      return (...parameters) => {
        const started = performance.now();
        try {
          return value.apply(target, parameters);
        } finally {
          const label = property === 'events' ? eventsLabel(parameters[0]) : property;
          const s = stats.get(label) ?? { calls: 0, ms: 0 };
          s.calls++;
          s.ms += performance.now() - started;
          stats.set(label, s);
        }
      };
    },
  });
  return {
    store: wrapped,
    reset: () => (stats = new Map()),
    snapshot: () =>
      Object.fromEntries([...stats].sort(([, a], [, b]) => b.ms - a.ms).map(([method, s]) => [method, { calls: s.calls, ms: round(s.ms, 2) }])),
  };
}

async function profilePages(built) {
  const store = SlowatchStore.open({ path: built.file, readonly: true });
  const profile = profiledStore(store);
  const extension = await startPages(profile.store, built.endMs);
  const url = `http://127.0.0.1:${extension.port}`;
  const pages = [];
  try {
    for (const endpoint of endpoints()) {
      await httpGet(`${url}${endpoint.path}`, 60_000);
      const totals = [];
      const storeMs = [];
      let calls;
      for (let i = 0; i < params.profileRequests; i++) {
        profile.reset();
        const res = await httpGet(`${url}${endpoint.path}`, 60_000);
        if (res.status !== 200) throw new Error(`${endpoint.path} answered ${res.status}`);
        calls = profile.snapshot();
        totals.push(res.ms);
        storeMs.push(Object.values(calls).reduce((sum, c) => sum + c.ms, 0));
      }
      const total = median(totals);
      const inStore = median(storeMs);
      pages.push({ endpoint: endpoint.name, totalMs: round(total, 1), storeMs: round(inStore, 1), restMs: round(total - inStore, 1), storeCalls: calls });
    }
  } finally {
    await extension.shutdown();
  }
  const plans = queryPlans(store);
  store.close();
  return { pages, queryPlans: plans };
}

/**
 * EXPLAIN QUERY PLAN of every statement the store prepared (its private
 * statement table and its cache of event queries, read at run time so the
 * plans follow the store's SQL as it changes). Parameters are bound as NULL:
 * the plan does not depend on the values (no sqlite_stat4).
 */
function queryPlans(store) {
  const statements = [];
  const walk = (prefix, node) => {
    if (node === null || typeof node !== 'object') return;
    if (typeof node.source === 'string' && typeof node.all === 'function') return void statements.push({ name: prefix, sql: node.source });
    for (const [key, child] of Object.entries(node)) walk(prefix ? `${prefix}.${key}` : key, child);
  };
  walk('', store.statements?.read);
  for (const sql of store.eventQueries?.keys?.() ?? []) statements.push({ name: 'events (cached)', sql });
  if (statements.length === 0) return { note: 'the store no longer exposes its statements; plans not read' };
  const Database = require('better-sqlite3');
  const db = new Database(store.file, { readonly: true });
  try {
    return statements.map(({ name, sql }) => {
      const nulls = new Array((sql.match(/\?/g) ?? []).length).fill(null);
      let plan;
      try {
        plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...nulls).map((row) => row.detail);
      } catch (error) {
        plan = [`(not explained: ${error.message})`];
      }
      return { name, sql: sql.replace(/\s+/g, ' ').trim(), plan };
    });
  } finally {
    db.close();
  }
}

// --- Main ----------------------------------------------------------------------------------

const machine = machineInfo();
const pinning = planServerPinning(args['no-pin']);
const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-report-bench-'));
process.on('exit', () => {
  if (!args.keep) rmSync(tmpDir, { recursive: true, force: true });
});
const benchStarted = performance.now();
const say = (text) => process.stdout.write(`${text}\n`);

// Both stores end at the same minute; the CLI reads "the last 30 days" from the clock, minutes later.
const endMs = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
say(`building the large store (${params.largeDays} days) in ${tmpDir} ...`);
const large = buildStore(path.join(tmpDir, 'large.db'), { days: params.largeDays, endMs, eventCount: params.largeEvents });
say(`  ${large.sloRollupRows} SLO rows, ${large.keyRollupRows} key rows, ${large.events} events in ${large.buildSec} s, ${large.fileMb} MB`);
say('building the small store (1 day) ...');
const small = buildStore(path.join(tmpDir, 'small.db'), {
  days: params.smallDays,
  endMs,
  eventCount: Math.round((params.largeEvents * params.smallDays) / params.largeDays),
});
say(`  ${small.sloRollupRows} SLO rows, ${small.keyRollupRows} key rows, ${small.events} events in ${small.buildSec} s, ${small.fileMb} MB`);
const stores = { large, small };

say(`(a) readSloReportInput + buildSloReport, 30d, ${params.runs} runs per store ...`);
const inProcess = benchInProcess(stores);
say(`(b) slowatch report --format html, ${params.cliRuns} runs per store ...`);
const cli = benchCli(stores);
say(`(c) pages under autocannon, ${params.durationSec} s each, ${params.connections} connection(s) ...`);
const pages = await benchPages(stores, pinning);
say('where the pages spend their time (large store) ...');
const profile = await profilePages(large);

/** The store's statements behind each ReportStore read (names as in queryPlans). */
const STATEMENTS_OF = {
  keyRollups: ['serviceKeyRollups', 'operationKeyRollups'],
  sloCounts: ['minuteCounts.all', 'minuteCounts.series', 'hourlyCounts.all', 'hourlyCounts.series'],
  sloCountsByBucket: ['minuteCounts.allBuckets', 'minuteCounts.seriesBuckets', 'hourlyCounts.allBuckets', 'hourlyCounts.seriesBuckets'],
  events: ['events (cached)'],
  keys: ['keys'],
  sloSeries: ['sloSeries'],
  objectives: ['objectives'],
};
const slowPages = pages.endpoints
  .filter((row) => row.large.p50Ms > SLOW_PAGE_MS)
  .map((row) => {
    const pageProfile = profile.pages.find((p) => p.endpoint === row.endpoint);
    const [slowestCall] = Object.keys(pageProfile?.storeCalls ?? {});
    const names = STATEMENTS_OF[slowestCall?.split('[')[0]] ?? [];
    const plans = Array.isArray(profile.queryPlans) ? profile.queryPlans.filter((q) => names.includes(q.name)) : [];
    return { endpoint: row.endpoint, p50Ms: row.large.p50Ms, profile: pageProfile, slowestCall, plans };
  });

const result = {
  benchmark: 'report',
  machine,
  date: machine.date,
  parameters: params,
  pinning,
  stores: Object.fromEntries(Object.entries(stores).map(([name, s]) => [name, { ...s, file: path.basename(s.file) }])),
  inProcess,
  cli,
  pages,
  pageProfile: profile.pages,
  slowPages,
  slowPageThresholdMs: SLOW_PAGE_MS,
  queryPlans: profile.queryPlans,
  benchSec: round((performance.now() - benchStarted) / 1000, 1),
};
writeReport(args.out, result);

say('');
printTable(
  ['store', 'SLO rows', 'key rows', 'events', 'build s', 'file MB'],
  ['large', 'small'].map((n) => [n, stores[n].sloRollupRows, stores[n].keyRollupRows, stores[n].events, stores[n].buildSec, stores[n].fileMb]),
);
say('');
printTable(
  ['30d report', 'large p50 ms', 'large p95 ms', 'small p50 ms', 'small p95 ms', 'ratio p50'],
  [
    ['a read + build (in-process)', inProcess.large.readAndBuild.medianMs, inProcess.large.readAndBuild.p95Ms, inProcess.small.readAndBuild.medianMs, inProcess.small.readAndBuild.p95Ms, inProcess.ratio.readAndBuildMedian],
    ['  of which read', inProcess.large.read.medianMs, inProcess.large.read.p95Ms, inProcess.small.read.medianMs, inProcess.small.read.p95Ms, ratio(inProcess.large.read.medianMs, inProcess.small.read.medianMs)],
    ['  render HTML', inProcess.large.renderHtml.medianMs, inProcess.large.renderHtml.p95Ms, inProcess.small.renderHtml.medianMs, inProcess.small.renderHtml.p95Ms, ratio(inProcess.large.renderHtml.medianMs, inProcess.small.renderHtml.medianMs)],
    ['  open read-only (quick_check)', inProcess.large.openReadonly.medianMs, inProcess.large.openReadonly.p95Ms, inProcess.small.openReadonly.medianMs, inProcess.small.openReadonly.p95Ms, ratio(inProcess.large.openReadonly.medianMs, inProcess.small.openReadonly.medianMs)],
    ['b CLI process (html)', cli.large.medianMs, cli.large.p95Ms, cli.small.medianMs, cli.small.p95Ms, cli.ratio.median],
    ['  start-up floor (--version)', cli.startupFloor.medianMs, cli.startupFloor.p95Ms, null, null, null],
  ],
);
say('');
printTable(
  ['page', 'large req/s', 'p50 ms', 'p99 ms', 'small req/s', 'p50 ms', 'p99 ms', 'p50 ratio', 'KB'],
  pages.endpoints.map((r) => [r.endpoint, r.large.reqPerSec, r.large.p50Ms, r.large.p99Ms, r.small.reqPerSec, r.small.p50Ms, r.small.p99Ms, r.ratio.p50, r.large.kb]),
);
say('');
printTable(
  ['page (large store)', 'total ms', 'in store ms', 'slowest store call'],
  profile.pages.map((p) => {
    const [method, s] = Object.entries(p.storeCalls ?? {})[0] ?? [];
    return [p.endpoint, p.totalMs, p.storeMs, method === undefined ? '-' : `${method} ×${s.calls} ${s.ms} ms`];
  }),
);
if (slowPages.length > 0) say(`\npages above ${SLOW_PAGE_MS} ms (p50) on the large store: ${slowPages.map((p) => p.endpoint).join(', ')}; see slowPages and queryPlans in the JSON`);
say(`\nwrote ${path.relative(process.cwd(), args.out)} (${result.benchSec} s)`);
