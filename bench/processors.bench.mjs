#!/usr/bin/env node
// `npm run bench:processors` — spans per second through the SLO processor.
//
// No HTTP, one thread: pre-built objects shaped like OpenTelemetry
// ReadableSpan are fed to SloSpanProcessor.onEnd (which fills a SpanSample
// and calls SloEngine.record), in scenarios:
//   default       the default objectives (availability 99.9 %, latency
//                 200 ms at 95 %; server spans, every service, 30d)
//   group-by-100  the same objectives with group_by: [http.route] over 100 routes
// Per scenario: warm-up, then several timed batches (process.hrtime.bigint);
// median spans/s and ns/span, heap before/after and GCs seen during the timed
// part (PerformanceObserver 'gc'). Then bytes per SLO series: N distinct
// routes, heap (+ typed-array memory) growth after global.gc() divided by
// the series created; and the time engine.evaluate() takes over them.
// Then the baseline and anomaly processors (the agent's adapter,
// BaselineSpanProcessor.onEnd → BaselineEngine.record, with an AnomalyEngine
// listening and the real detector):
//   baseline-anomaly  default baseline + anomaly settings, server spans over
//                     100 routes (one key per method and route), systemClock
//                     as in the agent
//   baseline-anomaly-otlp  the gateway's path: decoded OTLP requests of 512
//                     spans through OtlpBaselineProcessor → OtlpAnomalyProcessor
//                     (every span enriched, copy-on-write: the keys are past
//                     their cold start) → a no-op exporter, then recorded
// and bytes per tracked key: N keys run through --baseline-intervals
// intervals on a ManualClock (rings full, detectors past their cold start),
// then one more interval's spans (sketches holding bins), heap +
// typed-array growth after global.gc() divided by the keys; plus the time one
// roll-up of all N keys takes.
// Writes bench/results/processors.json. Exits 0 whatever the goal says.
//
// Each scenario (and the memory measurement) runs in a fresh child process
// started with --expose-gc and, when taskset is available, pinned to one CPU:
// a second SloEngine in the same process runs measurably differently (JIT
// feedback and allocation from the first one), while the agent has exactly
// one. So `node bench/processors.bench.mjs` needs no extra flag.
//
// Options: --batches N (5) --batch-spans N (2000000) --warmup-spans N (1000000)
//          --series N (2000) --keys N (2000) --baseline-intervals N (40) --out FILE --no-pin
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineInfo } from './lib/machine.mjs';
import { median, min, max, round } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';
import { writeReport } from './lib/report.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const GOAL_SPANS_PER_SEC = 1_000_000;
const GOAL_BASELINE_SPANS_PER_SEC = 500_000;
const GOAL_BASELINE_BYTES_PER_KEY = 64 * 1024;

const { values: args } = parseArgs({
  options: {
    batches: { type: 'string', default: '5' },
    'batch-spans': { type: 'string', default: '2000000' },
    'warmup-spans': { type: 'string', default: '1000000' },
    series: { type: 'string', default: '2000' },
    keys: { type: 'string', default: '2000' },
    'baseline-intervals': { type: 'string', default: '40' },
    out: { type: 'string', default: path.join(benchDir, 'results', 'processors.json') },
    'no-pin': { type: 'boolean', default: false },
    child: { type: 'string' }, // internal: run one task and print its JSON
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'usage: node [--expose-gc] bench/processors.bench.mjs [--batches 5] [--batch-spans 2000000]\n' +
      '       [--warmup-spans 1000000] [--series 2000] [--keys 2000] [--baseline-intervals 40] [--no-pin]\n' +
      '       [--out bench/results/processors.json]\n',
  );
  process.exit(0);
}

// --- Parameters -------------------------------------------------------------------

function positiveInt(name, value) {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) {
    process.stderr.write(`--${name} must be a positive integer, got ${value}\n`);
    process.exit(2);
  }
  return n;
}
const params = {
  batches: positiveInt('batches', args.batches),
  batchSpans: positiveInt('batch-spans', args['batch-spans']),
  warmupSpans: positiveInt('warmup-spans', args['warmup-spans']),
  seriesForBytes: positiveInt('series', args.series),
  keysForBytes: positiveInt('keys', args.keys),
  baselineIntervals: positiveInt('baseline-intervals', args['baseline-intervals']),
  poolSize: 1024,
  routes: 100,
  share5xx: 0.02,
  shareSlow: 0.06,
};

// --- The code under test (compiled) -------------------------------------------------

