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
// Then the recommend processor (trace assembly + analyzers; slowatch issue 5),
// on a ManualClock advancing 1 ms per span (~100 traces/s simulated: with
// the default 10 s decision wait ~1000 traces in flight, well inside the
// default caps) and engine.evaluate every --recommend-eval-ms of simulated
// time (default 5000, the processor's default evaluation_interval), timed
// together (spans/s = spans / (onEnd or consume + evaluate)):
//   recommend       the agent's path: traces of ~10 spans (SERVER, INTERNAL,
//                   DB and HTTP CLIENT spans, N+1 loops, sequential calls, slow
//                   statements, a failing and a dominant dependency) over 100
//                   routes, RecommendSpanProcessor.onEnd → engine.addSpan; a
//                   pool of 1024 traces cycled with 32 768 trace ids, more than
//                   the buffer remembers, so no span is late (check proves it)
//   recommend-otlp  the gateway's path: the same traces as decoded OTLP requests
//                   of 512 spans through OtlpRecommendTraceProcessor → a no-op
//                   consumer, new trace ids every round
// and memory with the buffer full (recommend-memory: agent, recommend-otlp-
// memory: gateway): 10 000 traces of 20 spans (both default caps) built
// fresh, fed and dropped, heap growth after global.gc() ÷ spans buffered;
// then one evaluate() analysing everything, timed, and what stays after it.
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
//          --recommend-batch-spans N (200000) --recommend-warmup-spans N (100000)
//          --recommend-eval-ms N (5000) --only TASK,TASK (the JSON is then written
//          only with an explicit --out) --profile-dir DIR (children run with --cpu-prof)
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
const DEFAULT_OUT = path.join(benchDir, 'results', 'processors.json');
const GOAL_SPANS_PER_SEC = 1_000_000;
const GOAL_BASELINE_SPANS_PER_SEC = 500_000;
const GOAL_BASELINE_BYTES_PER_KEY = 64 * 1024;
/** slowatch issue 5: trace assembly + analyzers on one core. */
const GOAL_RECOMMEND_SPANS_PER_SEC = 200_000;