const dist = (p) => path.join(repoRoot, 'dist', p);
const DIST_FILES = [
  'src/engine/slo-engine.js',
  'processors/slo/slo-span-processor.js',
  'processors/slo/config.js',
  'src/clock.js',
  'processors/baseline/agent-baseline.js',
  'processors/baseline/config.js',
  'processors/anomaly/config.js',
  'processors/anomaly/span-enrichment.js',
];
function checkBuilt() {
  for (const file of DIST_FILES) {
    if (!existsSync(dist(file))) {
      process.stderr.write(`dist/${file} is missing: build first (npx tsc -p tsconfig.json)\n`);
      process.exit(1);
    }
  }
}

// Loaded only in the child processes that measure.
let SloEngine, SloSpanProcessor, createDefaultConfig, resolveSloProcessorSettings, systemClock, ManualClock;
let createAgentBaseline, resolveBaselineProcessorSettings, resolveAnomalyProcessorSettings;
let createBaselineEngine, createAnomalyEngine, OtlpBaselineProcessor, OtlpAnomalyProcessor, SpanEnricher;
function loadCode() {
  checkBuilt();
  const require = createRequire(import.meta.url);
  ({ SloEngine } = require(dist('src/engine/slo-engine.js')));
  ({ SloSpanProcessor } = require(dist('processors/slo/slo-span-processor.js')));
  ({ createDefaultConfig, resolveSloProcessorSettings } = require(dist('processors/slo/config.js')));
  ({ systemClock, ManualClock } = require(dist('src/clock.js')));
  ({ createAgentBaseline } = require(dist('processors/baseline/agent-baseline.js')));
  ({ resolveBaselineProcessorSettings } = require(dist('processors/baseline/config.js')));
  ({ resolveAnomalyProcessorSettings } = require(dist('processors/anomaly/config.js')));
  ({ createBaselineEngine } = require(dist('processors/baseline/create-baseline-engine.js')));
  ({ createAnomalyEngine } = require(dist('processors/anomaly/create-anomaly-engine.js')));
  ({ OtlpBaselineProcessor } = require(dist('processors/baseline/otlp-baseline-processor.js')));
  ({ OtlpAnomalyProcessor } = require(dist('processors/anomaly/otlp-anomaly-processor.js')));
  ({ SpanEnricher } = require(dist('processors/anomaly/span-enrichment.js')));
}

const silentLogger = { errors: [], error(message, error) { this.errors.push(`${message}${error ? `: ${error}` : ''}`); }, warn() {}, info() {}, debug() {} };

function settingsFor(groupBy, maxSeries) {
  const config = createDefaultConfig();
  if (groupBy) {
    config.objectives = config.objectives.map((o) => ({ ...o, group_by: groupBy, ...(maxSeries !== undefined && { max_series: maxSeries }) }));
  }
  return resolveSloProcessorSettings(config);
}

function build(settings) {
  const engine = new SloEngine(settings.objectives, { clock: systemClock });
  const processor = new SloSpanProcessor({ engine, logger: silentLogger, evaluationIntervalMs: settings.evaluationIntervalMs });
  return { engine, processor };
}

// --- ReadableSpan-shaped objects ----------------------------------------------------

// OpenTelemetry API numbering.
const SpanKind = { INTERNAL: 0, SERVER: 1, CLIENT: 2 };
const SpanStatusCode = { UNSET: 0, OK: 1, ERROR: 2 };

/** One Resource-like object for every span, as an SDK TracerProvider has. */
const resource = {
  attributes: {
    'service.name': 'shop',
    'service.version': '1.0.0',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.version': '2.12.0',
    'host.name': 'bench',
    'process.pid': process.pid,
  },
};

function hrTime(ms) {
  const s = Math.floor(ms / 1000);
  return [s, Math.round((ms - s * 1000) * 1e6)];
}

/** Deterministic pseudo-random numbers, so every run feeds the same spans. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/**
 * `size` server spans over `routes` routes: ~2 % answered 5xx (status ERROR, as the
 * HTTP instrumentation sets it), ~6 % slower than 200 ms, the rest 1–50 ms.
 * endTime within the last second.
 */
function spanPool(size, routes, seed = 42) {
  const random = rng(seed);
  const now = Date.now();
  const methods = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
  const pool = [];
  for (let i = 0; i < size; i++) {
    const route = `/api/r${i % routes}/:id`;
    const method = methods[i % methods.length];
    const r = random();
    const failed = r < params.share5xx;
    const slow = !failed && r < params.share5xx + params.shareSlow;
    const durationMs = slow ? 200 + random() * 800 : 1 + random() * 49;
    const status = failed ? (random() < 0.5 ? 500 : 503) : i % 17 === 0 ? 404 : 200;
    const endMs = now - random() * 1000;
    pool.push({
      name: `${method} ${route}`,
      kind: SpanKind.SERVER,
      resource,
      status: { code: failed ? SpanStatusCode.ERROR : SpanStatusCode.UNSET },
      startTime: hrTime(endMs - durationMs),
      endTime: hrTime(endMs),
      duration: hrTime(durationMs),
      attributes: {
        'http.request.method': method,
        'http.route': route,
        'http.response.status_code': status,
        'url.scheme': 'http',
        'server.address': '127.0.0.1',
        'server.port': 3000,
        'network.protocol.version': '1.1',
      },
      links: [],
      events: [],
      ended: true,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
      instrumentationScope: { name: '@opentelemetry/instrumentation-http', version: '0.208.0' },
      spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }),
    });
  }
  return pool;
}

// --- GC counting ---------------------------------------------------------------------

const gcEntries = [];
let gcObserver;
function observeGc() {
  gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcEntries.push({ start: e.startTime, duration: e.duration, kind: e.detail?.kind ?? e.kind });
  });
  gcObserver.observe({ entryTypes: ['gc'] });
}
const GC_KIND = { 1: 'scavenge', 2: 'markSweepCompact', 4: 'incremental', 8: 'weakCallbacks' };

/** GC entries are delivered asynchronously: let them arrive, then count those inside [from, to]. */
async function gcsBetween(from, to) {
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 10));
  const inside = gcEntries.filter((e) => e.start >= from && e.start <= to);
  const byKind = {};
  for (const e of inside) byKind[GC_KIND[e.kind] ?? String(e.kind)] = (byKind[GC_KIND[e.kind] ?? String(e.kind)] ?? 0) + 1;
  return { count: inside.length, totalMs: round(inside.reduce((n, e) => n + e.duration, 0), 3), byKind };
}

const MB = 2 ** 20;
function heap() {
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, external: m.external };
}

/** heap() once garbage is gone: two full GCs, as the first may leave what finalizers freed. */
function heapAfterFullGc() {
  globalThis.gc();
  globalThis.gc();
  return heap();
}

// --- Throughput -------------------------------------------------------------------------

function feed(processor, pool, count) {
  const mask = pool.length - 1; // pool length is a power of two
  for (let i = 0; i < count; i++) processor.onEnd(pool[i & mask]);
}

function countedEvents(engine) {
  let total = 0;
  engine.collect((_series, status) => {
    total += status.goodEvents + status.badEvents;
  });
  return total;
}

/**
 * Heap growth per span over `spans` spans fed right after a full GC, retried
 * with fewer spans when a GC ran in between (a GC would hide the allocation).
 */
async function allocationProbe(processor, pool, spans = 100_000) {
  let fed = 0;
  for (let attempt = 0; attempt < 5; attempt++, spans >>= 1) {
    globalThis.gc();
    const from = performance.now();
    const before = process.memoryUsage().heapUsed;
    feed(processor, pool, spans);
    const after = process.memoryUsage().heapUsed;
    fed += spans;
    const gcs = await gcsBetween(from, performance.now());
    if (gcs.count === 0) return { spans, fed, heapGrowthBytes: after - before, bytesPerSpan: round((after - before) / spans, 2) };
  }
  return { spans, fed, bytesPerSpan: null, note: 'a GC ran during every attempt' };
}

/**
 * The timed part of a scenario that feeds `processor.onEnd`: warm-up, a full
 * GC, `params.batches` timed batches (GCs seen in each), heap before and
 * after, then the allocation probe. Returns the figures every such scenario
 * reports (in the report's key order), the batches and the spans fed.
 */
async function timeOnEnd(processor, pool) {
  feed(processor, pool, params.warmupSpans);
  globalThis.gc();
  const heapBefore = heap();
  const batches = [];
  for (let b = 0; b < params.batches; b++) {
    const from = performance.now();
    const t0 = process.hrtime.bigint();
    feed(processor, pool, params.batchSpans);
    const ns = Number(process.hrtime.bigint() - t0);
    const to = performance.now();
    const gcs = await gcsBetween(from, to);
    batches.push({ spans: params.batchSpans, ms: round(ns / 1e6, 2), spansPerSec: Math.round((params.batchSpans * 1e9) / ns), nsPerSpan: round(ns / params.batchSpans, 1), gcs });
  }
  const heapAfter = heap();
  globalThis.gc();
  const heapAfterGc = heap();
  const allocation = await allocationProbe(processor, pool);
  const spansPerSec = median(batches.map((b) => b.spansPerSec));
  const figures = {
    spansPerSec: Math.round(spansPerSec),
    nsPerSpan: round(1e9 / spansPerSec, 1),
    minSpansPerSec: min(batches.map((b) => b.spansPerSec)),
    maxSpansPerSec: max(batches.map((b) => b.spansPerSec)),
    gcsDuringTimedPart: batches.reduce((n, b) => n + b.gcs.count, 0),
    gcMsDuringTimedPart: round(batches.reduce((n, b) => n + b.gcs.totalMs, 0), 3),
    heapUsedMb: {
      beforeTimedPart: round(heapBefore.heapUsed / MB, 3),
      afterTimedPart: round(heapAfter.heapUsed / MB, 3),
      afterGc: round(heapAfterGc.heapUsed / MB, 3),
    },
    // Bytes allocated per span: heapUsed growth over a stretch short enough that no GC ran in it.
    bytesAllocatedPerSpan: allocation.bytesPerSpan,
    allocationProbe: allocation,
  };
  return { figures, batches, spansFed: params.warmupSpans + params.batches * params.batchSpans + allocation.fed };
}