const { values: args } = parseArgs({
  options: {
    batches: { type: 'string', default: '5' },
    'batch-spans': { type: 'string', default: '2000000' },
    'warmup-spans': { type: 'string', default: '1000000' },
    series: { type: 'string', default: '2000' },
    keys: { type: 'string', default: '2000' },
    'baseline-intervals': { type: 'string', default: '40' },
    'recommend-batch-spans': { type: 'string', default: '200000' },
    'recommend-warmup-spans': { type: 'string', default: '100000' },
    'recommend-eval-ms': { type: 'string', default: '5000' },
    only: { type: 'string' },
    'profile-dir': { type: 'string' },
    out: { type: 'string', default: DEFAULT_OUT },
    'no-pin': { type: 'boolean', default: false },
    child: { type: 'string' }, // internal: run one task and print its JSON
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'usage: node [--expose-gc] bench/processors.bench.mjs [--batches 5] [--batch-spans 2000000]\n' +
      '       [--warmup-spans 1000000] [--series 2000] [--keys 2000] [--baseline-intervals 40] [--no-pin]\n' +
      '       [--recommend-batch-spans 200000] [--recommend-warmup-spans 100000] [--recommend-eval-ms 5000]\n' +
      '       [--only TASK,TASK] [--profile-dir DIR] [--out bench/results/processors.json]\n' +
      'tasks: default, group-by-100, memory, baseline-anomaly, baseline-anomaly-otlp, baseline-memory,\n' +
      '       recommend, recommend-otlp, recommend-memory, recommend-otlp-memory\n' +
      '--only runs those tasks; the JSON is then written only when --out is given (a partial report must not replace the full one)\n' +
      '--profile-dir DIR: each measuring child runs with --cpu-prof, writing DIR/<task>.cpuprofile (the figures then include the profiler\'s overhead)\n',
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
  recommendBatchSpans: positiveInt('recommend-batch-spans', args['recommend-batch-spans']),
  recommendWarmupSpans: positiveInt('recommend-warmup-spans', args['recommend-warmup-spans']),
  recommendEvalMs: positiveInt('recommend-eval-ms', args['recommend-eval-ms']),
  /** Simulated time per span in the recommend scenarios: 1000 spans/s, ~100 traces/s. */
  recommendMsPerSpan: 1,
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
  'src/recommend/recommend-engine.js',
  'processors/recommend/config.js',
  'processors/recommend/create-recommend-engine.js',
  'processors/recommend/recommend-span-processor.js',
  'processors/recommend/recommend-hub.js',
  'processors/recommend/otlp-recommend-trace-processor.js',
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
let resolveRecommendProcessorSettings, createRecommendEngine, describeChange, RecommendSpanProcessor, RecommendHub, OtlpRecommendTraceProcessor;
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
  ({ resolveRecommendProcessorSettings } = require(dist('processors/recommend/config.js')));
  ({ createRecommendEngine, describeChange } = require(dist('processors/recommend/create-recommend-engine.js')));
  ({ RecommendSpanProcessor } = require(dist('processors/recommend/recommend-span-processor.js')));
  ({ RecommendHub } = require(dist('processors/recommend/recommend-hub.js')));
  ({ OtlpRecommendTraceProcessor } = require(dist('processors/recommend/otlp-recommend-trace-processor.js')));
}

const silentLogger = { errors: [], error(message, error) { this.errors.push(`${message}${error ? `: ${error}` : ''}`); }, warn() {}, info() {}, debug() {} };

function settingsFor(groupBy, maxSeries) {
  // The default objectives are filled in when the config is resolved (createDefaultConfig lists none), so group_by goes on the resolved ones.
  const settings = resolveSloProcessorSettings(createDefaultConfig());
  if (!groupBy) return settings;
  return { ...settings, objectives: settings.objectives.map((o) => ({ ...o, groupBy, ...(maxSeries !== undefined && { maxSeries }) })) };
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

// --- Recommend: trace assembly and analyzers ------------------------------------------------

const RECOMMEND_EPOCH_MS = Date.UTC(2026, 0, 5);
/** Trace templates cycled by the throughput scenarios (a power of two: the feed loops index with a mask). */
const RECOMMEND_TEMPLATES = 1024;
/**
 * Whether statements carry bind parameters (`WHERE id = $1`, what pg and
 * most drivers send, so one code site always sends the same text) instead
 * of inlined literals (every text distinct: the normaliser's worst case).
 * Set by the `recommend-parameterized` task in its own child process.
 */
let parameterizeStatements = false;
const parameterized = (statement) => {
  let n = 0;
  return statement.replace(/'[^']*'|\b\d+(?:\.\d+)?\b/g, () => `$${++n}`);
};
/**
 * Distinct trace ids cycled by the agent scenario (a power of two, a multiple of
 * RECOMMEND_TEMPLATES). An id coming back while the buffer still remembers it as
 * decided (the last decidedTraceIdsCapacity = 10 000 decided ids, plus the ~1000
 * traces in flight at 10 ms per trace and a 10 s wait) would make every span of
 * that trace a late span, dropped: 32 768 ids keep every trace new, and
 * check.lateSpansDropped === 0 proves it.
 */
const RECOMMEND_TRACE_IDS = 32_768;
/** Shapes of the request traces, by route % 10 (see recommendTraceSpecs). */
const RECOMMEND_SHAPES = ['n+1 db', 'n+1 db', 'n+1 db', 'n+1 http', 'sequential', 'sequential', 'plain', 'plain', 'dominant http', 'slow statement'];

const hex = (n, width) => n.toString(16).padStart(width, '0');
const sameString = (s) => s;
/** A new flat copy of `s`: what an SDK or a decoder hands over (a string of its own), not a shared literal. */
const freshString = (s) => Buffer.from(s, 'latin1').toString('latin1');

/**
 * One request trace of the `shop` service as plain span specs, in the order
 * the spans end (children first, the SERVER span last: the order in which a
 * SpanProcessor's onEnd sees them). Times are integer microseconds since the
 * epoch; `kind` in API numbering; `parent` is the parent's index (-1: root).
 *
 * Every trace: a SERVER span (`METHOD /api/r<route>/:id`, http.route, method,
 * status and the usual other attributes), an INTERNAL request-handler span
 * under it, and under that the calls, one after another. The calls by shape
 * (route % 10):
 * - `n+1 db` (30 %): one `SELECT … FROM orders`, then a loop of 6–8 identical
 *   statements with different literals (6–12 ms each: n_plus_one_db), one
 *   HTTP GET to the inventory service;
 * - `n+1 http` (10 %): one SELECT, a loop of 6–8 GETs of one route template
 *   on the pricing service (n_plus_one_http), one UPDATE;
 * - `sequential` (20 %): a `pg-pool.connect`, three different SELECTs and a
 *   GET back to back (gaps ≤ 2 ms: sequential_calls), then after some work a
 *   POST to the payments service (8 % answered 503, status ERROR:
 *   error_prone_dependency), an INSERT with string literals, a SELECT count;
 * - `plain` (20 %): distinct statements and two HTTP calls with 6–12 ms of
 *   application work between them;
 * - `dominant http` (10 %): one slow GET (100–180 ms) and small statements
 *   around it: dominant_dependency;
 * - `slow statement` (10 %): a reporting query of 120–300 ms
 *   (slow_db_statement) among small ones.
 * About 10 spans per trace (9–12); with `size`, small statements separated
 * by application work are appended up to exactly `size` spans.
 *
 * `fresh` is applied to what is unique per span in an application (ids,
 * names, statements, URLs), so the buffer-full measurement retains strings
 * of their own as it would with the SDK; the throughput pools share them.
 */
function recommendTraceSpecs(index, random, { routes, size, fresh = sameString }) {
  const route = index % routes;
  const shape = RECOMMEND_SHAPES[route % RECOMMEND_SHAPES.length];
  const method = route % 5 === 1 ? 'POST' : 'GET';
  const routeTemplate = `/api/r${route}/:id`;
  const id = 1000 + ((index * 7919) % 90_000);
  const between = (lo, hi) => Math.round((lo + random() * (hi - lo)) * 1000); // ms → µs
  const startUs = (RECOMMEND_EPOCH_MS + index * 10) * 1000;
  const server = { index: 0, parent: -1, kind: SpanKind.SERVER, name: fresh(`${method} ${routeTemplate}`), startUs, endUs: 0, statusCode: SpanStatusCode.UNSET, attributes: null };
  const handler = {
    index: 1,
    parent: 0,
    kind: SpanKind.INTERNAL,
    name: fresh(`request handler - ${routeTemplate}`),
    startUs: startUs + between(0.1, 0.3),
    endUs: 0,
    statusCode: SpanStatusCode.UNSET,
    attributes: { 'http.route': routeTemplate, 'express.name': routeTemplate, 'express.type': 'request_handler' },
  };
  const calls = [];
  let cursor = handler.startUs + between(0.2, 0.6);
  const call = (name, durationUs, attributes, statusCode = SpanStatusCode.UNSET) => {
    calls.push({ index: calls.length + 2, parent: 1, kind: SpanKind.CLIENT, name: fresh(name), startUs: cursor, endUs: cursor + durationUs, statusCode, attributes });
    cursor += durationUs;
  };
  const work = (lo, hi) => {
    cursor += between(lo, hi);
  };
  const db = (statement, durationUs) =>
    call(`pg.query:${statement.slice(0, statement.indexOf(' '))} shop`, durationUs, {
      'db.system': 'postgresql',
      'db.name': 'shop',
      'db.user': 'shop',
      'db.statement': fresh(parameterizeStatements ? parameterized(statement) : statement),
      'db.connection_string': 'postgresql://db.internal:5432/shop',
      'net.peer.name': 'db.internal',
      'net.peer.port': 5432,
    });
  const http = (verb, host, path, durationUs, status = 200) =>
    call(
      verb,
      durationUs,
      {
        'http.request.method': verb,
        'url.full': fresh(`http://${host}:8080${path}`),
        'server.address': host,
        'server.port': 8080,
        'network.peer.address': '10.0.4.12',
        'network.peer.port': 8080,
        'http.response.status_code': status,
        'user_agent.original': 'undici',
        ...(status >= 500 && { 'error.type': String(status) }),
      },
      status >= 500 ? SpanStatusCode.ERROR : SpanStatusCode.UNSET,
    );
  let serverStatus = 200;
  if (shape === 'n+1 db') {
    const table = ['order_items', 'line_items', 'comments', 'reviews', 'tags'][route % 5];
    db(`SELECT id, customer_id, total, created_at FROM orders WHERE customer_id = ${id} ORDER BY created_at DESC LIMIT 20`, between(4, 12));
    const loop = 6 + Math.floor(random() * 3);
    for (let i = 0; i < loop; i++) {
      work(0.1, 0.4);
      db(`SELECT id, order_id, sku, quantity, unit_price FROM ${table} WHERE order_id = ${id * 10 + i}`, between(6, 12));
    }
    work(0.2, 1);
    http('GET', 'inventory.internal', `/stock/sku-${id}?warehouse=${route % 3}`, between(3, 15));
  } else if (shape === 'n+1 http') {
    db(`SELECT id, sku FROM cart_items WHERE cart_id = ${id}`, between(2, 6));
    const loop = 6 + Math.floor(random() * 3);
    for (let i = 0; i < loop; i++) {
      work(0.1, 0.3);
      http('GET', 'pricing.internal', `/prices/${id * 10 + i}`, between(8, 15));
    }
    work(0.2, 1);
    db(`UPDATE carts SET total = ${(id % 997) + 0.5}, updated_at = now() WHERE id = ${id}`, between(2, 5));
  } else if (shape === 'sequential') {
    call('pg-pool.connect', between(0.2, 0.5), { 'db.system': 'postgresql', 'db.name': 'shop', 'net.peer.name': 'db.internal', 'net.peer.port': 5432 });
    work(0.1, 0.3);
    db(`SELECT id, name, email FROM users WHERE id = ${id}`, between(15, 30));
    work(0.2, 2);
    db(`SELECT id, street, city FROM addresses WHERE user_id = ${id}`, between(15, 30));
    work(0.2, 2);
    db(`SELECT id, brand, last4 FROM payment_methods WHERE user_id = ${id} AND active = true`, between(15, 30));
    work(0.2, 2);
    http('GET', 'loyalty.internal', `/points/${id}`, between(20, 40));
    work(6, 12);
    const failed = random() < 0.08;
    if (failed) serverStatus = 502;
    http('POST', 'payments.internal', '/v1/charges', between(20, 60), failed ? 503 : 201);
    work(2, 4);
    db(`INSERT INTO orders (user_id, total, status, note) VALUES (${id}, ${(id % 991) + 0.99}, 'placed', 'gift wrap ${id % 7}')`, between(3, 8));
    work(6, 10);
    db(`SELECT count(*) FROM orders WHERE user_id = ${id} AND status = 'placed'`, between(1, 4));
  } else if (shape === 'plain') {
    db(`SELECT id, name, price FROM products WHERE category_id = ${id % 40} ORDER BY rank LIMIT 50`, between(3, 10));
    work(6, 12);
    http('GET', 'search.internal', `/products/_search?q=term${id % 100}`, between(10, 30));
    work(6, 12);
    db(`SELECT id, discount FROM promotions WHERE product_id IN (${id}, ${id + 1}, ${id + 2}) AND ends_at > now()`, between(2, 6));
    work(6, 12);
    http('GET', 'reviews.internal', `/reviews/${id}`, between(5, 20));
    work(6, 12);
    db(`SELECT quantity FROM inventory WHERE product_id = ${id}`, between(1, 4));
    work(6, 12);
    db(`UPDATE products SET views = views + 1 WHERE id = ${id}`, between(1, 4));
  } else if (shape === 'dominant http') {
    db(`SELECT id, segment FROM users WHERE id = ${id}`, between(1, 3));
    work(5, 8);
    http('GET', 'recommendations.internal', `/users/${id}/recommendations`, between(100, 180));
    for (let i = 0; i < 4; i++) {
      work(5, 8);
      db(`SELECT id, title FROM products WHERE id = ${id + i}`, between(1, 3));
    }
  } else {
    db(`SELECT id, currency FROM stores WHERE id = ${id % 50}`, between(1, 3));
    work(5, 8);
    db(`SELECT date_trunc('day', created_at) AS day, sum(total) FROM orders WHERE store_id = ${id % 50} AND created_at > '2026-01-01' GROUP BY 1 ORDER BY 1`, between(120, 300));
    for (let i = 0; i < 5; i++) {
      work(5, 8);
      db(`SELECT value FROM settings WHERE key = 'report.${i}'`, between(1, 3));
    }
  }
  for (let i = 0; size !== undefined && calls.length + 2 < size; i++) {
    work(5, 8);
    db(`SELECT value FROM settings WHERE key = 'flag.${i}' AND store_id = ${id % 50}`, between(1, 3));
  }
  handler.endUs = cursor + between(0.1, 0.3);
  server.endUs = handler.endUs + between(0.2, 0.8);
  server.statusCode = serverStatus >= 500 ? SpanStatusCode.ERROR : SpanStatusCode.UNSET;
  server.attributes = {
    'http.request.method': method,
    'http.route': routeTemplate,
    'http.response.status_code': serverStatus,
    'url.scheme': 'http',
    'url.path': fresh(`/api/r${route}/${id}`),
    'server.address': 'shop.internal',
    'server.port': 8080,
    'network.protocol.version': '1.1',
    'user_agent.original': 'Mozilla/5.0 (bench)',
    'client.address': '10.0.3.7',
    'network.peer.address': '10.0.3.7',
    'network.peer.port': 51234,
  };
  return [...calls, handler, server];
}

/** Span ids of one trace's specs, in spec-index order, as the SDK's 16 lower-case hex characters. */
function specSpanIds(specs, traceIndex, fresh = sameString) {
  const ids = new Array(specs.length);
  for (const spec of specs) ids[spec.index] = fresh(`${hex(traceIndex + 1, 12)}${hex(spec.index, 4)}`);
  return ids;
}

const hrTimeOfUs = (us) => [Math.floor(us / 1e6), (us % 1e6) * 1000];

/** Shaped like the SDK's ReadableSpan (2.x): spanContext() returns the span's own context object. */
class BenchReadableSpan {
  constructor(spec, spanContext, parentSpanContext) {
    this.name = spec.name;
    this.kind = spec.kind;
    this._spanContext = spanContext;
    this.parentSpanContext = parentSpanContext;
    this.startTime = hrTimeOfUs(spec.startUs);
    this.endTime = hrTimeOfUs(spec.endUs);
    this.duration = hrTimeOfUs(spec.endUs - spec.startUs);
    this.status = { code: spec.statusCode };
    this.attributes = spec.attributes;
    this.links = [];
    this.events = [];
    this.ended = true;
    this.resource = resource;
    this.instrumentationScope = { name: spec.kind === SpanKind.CLIENT ? '@opentelemetry/instrumentation-pg' : '@opentelemetry/instrumentation-http', version: '0.208.0' };
    this.droppedAttributesCount = 0;
    this.droppedEventsCount = 0;
    this.droppedLinksCount = 0;
  }

  spanContext() {
    return this._spanContext;
  }
}

/**
 * The ReadableSpans of one trace, in end order, and their context objects
 * (children's parentSpanContext is the parent's context, as in the SDK), so
 * the trace id is changed for the whole trace by writing each context once.
 */
function readableTrace(specs, traceId, spanIds) {
  const contexts = spanIds.map((spanId) => ({ traceId, spanId, traceFlags: 1 }));
  const spans = specs.map((spec) => new BenchReadableSpan(spec, contexts[spec.index], spec.parent < 0 ? undefined : contexts[spec.parent]));
  return { spans, contexts };
}

const idBytes = (hexId) => Uint8Array.from(Buffer.from(hexId, 'hex'));

/**
 * The decoded OTLP form of one trace's spans (as src/otlp's decoder yields it:
 * ids as bytes, OTLP kinds, times in bigint nanoseconds, attributes as
 * KeyValue lists with intValue as bigint), in end order. `fresh` applies to
 * every string, as a decoder allocates every one.
 */
function otlpTraceSpans(specs, traceIdBytes, spanIds, fresh = sameString) {
  const spanIdBytes = spanIds.map(idBytes);
  const keyValues = (attributes) =>
    Object.entries(attributes).map(([key, value]) => ({
      key: fresh(key),
      value: typeof value === 'number' ? (Number.isInteger(value) ? { intValue: BigInt(value) } : { doubleValue: value }) : { stringValue: fresh(String(value)) },
    }));
  return specs.map((spec) => ({
    traceId: traceIdBytes,
    spanId: spanIdBytes[spec.index],
    parentSpanId: spec.parent < 0 ? undefined : spanIdBytes[spec.parent],
    flags: 0x101,
    name: fresh(spec.name),
    kind: spec.kind + 1,
    startTimeUnixNano: BigInt(spec.startUs) * 1000n,
    endTimeUnixNano: BigInt(spec.endUs) * 1000n,
    attributes: keyValues(spec.attributes),
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: spec.statusCode },
  }));
}

/** One decoded trace request holding `spans`, as the receiver hands it on. */
function otlpTraceBatch(spans, fresh = sameString) {
  const resourceAttributes = Object.entries(resource.attributes).map(([key, value]) => ({ key: fresh(key), value: { stringValue: fresh(String(value)) } }));
  const request = { resourceSpans: [{ resource: { attributes: resourceAttributes }, scopeSpans: [{ scope: { name: 'bench', version: '1.0.0' }, spans }] }] };
  return { signal: 'traces', request, itemCount: spans.length };
}

function recommendSettings() {
  return resolveRecommendProcessorSettings({});
}

/** The agent's recommend processor: createRecommendEngine + RecommendSpanProcessor on `clock`. */
function buildRecommendAgent(settings, clock) {
  const engine = createRecommendEngine(settings, [], silentLogger);
  const processor = new RecommendSpanProcessor({ engine, clock, logger: silentLogger });
  return { engine, processor };
}

/** The gateway's: the engine behind a RecommendHub (not started: the bench evaluates) and an OtlpRecommendTraceProcessor before a no-op consumer. */
function buildRecommendGateway(settings, clock) {
  const engine = createRecommendEngine(settings, [], silentLogger);
  const hub = new RecommendHub(engine, clock, settings.evaluationIntervalMs, silentLogger);
  const next = { consume: () => Promise.resolve() };
  return { engine, processor: new OtlpRecommendTraceProcessor(hub, next, clock, silentLogger) };
}

/**
 * What the processor's evaluation loop does (startRecommendLoop): evaluate at
 * the clock's now, one log line per change. Called after each trace (agent)
 * or request (gateway); runs when `evalMs` of simulated time have passed.
 * Timed on its own so the figures split assembly from analysis.
 */
function evaluateWhenDue(engine, clock, state) {
  const now = clock.now();
  if (now < state.nextEvalMs) return;
  const t0 = process.hrtime.bigint();
  const changes = engine.evaluate(now);
  for (const change of changes) silentLogger.info(describeChange(change));
  const ns = Number(process.hrtime.bigint() - t0);
  state.evaluations++;
  state.evalNs += ns;
  if (ns > state.maxEvalNs) state.maxEvalNs = ns;
  state.changes += changes.length;
  do state.nextEvalMs += params.recommendEvalMs;
  while (state.nextEvalMs <= now);
}

function recommendState(clock) {
  return { nextEvalMs: clock.now() + params.recommendEvalMs, evaluations: 0, evalNs: 0, maxEvalNs: 0, changes: 0, tracesFed: 0, spansFed: 0 };
}

/** Counts per recommendation type and status: proof that the analyzers found what the traces hold. */
function recommendationsByType(engine) {
  const out = {};
  for (const r of engine.list()) {
    out[r.type] ??= { open: 0, resolved: 0 };
    out[r.type][r.status] = (out[r.type][r.status] ?? 0) + 1;
  }
  return out;
}

/** Types the trace shapes are built to show (the runtime-signal ones need runtime samples, not fed here). */
const EXPECTED_RECOMMENDATION_TYPES = ['n_plus_one_db', 'n_plus_one_http', 'sequential_calls', 'slow_db_statement', 'error_prone_dependency', 'dominant_dependency'];

/**
 * Warm-up, then `params.batches` timed batches of at least
 * `params.recommendBatchSpans` spans (whole traces or requests): each batch's
 * time includes the evaluations that fell in it. Returns the figures and the
 * batches; `drive(spans)` feeds and evaluates, returning the spans fed.
 */
async function timeRecommend(drive, state) {
  await drive(params.recommendWarmupSpans);
  globalThis.gc();
  const heapBefore = heap();
  const batches = [];
  for (let b = 0; b < params.batches; b++) {
    state.evaluations = 0;
    state.evalNs = 0;
    state.maxEvalNs = 0;
    const from = performance.now();
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const spans = await drive(params.recommendBatchSpans);
    const ns = Number(process.hrtime.bigint() - t0);
    const cpu = process.cpuUsage(cpu0);
    const cpuNs = (cpu.user + cpu.system) * 1000;
    const gcs = await gcsBetween(from, performance.now());
    batches.push({
      spans,
      ms: round(ns / 1e6, 2),
      spansPerSec: Math.round((spans * 1e9) / ns),
      nsPerSpan: round(ns / spans, 1),
      // CPU time of the process (all its threads, pinned to one CPU): what the figure would be
      // without other processes taking turns on that CPU.
      spansPerCpuSec: Math.round((spans * 1e9) / cpuNs),
      evaluations: state.evaluations,
      nsPerSpanInEvaluate: round(state.evalNs / spans, 1),
      analysisShare: round(state.evalNs / ns, 4),
      maxEvaluateMs: round(state.maxEvalNs / 1e6, 3),
      gcs,
    });
  }
  const heapAfter = heap();
  globalThis.gc();
  const heapAfterGc = heap();
  const spansPerSec = median(batches.map((b) => b.spansPerSec));
  // The split is the median batch's (by spans/s), so its parts add up to that batch's ns/span.
  const middle = [...batches].sort((a, b) => a.spansPerSec - b.spansPerSec)[(batches.length - 1) >> 1];
  return {
    spansPerSec: Math.round(spansPerSec),
    nsPerSpan: round(1e9 / spansPerSec, 1),
    minSpansPerSec: min(batches.map((b) => b.spansPerSec)),
    maxSpansPerSec: max(batches.map((b) => b.spansPerSec)),
    spansPerCpuSec: Math.round(median(batches.map((b) => b.spansPerCpuSec))),
    // The median batch's split: time inside engine.evaluate (deciding due traces, the analyzers,
    // candidates and the store) and the rest (onEnd or consume: TraceSpan records into the buffer).
    nsPerSpanInEvaluate: middle.nsPerSpanInEvaluate,
    nsPerSpanAssembly: round(middle.nsPerSpan - middle.nsPerSpanInEvaluate, 1),
    analysisShare: middle.analysisShare,
    maxEvaluateMs: max(batches.map((b) => b.maxEvaluateMs)),
    gcsDuringTimedPart: batches.reduce((n, b) => n + b.gcs.count, 0),
    gcMsDuringTimedPart: round(batches.reduce((n, b) => n + b.gcs.totalMs, 0), 3),
    heapUsedMb: {
      beforeTimedPart: round(heapBefore.heapUsed / MB, 3),
      afterTimedPart: round(heapAfter.heapUsed / MB, 3),
      afterGc: round(heapAfterGc.heapUsed / MB, 3),
    },
    batches,
  };
}

/**
 * The fixed cost of one evaluation with nothing due (candidates over the
 * finding, operation and dependency tables, and the store update): what an
 * evaluation costs however few spans arrived since the last one.
 */
function idleEvaluateUs(engine, clock) {
  const now = clock.now();
  engine.evaluate(now); // decides what was due; the calls timed below decide nothing
  const ns = [];
  for (let i = 0; i < 50; i++) {
    const t0 = process.hrtime.bigint();
    engine.evaluate(now);
    ns.push(Number(process.hrtime.bigint() - t0));
  }
  return round(median(ns) / 1e3, 1);
}

/** The counters that prove the figures measure whole traces assembled and analysed. */
function recommendCheck(engine, state, processorFailures) {
  const stats = engine.stats();
  const b = stats.buffer;
  const byType = recommendationsByType(engine);
  const missingTypes = EXPECTED_RECOMMENDATION_TYPES.filter((type) => byType[type] === undefined);
  return {
    spansFed: state.spansFed,
    tracesFed: state.tracesFed,
    spansReceived: b.spansReceived,
    tracesAnalyzed: stats.tracesAnalyzed,
    tracesInFlight: b.tracesInFlight,
    lateSpansDropped: b.spansDropped.late,
    spansDroppedForTraceCap: b.spansDropped.maxSpansPerTrace,
    tracesEvictedEarly: b.tracesEvictedEarly,
    truncatedTracesSkipped: stats.truncatedTracesSkipped,
    analyzerErrors: stats.analyzerErrors,
    processorFailures,
    recommendationChanges: state.changes,
    recommendationsByType: byType,
    missingTypes,
    ok:
      b.spansReceived === state.spansFed &&
      stats.tracesAnalyzed + b.tracesInFlight === state.tracesFed &&
      b.spansDropped.late === 0 &&
      b.spansDropped.maxSpansPerTrace === 0 &&
      b.tracesEvictedEarly === 0 &&
      Object.keys(stats.analyzerErrors).length === 0 &&
      processorFailures === 0 &&
      missingTypes.length === 0,
  };
}

function recommendParameters() {
  return {
    routes: params.routes,
    traceTemplates: RECOMMEND_TEMPLATES,
    simulatedMsPerSpan: params.recommendMsPerSpan,
    evaluateEveryMs: params.recommendEvalMs,
    shapes: Object.fromEntries(RECOMMEND_SHAPES.map((s) => [s, RECOMMEND_SHAPES.filter((x) => x === s).length / RECOMMEND_SHAPES.length])),
  };
}

/**
 * The agent path: ReadableSpan-shaped objects → RecommendSpanProcessor.onEnd
 * (a TraceSpan into the buffer) → engine.evaluate on a ManualClock that
 * advances `recommendMsPerSpan` per span, evaluating every `recommendEvalMs`
 * of simulated time (the default decision wait, 10 s, then holds ~1000
 * traces in flight). A pool of RECOMMEND_TEMPLATES traces is cycled, each
 * trace given the next of RECOMMEND_TRACE_IDS ids (written into its context
 * objects, one store per span), so every trace is new to the buffer.
 */
async function recommendAgentScenario(name, description) {
  const settings = recommendSettings();
  const clock = new ManualClock(RECOMMEND_EPOCH_MS);
  const { engine, processor } = buildRecommendAgent(settings, clock);
  const random = rng(42);
  const traceIds = Array.from({ length: RECOMMEND_TRACE_IDS }, (_, i) => `${hex(i, 8)}${hex(Math.floor(random() * 2 ** 32), 8)}${hex(Math.floor(random() * 2 ** 32), 8)}${hex(Math.floor(random() * 2 ** 32), 8)}`);
  const templates = Array.from({ length: RECOMMEND_TEMPLATES }, (_, t) => {
    const specs = recommendTraceSpecs(t, random, { routes: params.routes });
    return readableTrace(specs, traceIds[t], specSpanIds(specs, t));
  });
  const templateMask = RECOMMEND_TEMPLATES - 1;
  const idMask = RECOMMEND_TRACE_IDS - 1;
  const state = recommendState(clock);
  const msPerSpan = params.recommendMsPerSpan;
  const drive = (spans) => {
    let fed = 0;
    while (fed < spans) {
      const j = state.tracesFed++;
      const trace = templates[j & templateMask];
      const traceId = traceIds[j & idMask];
      const contexts = trace.contexts;
      for (let i = 0; i < contexts.length; i++) contexts[i].traceId = traceId;
      const traceSpans = trace.spans;
      for (let i = 0; i < traceSpans.length; i++) processor.onEnd(traceSpans[i]);
      fed += traceSpans.length;
      clock.advance(traceSpans.length * msPerSpan);
      evaluateWhenDue(engine, clock, state);
    }
    state.spansFed += fed;
    return fed;
  };
  const figures = await timeRecommend(drive, state);
  const idleUs = idleEvaluateUs(engine, clock);
  const { batches, ...rest } = figures;
  return {
    name,
    description,
    ...recommendParameters(),
    spansPerTrace: round(templates.reduce((n, t) => n + t.spans.length, 0) / templates.length, 2),
    ...rest,
    idleEvaluateUs: idleUs,
    check: recommendCheck(engine, state, processor.failedSpans),
    engineStats: engine.stats(),
    batches,
  };
}

/**
 * The gateway path: the same traces (same specs, same seed) as decoded OTLP
 * requests of 512 spans through OtlpRecommendTraceProcessor (a no-op next
 * consumer first, then forEachTraceSpan → engine.addSpan), the clock advancing
 * `recommendMsPerSpan` per span of each request, evaluating as the agent
 * scenario does. Each round over the requests gives every trace a new id
 * (the round number written into the trace's id bytes, one Uint8Array per
 * trace shared by its spans).
 */
async function recommendGatewayScenario(name, description) {
  const settings = recommendSettings();
  const clock = new ManualClock(RECOMMEND_EPOCH_MS);
  const { engine, processor } = buildRecommendGateway(settings, clock);
  const random = rng(42);
  // Same draws as the agent scenario: the trace ids first (unused here), then the templates.
  for (let i = 0; i < RECOMMEND_TRACE_IDS * 3; i++) random();
  const traceIdBytes = [];
  const spans = [];
  for (let t = 0; t < RECOMMEND_TEMPLATES; t++) {
    const specs = recommendTraceSpecs(t, random, { routes: params.routes });
    const id = idBytes(`${hex(t, 8)}5ca1ab1e0ddba11000000000`);
    traceIdBytes.push(id);
    spans.push(...otlpTraceSpans(specs, id, specSpanIds(specs, t)));
  }
  const requests = [];
  for (let at = 0; at < spans.length; at += 512) requests.push(otlpTraceBatch(spans.slice(at, at + 512)));
  const state = recommendState(clock);
  const msPerSpan = params.recommendMsPerSpan;
  let roundNo = 0;
  let next = 0;
  const drive = async (count) => {
    let fed = 0;
    while (fed < count) {
      if (next === 0) {
        roundNo++;
        for (const id of traceIdBytes) {
          id[12] = roundNo >>> 24;
          id[13] = (roundNo >>> 16) & 0xff;
          id[14] = (roundNo >>> 8) & 0xff;
          id[15] = roundNo & 0xff;
        }
        state.tracesFed += RECOMMEND_TEMPLATES;
      }
      const request = requests[next];
      next = next + 1 === requests.length ? 0 : next + 1;
      await processor.consume(request);
      fed += request.itemCount;
      clock.advance(request.itemCount * msPerSpan);
      evaluateWhenDue(engine, clock, state);
    }
    state.spansFed += fed;
    return fed;
  };
  const figures = await timeRecommend(drive, state);
  // Whole rounds only for the trace count: finish the round under way (untimed).
  while (next !== 0) await drive(1);
  const idleUs = idleEvaluateUs(engine, clock);
  const { batches, ...rest } = figures;
  return {
    name,
    description,
    ...recommendParameters(),
    spansPerRequest: 512,
    requestsPerRound: requests.length,
    spansPerTrace: round(spans.length / RECOMMEND_TEMPLATES, 2),
    ...rest,
    idleEvaluateUs: idleUs,
    check: recommendCheck(engine, state, 0),
    engineStats: engine.stats(),
    batches,
  };
}

/**
 * Memory with the trace buffer full, at the default caps (maxTraces 10 000,
 * maxSpans 200 000: traces of maxSpans / maxTraces = 20 spans fill both at
 * once, nothing evicted), nothing decided yet. Every span is built fresh
 * (ReadableSpan-shaped objects, or decoded OTLP requests of about 512 spans,
 * with strings of their own: `freshString`), fed and dropped, so what stays
 * is what the engine retains, as with the SDK or the decoder. Heap +
 * arrayBuffers growth after global.gc(): the empty engine, then full (÷ spans
 * buffered = bytes per buffered span), then after one evaluate() that
 * decides and analyses everything (buffer drained; the store, the stats and
 * the remembered trace ids stay), which is also timed: the longest
 * evaluation a full buffer can cause.
 */
async function recommendBufferFull(path) {
  const settings = recommendSettings();
  const { maxTraces, maxSpans, decisionWaitMs } = settings.engine.buffer;
  const spansPerTrace = Math.ceil(maxSpans / maxTraces);
  const build = path === 'agent' ? buildRecommendAgent : buildRecommendGateway;
  let pending = [];
  let pendingSpans = 0;
  /** Feeds one trace: the agent at once; the gateway once ~512 spans are pending (and at the end). */
  const feederOf = (processor, random) => async (t, last) => {
    const specs = recommendTraceSpecs(t, random, { routes: params.routes, size: spansPerTrace, fresh: freshString });
    const spanIds = specSpanIds(specs, t, freshString);
    if (path === 'agent') {
      const { spans } = readableTrace(specs, freshString(`${hex(t, 8)}5ca1ab1e0ddba110${hex(t, 8)}`), spanIds);
      for (const span of spans) processor.onEnd(span);
      return;
    }
    pending.push(...otlpTraceSpans(specs, idBytes(`${hex(t, 8)}5ca1ab1e0ddba110${hex(t, 8)}`), spanIds, freshString));
    pendingSpans += specs.length;
    if (pendingSpans >= 512 || last) {
      await processor.consume(otlpTraceBatch(pending, freshString));
      pending = [];
      pendingSpans = 0;
    }
  };
  // Run one small engine through a few hundred traces first, so code and lazily built shapes are in place.
  {
    const clock = new ManualClock(RECOMMEND_EPOCH_MS);
    const warm = build(settings, clock);
    const feed = feederOf(warm.processor, rng(5));
    for (let t = 0; t < 600; t++) {
      await feed(t, t === 599);
      clock.advance(10);
      if (t % 10 === 9) warm.engine.evaluate(clock.now());
    }
    clock.advance(decisionWaitMs);
    warm.engine.evaluate(clock.now());
  }
  const before = heapAfterFullGc();
  const clock = new ManualClock(RECOMMEND_EPOCH_MS);
  const { engine, processor } = build(settings, clock);
  const empty = heapAfterFullGc();
  const feed = feederOf(processor, rng(11));
  const t0 = process.hrtime.bigint();
  for (let t = 0; t < maxTraces; t++) {
    await feed(t, t === maxTraces - 1);
    clock.advance(decisionWaitMs / maxTraces / 2); // all within half the wait: nothing is due
  }
  const fillMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const full = heapAfterFullGc();
  const fullStats = engine.stats().buffer;
  clock.advance(decisionWaitMs);
  const e0 = process.hrtime.bigint();
  engine.evaluate(clock.now());
  const evaluateMs = Number(process.hrtime.bigint() - e0) / 1e6;
  const analysed = heapAfterFullGc();
  const stats = engine.stats();
  const grown = (a, b) => a.heapUsed - b.heapUsed + a.arrayBuffers - b.arrayBuffers;
  const buffered = fullStats.spansInFlight;
  const bufferBytes = grown(full, empty);
  const docEstimateBytes = 100e6 + 6e6;
  return {
    path,
    maxTraces,
    maxSpans,
    spansPerTrace,
    tracesBuffered: fullStats.tracesInFlight,
    spansBuffered: buffered,
    emptyEngineMb: round(grown(empty, before) / MB, 3),
    bufferFullMb: round(bufferBytes / MB, 1),
    bytesPerBufferedSpan: Math.round(bufferBytes / buffered),
    heapBytesPerBufferedSpan: Math.round((full.heapUsed - empty.heapUsed) / buffered),
    bytesPerBufferedTrace: Math.round(bufferBytes / fullStats.tracesInFlight),
    docEstimate: {
      text: 'recommend-engine.ts: "≈ 6 MB of bookkeeping plus the span records, about 0.5 KB each: ≈ 100 MB with 200 000 spans buffered"',
      totalMb: round(docEstimateBytes / MB, 1),
      bytesPerSpan: Math.round(docEstimateBytes / maxSpans),
      measuredOverEstimate: round(bufferBytes / docEstimateBytes, 3),
    },
    afterAnalysisMb: round(grown(analysed, before) / MB, 3),
    evaluateAllMs: round(evaluateMs, 1),
    fillMs: round(fillMs, 1),
    check: {
      tracesInFlightWhenFull: fullStats.tracesInFlight,
      spansInFlightWhenFull: fullStats.spansInFlight,
      tracesEvictedEarly: fullStats.tracesEvictedEarly,
      spansDropped: fullStats.spansDropped,
      tracesAnalyzed: stats.tracesAnalyzed,
      tracesInFlightAfter: stats.buffer.tracesInFlight,
      analyzerErrors: stats.analyzerErrors,
      recommendationsByType: recommendationsByType(engine),
      ok:
        fullStats.tracesInFlight === maxTraces &&
        fullStats.spansInFlight === maxSpans &&
        fullStats.tracesEvictedEarly === 0 &&
        stats.tracesAnalyzed === maxTraces &&
        stats.buffer.tracesInFlight === 0 &&
        Object.keys(stats.analyzerErrors).length === 0,
    },
    note:
      'growth of heapUsed + arrayBuffers after global.gc(): emptyEngineMb = the engine built, bufferFullMb = the buffer full over the empty engine ' +
      '(TraceSpan records, their attribute objects and retained strings, the buffer bookkeeping); afterAnalysisMb = after one evaluate() decided and analysed ' +
      'every trace, over the state before the engine was built (store, stats, remembered trace ids). evaluateAllMs: that one evaluate().',
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
  recommend: () =>
    recommendAgentScenario(
      'recommend',
      `agent path: ReadableSpan-shaped traces of ~10 spans over ${params.routes} routes through RecommendSpanProcessor.onEnd, engine.evaluate every ${params.recommendEvalMs} ms of simulated time (1 ms per span): trace assembly + N+1, sequential calls, dependency stats, dominant dependency`,
    ),
  'recommend-parameterized': () => {
    parameterizeStatements = true;
    return recommendAgentScenario(
      'recommend-parameterized',
      `agent path as \`recommend\`, but statements with bind parameters ($1, as pg sends them) instead of inlined literals, so the normalisation cache hits`,
    );
  },
  'recommend-otlp': () =>
    recommendGatewayScenario(
      'recommend-otlp',
      `gateway path: the same traces as decoded OTLP requests of 512 spans through OtlpRecommendTraceProcessor (no-op next consumer), engine.evaluate every ${params.recommendEvalMs} ms of simulated time`,
    ),
  'recommend-memory': () => recommendBufferFull('agent'),
  'recommend-otlp-memory': () => recommendBufferFull('gateway'),
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
    '--recommend-batch-spans', String(params.recommendBatchSpans),
    '--recommend-warmup-spans', String(params.recommendWarmupSpans),
    '--recommend-eval-ms', String(params.recommendEvalMs),
  ];
  const profile = args['profile-dir'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', path.resolve(args['profile-dir']), '--cpu-prof-name', `${task}.cpuprofile`];
  const nodeArgv = [process.execPath, '--expose-gc', ...profile, fileURLToPath(import.meta.url), '--child', task, ...forwarded];
  const argv = pinning.method === 'taskset' ? ['taskset', '-c', pinning.cpus, ...nodeArgv] : nodeArgv;
  const child = spawnSync(argv[0], argv.slice(1), { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 2 ** 20 });
  if (child.error) throw new Error(`${task}: could not start: ${child.error.message}`);
  if (child.status !== 0) throw new Error(`${task}: exited with ${child.status ?? child.signal}`);
  return JSON.parse(child.stdout.trim().split('\n').pop());
}

/** `--only a,b`: the tasks to run (every one when absent). */
function selectedTasks() {
  if (args.only === undefined) return undefined;
  const names = args.only.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const unknown = names.filter((n) => !(n in TASKS));
  if (unknown.length > 0 || names.length === 0) {
    process.stderr.write(`--only: unknown task ${unknown.join(', ') || '(none given)'}; tasks: ${Object.keys(TASKS).join(', ')}\n`);
    process.exit(2);
  }
  return new Set(names);
}

const spansPerSecText = (s) => `${s.spansPerSec.toLocaleString('en')} spans/s (${s.nsPerSpan} ns/span)`;

async function main() {
  checkBuilt();
  const only = selectedTasks();
  const wanted = (task) => only === undefined || only.has(task);
  const machine = machineInfo();
  const pinning = planPinning(machine);
  const run = (task) => (wanted(task) ? spawnTask(task, pinning) : undefined);
  process.stdout.write(
    `bench:processors — ${params.batches} batches × ${params.batchSpans.toLocaleString('en')} spans per scenario (after ${params.warmupSpans.toLocaleString('en')} warm-up; ` +
      `recommend: ${params.recommendBatchSpans.toLocaleString('en')} after ${params.recommendWarmupSpans.toLocaleString('en')}), ` +
      `one fresh process per scenario, pinning: ${pinning.method === 'taskset' ? `CPU ${pinning.cpus}` : pinning.reason}` +
      `${only === undefined ? '' : `, only: ${[...only].join(', ')}`}\n`,
  );

  const scenarios = [];
  for (const name of ['default', 'group-by-100']) {
    const s = run(name);
    if (s === undefined) continue;
    scenarios.push(s);
    process.stdout.write(`  ${s.name}: ${spansPerSecText(s)}, ${s.gcsDuringTimedPart} GCs, ${s.bytesAllocatedPerSpan} B allocated/span\n`);
  }
  const memory = run('memory');
  const baselineScenario = run('baseline-anomaly');
  if (baselineScenario !== undefined) {
    process.stdout.write(`  ${baselineScenario.name}: ${spansPerSecText(baselineScenario)}, ${baselineScenario.gcsDuringTimedPart} GCs, ${baselineScenario.bytesAllocatedPerSpan} B allocated/span\n`);
  }
  const baselineOtlp = run('baseline-anomaly-otlp');
  if (baselineOtlp !== undefined) process.stdout.write(`  ${baselineOtlp.name}: ${spansPerSecText(baselineOtlp)}, ${baselineOtlp.gcsDuringTimedPart} GCs\n`);
  const baselineMemory = run('baseline-memory');
  const recommendScenarios = [];
  for (const name of ['recommend', 'recommend-parameterized', 'recommend-otlp']) {
    const s = run(name);
    if (s === undefined) continue;
    recommendScenarios.push(s);
    process.stdout.write(`  ${s.name}: ${spansPerSecText(s)}, ${s.spansPerCpuSec.toLocaleString('en')} spans/CPU-s, ${round(s.analysisShare * 100, 1)} % in evaluate, ${s.gcsDuringTimedPart} GCs\n`);
  }
  const recommendMemory = { agent: run('recommend-memory'), gateway: run('recommend-otlp-memory') };

  const pass = Object.fromEntries(scenarios.map((s) => [s.name, s.spansPerSec >= GOAL_SPANS_PER_SEC]));
  if (baselineScenario !== undefined) pass[baselineScenario.name] = baselineScenario.spansPerSec >= GOAL_BASELINE_SPANS_PER_SEC;
  if (baselineMemory !== undefined) pass['baseline-bytes-per-key'] = baselineMemory.bytesPerKey <= GOAL_BASELINE_BYTES_PER_KEY;
  for (const s of recommendScenarios) pass[s.name] = s.spansPerSec >= GOAL_RECOMMEND_SPANS_PER_SEC;
  const report = {
    benchmark: 'processors',
    description:
      'SloSpanProcessor.onEnd → SloEngine.record, the baseline and anomaly processors, and the recommend processor (trace assembly + analyzers) on one thread, ' +
      'ReadableSpan-shaped objects or decoded OTLP requests from a pool, no HTTP; one fresh process per scenario. ' +
      'Only comparable with figures from the same run on the same machine.',
    machine,
    pinning,
    ...(only !== undefined && { only: [...only] }),
    parameters: {
      ...params,
      nodeFlags: ['--expose-gc'],
      clock: 'systemClock (Date.now per span, as in the agent); the gateway baseline path and the recommend scenarios: a ManualClock',
    },
    goals: {
      spansPerSecMin: GOAL_SPANS_PER_SEC,
      baselineSpansPerSecMin: GOAL_BASELINE_SPANS_PER_SEC,
      baselineBytesPerKeyMax: GOAL_BASELINE_BYTES_PER_KEY,
      recommendSpansPerSecMin: GOAL_RECOMMEND_SPANS_PER_SEC,
    },
    pass,
    scenarios,
    memory,
    baseline: { scenario: baselineScenario, otlpScenario: baselineOtlp, memory: baselineMemory },
    recommend: {
      scenario: recommendScenarios.find((s) => s.name === 'recommend'),
      otlpScenario: recommendScenarios.find((s) => s.name === 'recommend-otlp'),
      parameterizedScenario: recommendScenarios.find((s) => s.name === 'recommend-parameterized'),
      memory: recommendMemory,
      ratioToGoal: Object.fromEntries(recommendScenarios.map((s) => [s.name, round(s.spansPerSec / GOAL_RECOMMEND_SPANS_PER_SEC, 3)])),
    },
  };
  // A partial run must not replace the full report unless asked to.
  const written = only === undefined || args.out !== DEFAULT_OUT;
  if (written) writeReport(args.out, report);

  process.stdout.write('\n');
  if (scenarios.length > 0) {
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
    process.stdout.write('\n');
  }
  if (memory !== undefined) {
    process.stdout.write(
      `bytes per SLO series: ${memory.bytesPerSeries.toLocaleString('en')} (heap ${memory.heapBytesPerSeries.toLocaleString('en')} + typed arrays ${memory.arrayBufferBytesPerSeries.toLocaleString('en')}; ` +
        `${memory.seriesCreated} series; typed-array payload declared by SloWindowState.bytes: ${memory.declaredTypedArrayBytesPerSeries})\n` +
        `engine.evaluate() over ${memory.seriesCreated} series: ${memory.evaluateMs} ms (${memory.evaluateUsPerSeries} µs/series)\n`,
    );
  }
  if (baselineScenario !== undefined) {
    process.stdout.write(
      `baseline + anomaly: ${spansPerSecText(baselineScenario)}, ${baselineScenario.bytesAllocatedPerSpan} B allocated/span, ${baselineScenario.keys} keys; ` +
        `goal ≥ ${GOAL_BASELINE_SPANS_PER_SEC.toLocaleString('en')}: ${pass[baselineScenario.name] ? 'PASS' : 'FAIL'}\n`,
    );
  }
  if (baselineOtlp !== undefined) process.stdout.write(`baseline + anomaly, gateway path (OTLP in, every span enriched): ${spansPerSecText(baselineOtlp)}\n`);
  if (baselineMemory !== undefined) {
    process.stdout.write(
      `bytes per baseline key: ${baselineMemory.bytesPerKey.toLocaleString('en')} mid-interval, ${baselineMemory.bytesPerKeyBetweenIntervals.toLocaleString('en')} between intervals ` +
        `(${baselineMemory.keys} keys, ${baselineMemory.modelledSignals} detectors each, ${baselineMemory.keysWithBaseline} past cold start; goal ≤ ${GOAL_BASELINE_BYTES_PER_KEY.toLocaleString('en')}: ${pass['baseline-bytes-per-key'] ? 'PASS' : 'FAIL'})\n` +
        `roll-up of ${baselineMemory.keys} keys: ${baselineMemory.rollUpMs} ms (${baselineMemory.rollUpUsPerKey} µs/key)\n`,
    );
  }
  if (recommendScenarios.length > 0) {
    process.stdout.write('\n');
    printTable(
      ['recommend scenario', 'spans/s (median)', 'ns/span', 'of which evaluate', 'spans/CPU-s', 'min..max spans/s', 'max evaluate ms', 'idle evaluate µs', 'GCs', 'check', 'vs goal', `goal ≥ ${GOAL_RECOMMEND_SPANS_PER_SEC.toLocaleString('en')}`],
      recommendScenarios.map((s) => [
        s.name,
        s.spansPerSec.toLocaleString('en'),
        s.nsPerSpan,
        s.nsPerSpanInEvaluate,
        s.spansPerCpuSec.toLocaleString('en'),
        `${s.minSpansPerSec.toLocaleString('en')}..${s.maxSpansPerSec.toLocaleString('en')}`,
        s.maxEvaluateMs,
        s.idleEvaluateUs,
        s.gcsDuringTimedPart,
        s.check.ok ? 'ok' : 'MISMATCH',
        `${round(s.spansPerSec / GOAL_RECOMMEND_SPANS_PER_SEC, 2)}×`,
        pass[s.name] ? 'PASS' : 'FAIL',
      ]),
    );
  }
  for (const m of [recommendMemory.agent, recommendMemory.gateway]) {
    if (m === undefined) continue;
    process.stdout.write(
      `recommend buffer full (${m.path}): ${m.tracesBuffered.toLocaleString('en')} traces, ${m.spansBuffered.toLocaleString('en')} spans: ${m.bufferFullMb} MB, ` +
        `${m.bytesPerBufferedSpan} B/span (doc estimate ≈ ${m.docEstimate.bytesPerSpan} B/span, ${m.docEstimate.totalMb} MB); ` +
        `after analysing all (one evaluate, ${m.evaluateAllMs} ms): ${m.afterAnalysisMb} MB kept${m.check.ok ? '' : ' — CHECK FAILED'}\n`,
    );
  }
  process.stdout.write(written ? `written to ${path.relative(process.cwd(), args.out)}\n` : `not written (--only without --out keeps ${path.relative(process.cwd(), args.out)} as it is)\n`);
  const broken = [...scenarios, baselineScenario, baselineOtlp, ...recommendScenarios, recommendMemory.agent, recommendMemory.gateway].filter((s) => s !== undefined && s.check !== undefined && !s.check.ok);
  if (broken.length > 0) {
    process.stderr.write(`count mismatch in ${broken.map((s) => s.name ?? `recommend-memory (${s.path})`).join(', ')}: see check in the JSON\n`);
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