async function throughputScenario(name, description, settings, pool) {
  const { engine, processor } = build(settings);
  const { figures, batches, spansFed } = await timeOnEnd(processor, pool);
  const counted = countedEvents(engine) / settings.objectives.length; // every span matches every objective here
  await processor.shutdown();
  return {
    name,
    description,
    objectives: settings.objectives.map((o) => ({ name: o.name, sli: o.sli, objective: o.objective, period: o.period, groupBy: o.groupBy, maxSeries: o.maxSeries, selector: o.selector })),
    series: engine.seriesCount,
    ...figures,
    check: {
      spansFed,
      eventsCountedPerObjective: counted,
      processorFailures: processor.failedSpans,
      ok: counted === spansFed && processor.failedSpans === 0,
    },
    batches,
  };
}

// --- Bytes per series -----------------------------------------------------------------

async function bytesPerSeries(n) {
  // One span per route, built before measuring so only the engine's memory counts.
  const spans = spanPool(n, n, 7).map((s, i) => ({ ...s, status: { code: 0 }, attributes: { ...s.attributes, 'http.route': `/api/r${i}/:id` } }));
  const settings = settingsFor(['http.route'], n + 10);
  const { engine, processor } = build(settings);
  // Create and drop one engine first so that code and lazily built shapes are in place.
  {
    const warm = build(settingsFor(['http.route'], 50));
    for (let i = 0; i < 50; i++) warm.processor.onEnd(spans[i]);
    await warm.processor.shutdown();
  }
  const before = heapAfterFullGc();
  for (const span of spans) processor.onEnd(span);
  const after = heapAfterFullGc();
  const series = engine.seriesCount;
  const heapBytes = after.heapUsed - before.heapUsed;
  const arrayBufferBytes = after.arrayBuffers - before.arrayBuffers;
  // evaluate(): what the processor's timer and every /metrics collection do, over all series.
  const evalNs = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    engine.evaluate();
    evalNs.push(Number(process.hrtime.bigint() - t0));
  }
  const collectNs = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    engine.collect(() => undefined);
    collectNs.push(Number(process.hrtime.bigint() - t0));
  }
  await processor.shutdown();
  const sample = [];
  engine.collect((s) => {
    if (sample.length === 0) sample.push(s.state.bytes);
  });
  return {
    routes: n,
    objectives: settings.objectives.length,
    seriesCreated: series,
    heapUsedGrowthBytes: heapBytes,
    arrayBufferGrowthBytes: arrayBufferBytes,
    bytesPerSeries: Math.round((heapBytes + arrayBufferBytes) / series),
    heapBytesPerSeries: Math.round(heapBytes / series),
    arrayBufferBytesPerSeries: Math.round(arrayBufferBytes / series),
    declaredTypedArrayBytesPerSeries: sample[0] ?? null,
    evaluateMs: round(median(evalNs) / 1e6, 3),
    evaluateUsPerSeries: round(median(evalNs) / 1e3 / series, 3),
    collectMs: round(median(collectNs) / 1e6, 3),
    note:
      'growth of heapUsed + arrayBuffers (typed-array payloads live outside the JS heap) after global.gc(), divided by the series created; ' +
      'includes the index maps and label strings. evaluateMs: median time of one engine.evaluate() over all series.',
  };
}

// --- Baseline + anomaly ----------------------------------------------------------------

/** The agent's baseline and anomaly processors with their default settings (the real detector). */
function buildBaseline(clock) {
  const baseline = createAgentBaseline({
    baseline: resolveBaselineProcessorSettings({}),
    anomaly: resolveAnomalyProcessorSettings({}),
    clock,
    logger: silentLogger,
  });
  // The roll-up timer is the agent's too, but a benchmark process must be able to exit.
  return baseline;
}

async function baselineThroughputScenario(name, description, pool) {
  const baseline = buildBaseline(systemClock);
  const processor = baseline.spanProcessor;
  const expectedKeys = new Set(pool.map((span) => `${span.attributes['http.request.method']} ${span.attributes['http.route']}`)).size;
  const { figures, batches } = await timeOnEnd(processor, pool);
  const keys = baseline.engine.keyCount;
  await processor.shutdown();
  return {
    name,
    description,
    keys,
    ...figures,
    // Every span is a server span: one key per (method, route) of the pool, none lost to the overflow key.
    check: { processorFailures: processor.failedSpans, keys, expectedKeys, ok: processor.failedSpans === 0 && keys === expectedKeys },
    batches,
  };
}

/** The decoded OTLP form of the span pool, in requests of `perRequest` spans (as the receiver hands them on). */
function otlpRequests(pool, perRequest) {
  const stringValue = (v) => ({ stringValue: String(v) });
  const requests = [];
  for (let at = 0; at < pool.length; at += perRequest) {
    const spans = pool.slice(at, at + perRequest).map((s, i) => {
      const startNs = BigInt(s.startTime[0]) * 1_000_000_000n + BigInt(s.startTime[1]);
      const endNs = BigInt(s.endTime[0]) * 1_000_000_000n + BigInt(s.endTime[1]);
      const id = Uint8Array.from(Buffer.from(`${String(at + i).padStart(16, '0')}0af7651916cd43dd`, 'hex'));
      return {
        traceId: id,
        spanId: id.subarray(0, 8),
        name: s.name,
        kind: s.kind + 1,
        startTimeUnixNano: startNs,
        endTimeUnixNano: endNs,
        status: { code: s.status.code },
        attributes: Object.entries(s.attributes).map(([key, value]) => ({ key, value: typeof value === 'number' ? { intValue: BigInt(value) } : stringValue(value) })),
      };
    });
    const resourceAttributes = Object.entries(resource.attributes).map(([key, value]) => ({ key, value: stringValue(value) }));
    const request = { resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ scope: { name: 'bench' }, spans }] }] };
    requests.push({ signal: 'traces', request, itemCount: spans.length });
  }
  return requests;
}

async function baselineOtlpScenario(name, description, pool) {
  const MINUTE = 60_000;
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const engine = createBaselineEngine(resolveBaselineProcessorSettings({}), { clock });
  const anomaly = createAnomalyEngine(engine, resolveAnomalyProcessorSettings({}));
  let forwardedSpans = 0;
  let enrichedSpans = 0;
  const exporter = {
    consume(batch) {
      forwardedSpans += batch.itemCount;
      enrichedSpans += batch.request.resourceSpans[0].scopeSpans[0].spans.filter((span) => span.attributes.length > 7).length;
      return Promise.resolve();
    },
  };
  const entry = new OtlpBaselineProcessor(engine, new OtlpAnomalyProcessor(new SpanEnricher(engine, anomaly), exporter, silentLogger), silentLogger);
  const requests = otlpRequests(pool, 512);
  const spansPerRound = requests.reduce((n, r) => n + r.itemCount, 0);
  const feedRequests = async (spans) => {
    for (let fed = 0; fed < spans; ) {
      for (const request of requests) {
        await entry.consume(request);
        fed += request.itemCount;
      }
    }
  };
  // Past the cold start (30 intervals by default): from then on every span is enriched.
  for (let i = 0; i < 32; i++) {
    await feedRequests(spansPerRound);
    clock.advance(MINUTE);
    engine.rollUp();
  }
  await feedRequests(params.warmupSpans);
  globalThis.gc();
  forwardedSpans = 0;
  enrichedSpans = 0;
  const batches = [];
  for (let b = 0; b < params.batches; b++) {
    const from = performance.now();
    const t0 = process.hrtime.bigint();
    await feedRequests(params.batchSpans);
    const ns = Number(process.hrtime.bigint() - t0);
    const spans = Math.ceil(params.batchSpans / spansPerRound) * spansPerRound;
    const gcs = await gcsBetween(from, performance.now());
    batches.push({ spans, ms: round(ns / 1e6, 2), spansPerSec: Math.round((spans * 1e9) / ns), nsPerSpan: round(ns / spans, 1), gcs });
  }
  const spansPerSec = median(batches.map((b) => b.spansPerSec));
  return {
    name,
    description,
    keys: engine.keyCount,
    spansPerSec: Math.round(spansPerSec),
    nsPerSpan: round(1e9 / spansPerSec, 1),
    minSpansPerSec: min(batches.map((b) => b.spansPerSec)),
    maxSpansPerSec: max(batches.map((b) => b.spansPerSec)),
    gcsDuringTimedPart: batches.reduce((n, b) => n + b.gcs.count, 0),
    check: { forwardedSpans, enrichedSpans, ok: forwardedSpans > 0 && enrichedSpans === forwardedSpans },
    batches,
  };
}

/**
 * Bytes per tracked key: `n` keys (one service, n routes) through
 * `intervals` intervals of a ManualClock, 20 spans per key per interval
 * spread over 1 ms .. 1 s (so each open interval's sketch holds a few
 * hundred bins, as real traffic does), rings full and detectors warm; then
 * one more interval's spans without closing it. Heap + typed-array growth
 * after global.gc(), divided by the keys.
 */
async function bytesPerKey(n, intervals) {
  const MINUTE = 60_000;
  const spansPerKey = 20;
  const routes = Array.from({ length: n }, (_, i) => `/api/r${i}/:id`);
  const spans = routes.flatMap((route, r) =>
    Array.from({ length: spansPerKey }, (_, k) => ({
      name: `GET ${route}`,
      kind: SpanKind.SERVER,
      resource,
      status: { code: SpanStatusCode.UNSET },
      duration: hrTime(1.4 ** (((k * 7 + r) % spansPerKey) + 1)),
      endTime: hrTime(0),
      attributes: { 'http.request.method': 'GET', 'http.route': route, 'http.response.status_code': 200 },
      spanContext: () => ({ traceId: `${String(r).padStart(16, '0')}${String(k).padStart(16, '0')}`, spanId: 'b7ad6b7169203331', traceFlags: 1 }),
    })),
  );
  // Build and drop one small engine first so that code and lazily built shapes are in place.
  {
    const warmClock = new ManualClock(Date.UTC(2026, 0, 5));
    const warm = buildBaseline(warmClock);
    for (let i = 0; i < 3; i++) {
      for (const span of spans.slice(0, 50 * spansPerKey)) warm.spanProcessor.onEnd(span);
      warmClock.advance(MINUTE);
      warm.spanProcessor.rollUp();
    }
    await warm.spanProcessor.shutdown();
  }
  const before = heapAfterFullGc();
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const baseline = buildBaseline(clock);
  const processor = baseline.spanProcessor;
  await processor.shutdown(); // stops the timer; onEnd and rollUp keep working
  const rollUpNs = [];
  for (let i = 0; i < intervals; i++) {
    for (const span of spans) processor.onEnd(span);
    clock.advance(MINUTE);
    const t0 = process.hrtime.bigint();
    processor.rollUp();
    rollUpNs.push(Number(process.hrtime.bigint() - t0));
  }
  const afterRollUp = heapAfterFullGc();
  for (const span of spans) processor.onEnd(span);
  const midInterval = heapAfterFullGc();
  const keys = baseline.engine.keyCount;
  let ready = 0;
  baseline.engine.forEach((series) => {
    if (series.hasAnyBaseline) ready++;
  });
  const perKey = (h) => Math.round((h.heapUsed - before.heapUsed + h.arrayBuffers - before.arrayBuffers) / keys);
  return {
    keys,
    keysWithBaseline: ready,
    intervals,
    spansPerKeyPerInterval: spansPerKey,
    modelledSignals: baseline.engine.model.modelled.length,
    bytesPerKey: perKey(midInterval),
    bytesPerKeyBetweenIntervals: perKey(afterRollUp),
    heapBytesPerKey: Math.round((midInterval.heapUsed - before.heapUsed) / keys),
    arrayBufferBytesPerKey: Math.round((midInterval.arrayBuffers - before.arrayBuffers) / keys),
    rollUpMs: round(median(rollUpNs.slice(-10)) / 1e6, 3),
    rollUpUsPerKey: round(median(rollUpNs.slice(-10)) / 1e3 / keys, 3),
    anomaliesStarted: baseline.anomaly.recentEvents().length,
    note:
      'growth of heapUsed + arrayBuffers after global.gc() divided by the keys, mid-interval (every key holding an open sketch); ' +
      'bytesPerKeyBetweenIntervals: right after a roll-up (no sketch). rollUpMs: median time of one roll-up of every key (last 10).',
  };
}

// --- Tasks (each in its own child process) ----------------------------------------------

const TASKS = {
  default: () =>
    throughputScenario(
      'default',
      'default objectives (availability 99.9 %, latency 200 ms at 95 %), server spans, 1 service, 30d rolling',
      settingsFor(undefined),
      spanPool(params.poolSize, 8),
    ),
  'group-by-100': () =>
    throughputScenario(
      'group-by-100',
      `default objectives with group_by: [http.route], ${params.routes} routes (${params.routes * 2} series)`,
      settingsFor(['http.route']),
      spanPool(params.poolSize, params.routes),
    ),
  memory: () => bytesPerSeries(params.seriesForBytes),
  'baseline-anomaly': () =>
    baselineThroughputScenario(
      'baseline-anomaly',
      `baseline + anomaly processors with their defaults (6 modelled signals, 3 watched), server spans over ${params.routes} routes × methods (one key per method and route)`,
      spanPool(params.poolSize, params.routes),
    ),
  'baseline-anomaly-otlp': () =>
    baselineOtlpScenario(
      'baseline-anomaly-otlp',
      `gateway path: decoded OTLP requests of 512 spans through the baseline and anomaly processors, every span enriched, ${params.routes} routes × methods`,
      spanPool(params.poolSize, params.routes),
    ),
  'baseline-memory': () => bytesPerKey(params.keysForBytes, params.baselineIntervals),
};

async function runChild(task) {
  if (typeof globalThis.gc !== 'function') {
    process.stderr.write('the measuring child needs node --expose-gc\n');
    process.exit(1);
  }
  loadCode();
  observeGc();
  const result = await TASKS[task]();
  result.loggedErrors = silentLogger.errors;
  gcObserver.disconnect();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// --- Orchestrator -------------------------------------------------------------------------

function planPinning(machine) {
  if (args['no-pin']) return { method: 'none', reason: '--no-pin' };
  if (process.platform !== 'linux') return { method: 'none', reason: `platform ${process.platform}` };
  const probe = spawnSync('taskset', ['-c', '0', 'true']);
  if (probe.error || probe.status !== 0) return { method: 'none', reason: 'taskset not available' };
  // The last CPU: on a 2-core machine the other one takes the rest of the system's noise.
  return { method: 'taskset', cpus: String(machine.cores - 1), note: 'each measuring child process confined to this CPU' };
}

function spawnTask(task, pinning) {
  const forwarded = [
    '--batches', String(params.batches),
    '--batch-spans', String(params.batchSpans),
    '--warmup-spans', String(params.warmupSpans),
    '--series', String(params.seriesForBytes),
    '--keys', String(params.keysForBytes),
    '--baseline-intervals', String(params.baselineIntervals),
  ];
  const nodeArgv = [process.execPath, '--expose-gc', fileURLToPath(import.meta.url), '--child', task, ...forwarded];
  const argv = pinning.method === 'taskset' ? ['taskset', '-c', pinning.cpus, ...nodeArgv] : nodeArgv;
  const child = spawnSync(argv[0], argv.slice(1), { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 2 ** 20 });
  if (child.error) throw new Error(`${task}: could not start: ${child.error.message}`);
  if (child.status !== 0) throw new Error(`${task}: exited with ${child.status ?? child.signal}`);
  return JSON.parse(child.stdout.trim().split('\n').pop());
}

async function main() {
  checkBuilt();
  const machine = machineInfo();
  const pinning = planPinning(machine);
  process.stdout.write(
    `bench:processors — ${params.batches} batches × ${params.batchSpans.toLocaleString('en')} spans per scenario (after ${params.warmupSpans.toLocaleString('en')} warm-up), ` +
      `one fresh process per scenario, pinning: ${pinning.method === 'taskset' ? `CPU ${pinning.cpus}` : pinning.reason}\n`,
  );

  const scenarios = [];
  for (const name of ['default', 'group-by-100']) {
    const s = spawnTask(name, pinning);
    scenarios.push(s);
    process.stdout.write(`  ${s.name}: ${s.spansPerSec.toLocaleString('en')} spans/s (${s.nsPerSpan} ns/span), ${s.gcsDuringTimedPart} GCs, ${s.bytesAllocatedPerSpan} B allocated/span\n`);
  }
  const memory = spawnTask('memory', pinning);
  const baselineScenario = spawnTask('baseline-anomaly', pinning);
  process.stdout.write(
    `  ${baselineScenario.name}: ${baselineScenario.spansPerSec.toLocaleString('en')} spans/s (${baselineScenario.nsPerSpan} ns/span), ${baselineScenario.gcsDuringTimedPart} GCs, ${baselineScenario.bytesAllocatedPerSpan} B allocated/span\n`,
  );
  const baselineOtlp = spawnTask('baseline-anomaly-otlp', pinning);
  process.stdout.write(`  ${baselineOtlp.name}: ${baselineOtlp.spansPerSec.toLocaleString('en')} spans/s (${baselineOtlp.nsPerSpan} ns/span), ${baselineOtlp.gcsDuringTimedPart} GCs\n`);
  const baselineMemory = spawnTask('baseline-memory', pinning);

  const pass = Object.fromEntries(scenarios.map((s) => [s.name, s.spansPerSec >= GOAL_SPANS_PER_SEC]));
  pass[baselineScenario.name] = baselineScenario.spansPerSec >= GOAL_BASELINE_SPANS_PER_SEC;
  pass['baseline-bytes-per-key'] = baselineMemory.bytesPerKey <= GOAL_BASELINE_BYTES_PER_KEY;
  const report = {
    benchmark: 'processors',
    description:
      'SloSpanProcessor.onEnd → SloEngine.record on one thread, ReadableSpan-shaped objects from a pool, no HTTP; one fresh process per scenario. ' +
      'Only comparable with figures from the same run on the same machine.',
    machine,
    pinning,
    parameters: { ...params, nodeFlags: ['--expose-gc'], clock: 'systemClock (Date.now per span, as in the agent)' },
    goals: { spansPerSecMin: GOAL_SPANS_PER_SEC, baselineSpansPerSecMin: GOAL_BASELINE_SPANS_PER_SEC, baselineBytesPerKeyMax: GOAL_BASELINE_BYTES_PER_KEY },
    pass,
    scenarios,
    memory,
    baseline: { scenario: baselineScenario, otlpScenario: baselineOtlp, memory: baselineMemory },
  };
  writeReport(args.out, report);

  process.stdout.write('\n');
  printTable(
    ['scenario', 'series', 'spans/s (median)', 'ns/span', 'min..max spans/s', 'GCs', 'B alloc/span', 'heap MB before→after', 'check', `goal ≥ ${GOAL_SPANS_PER_SEC.toLocaleString('en')}`],
    scenarios.map((s) => [
      s.name,
      s.series,
      s.spansPerSec.toLocaleString('en'),
      s.nsPerSpan,
      `${s.minSpansPerSec.toLocaleString('en')}..${s.maxSpansPerSec.toLocaleString('en')}`,
      s.gcsDuringTimedPart,
      s.bytesAllocatedPerSpan,
      `${s.heapUsedMb.beforeTimedPart}→${s.heapUsedMb.afterTimedPart}`,
      s.check.ok ? 'ok' : 'MISMATCH',
      pass[s.name] ? 'PASS' : 'FAIL',
    ]),
  );
  process.stdout.write(
    `\nbytes per SLO series: ${memory.bytesPerSeries.toLocaleString('en')} (heap ${memory.heapBytesPerSeries.toLocaleString('en')} + typed arrays ${memory.arrayBufferBytesPerSeries.toLocaleString('en')}; ` +
      `${memory.seriesCreated} series; typed-array payload declared by SloWindowState.bytes: ${memory.declaredTypedArrayBytesPerSeries})\n` +
      `engine.evaluate() over ${memory.seriesCreated} series: ${memory.evaluateMs} ms (${memory.evaluateUsPerSeries} µs/series)\n` +
      `baseline + anomaly: ${baselineScenario.spansPerSec.toLocaleString('en')} spans/s (${baselineScenario.nsPerSpan} ns/span, ${baselineScenario.bytesAllocatedPerSpan} B allocated/span, ${baselineScenario.keys} keys; ` +
      `goal ≥ ${GOAL_BASELINE_SPANS_PER_SEC.toLocaleString('en')}: ${pass[baselineScenario.name] ? 'PASS' : 'FAIL'})\n` +
      `baseline + anomaly, gateway path (OTLP in, every span enriched): ${baselineOtlp.spansPerSec.toLocaleString('en')} spans/s (${baselineOtlp.nsPerSpan} ns/span)\n` +
      `bytes per baseline key: ${baselineMemory.bytesPerKey.toLocaleString('en')} mid-interval, ${baselineMemory.bytesPerKeyBetweenIntervals.toLocaleString('en')} between intervals ` +
      `(${baselineMemory.keys} keys, ${baselineMemory.modelledSignals} detectors each, ${baselineMemory.keysWithBaseline} past cold start; goal ≤ ${GOAL_BASELINE_BYTES_PER_KEY.toLocaleString('en')}: ${pass['baseline-bytes-per-key'] ? 'PASS' : 'FAIL'})\n` +
      `roll-up of ${baselineMemory.keys} keys: ${baselineMemory.rollUpMs} ms (${baselineMemory.rollUpUsPerKey} µs/key)\n` +
      `written to ${path.relative(process.cwd(), args.out)}\n`,
  );
  const broken = [...scenarios, baselineScenario, baselineOtlp].filter((s) => !s.check.ok);
  if (broken.length > 0) {
    process.stderr.write(`count mismatch in ${broken.map((s) => s.name).join(', ')}: see check in the JSON\n`);
    process.exitCode = 1;
  }
}

if (args.child !== undefined) {
  if (!(args.child in TASKS)) {
    process.stderr.write(`unknown task ${args.child}\n`);
    process.exit(2);
  }
  runChild(args.child).catch((error) => {
    process.stderr.write(`bench:processors ${args.child} failed: ${error.stack ?? error}\n`);
    process.exit(1);
  });
} else {
  main().catch((error) => {
    process.stderr.write(`bench:processors failed: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}
