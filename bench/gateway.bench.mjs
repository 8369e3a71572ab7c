#!/usr/bin/env node
// `npm run bench:gateway` — spans per second (and per CPU-second) through
// `slowatch serve`, end to end.
//
// Several concurrent OTLP/HTTP protobuf clients (autocannon, N connections,
// not rate-limited) POST /v1/traces with pre-encoded ExportTraceServiceRequest
// bodies (512 server spans with 10 attributes each, encoded by the
// OpenTelemetry JS SDK's ProtobufTraceSerializer) to the gateway, which runs
//   receivers [otlp] → processors [slo, batch] → exporters [otlp/sink]
// and forwards to a local sink (bench/lib/otlp-sink.mjs, its own process,
// answering 200). The gateway is pinned to one CPU, the load generator and
// the sink to the other(s). Scenarios: the exporter's `compression: none`
// and `gzip` (the Collector's default), interleaved round by round.
// Per run, from the gateway's own /metrics, the sink's counts, autocannon
// and /proc: spans accepted and delivered, refused, req/s, p50/p99, non-2xx,
// gateway CPU seconds → spans per CPU-second (the "per core" figure) and
// spans/s wall, RSS after the run and peak (VmHWM). Medians per scenario
// against the goal (≥ 50 000 spans per CPU-second; stretch 100 000).
// Writes bench/results/gateway.json. Exits 0 whatever the goals say;
// non-zero only when a run could not be carried out or its counts do not
// add up (spans accepted but never delivered).
//
// Options: --rounds N (3) --duration S (15) --connections N (8) --warmup S (3)
//          --bodies N (16) --spans N (512 per request) --scenarios none,gzip
//          --scrapes N (3 per run) --drain-timeout S (30) --no-pin --out FILE
//          --gateway PATH (the script run as `node PATH serve --config F`; default dist/src/cli/main.js)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, httpGet, waitForHttp } from './lib/net.mjs';
import { children, cleanEnv, killChildren, parseCpuList, pinned, planServerPinning, runLoadWorker, tail } from './lib/children.mjs';
import { machineInfo } from './lib/machine.mjs';
import { cpuTimes, procCpuSeconds, procMemory } from './lib/proc.mjs';
import { median, round } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';
import { writeReport } from './lib/report.mjs';
import { buildBodies } from './lib/otlp-bodies.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const MB = 2 ** 20;
const DEFAULT_GATEWAY_MAIN = 'dist/src/cli/main.js';

const GOALS = { spansPerCpuSecMin: 50_000, spansPerCpuSecStretch: 100_000 };
// What `batch: {}` means (processors/batch/config.ts, the Collector's defaults), to explain unsaturated runs.
const BATCH_DEFAULTS = { sendBatchSize: 8192, timeoutMs: 200 };
const COLLECTOR_REFERENCE = {
  source: 'https://open-telemetry.github.io/opentelemetry-collector-contrib/benchmarks/loadtests/ (collector-contrib docs/benchmarks/loadtests/data.js, commit e4c3003, 2023-07-06)',
  figure: 'Trace10kSPS/OTLP-HTTP: 10 000 spans/s at 5.4 % of a core on average, about 185 000 spans per CPU-second (8.27 %, about 121 000, with gzip)',
  note: 'different hardware, span shapes, pipeline and load generator: context for the goal, not a side-by-side comparison',
};

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '15' },
    connections: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '3' },
    bodies: { type: 'string', default: '16' },
    spans: { type: 'string', default: '512' },
    scenarios: { type: 'string', default: 'none,gzip' },
    // The traces pipeline's processors. Without batch each client request is forwarded as it came
    // (512 spans are a batch already); with it, requests wait for the batch to fill or time out.
    processors: { type: 'string', default: 'slo' },
    // Requests per second offered in total (0 = as fast as the gateway answers). Below saturation the
    // gateway never has to refuse, so spans per CPU-second is the cost of processing, not of refusing:
    // autocannon, unlike OpenTelemetry's exporters, does not back off on 503 + Retry-After.
    rate: { type: 'string', default: '60' },
    scrapes: { type: 'string', default: '3' },
    'drain-timeout': { type: 'string', default: '30' },
    // The script started as `node <gateway> serve --config FILE` (relative to the repository root).
    gateway: { type: 'string', default: DEFAULT_GATEWAY_MAIN },
    'no-pin': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(benchDir, 'results', 'gateway.json') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'usage: node bench/gateway.bench.mjs [--rounds 3] [--duration 15] [--connections 8] [--warmup 3]\n' +
      '       [--bodies 16] [--spans 512] [--scenarios none,gzip] [--processors slo|slo,batch] [--rate REQ_PER_S] [--scrapes 3] [--drain-timeout 30]\n' +
      '       [--gateway dist/src/cli/main.js] [--no-pin] [--out bench/results/gateway.json]\n',
  );
  process.exit(0);
}

function intArg(name, value, { min = 1 } = {}) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be an integer >= ${min}, got ${value}\n`);
    process.exit(2);
  }
  return n;
}

const GATEWAY_MAIN = args.gateway;

const params = {
  processors: args.processors,
  rate: intArg('rate', args.rate, { min: 0 }),
  rounds: intArg('rounds', args.rounds),
  durationSec: intArg('duration', args.duration),
  connections: intArg('connections', args.connections),
  warmupSec: intArg('warmup', args.warmup, { min: 0 }),
  bodies: intArg('bodies', args.bodies),
  spansPerRequest: intArg('spans', args.spans),
  scrapesPerRun: intArg('scrapes', args.scrapes, { min: 0 }),
  drainTimeoutSec: intArg('drain-timeout', args['drain-timeout']),
  nodeEnv: 'production',
};

// --- Scenarios: the otlp/sink exporter's compression ----------------------------------

const SCENARIOS = {
  none: { label: 'compression: none', compression: 'none' },
  gzip: { label: 'compression: gzip', compression: 'gzip' },
};
const selected = args.scenarios.split(',').map((s) => s.trim()).filter(Boolean);
for (const key of selected) {
  if (!(key in SCENARIOS)) {
    process.stderr.write(`unknown scenario ${key} (known: ${Object.keys(SCENARIOS).join(', ')})\n`);
    process.exit(2);
  }
}

const PROCESSORS = args.processors.split(',').map((p) => p.trim()).filter(Boolean);
for (const p of PROCESSORS) {
  if (p !== 'slo' && p !== 'batch') {
    process.stderr.write(`unknown processor ${p} (known: slo, batch)\n`);
    process.exit(2);
  }
}

/** The gateway's configuration, Collector-style; endpoints on free loopback ports. */
function gatewayConfig({ otlpPort, promPort, sinkPort, compression }) {
  return [
    '# Written by bench/gateway.bench.mjs',
    'receivers:',
    '  otlp:',
    '    protocols:',
    '      http:',
    `        endpoint: 127.0.0.1:${otlpPort}`,
    'processors:',
    '  slo: {}',
    ...(PROCESSORS.includes('batch') ? ['  batch: {}'] : []),
    'exporters:',
    '  otlp/sink:',
    `    endpoint: http://127.0.0.1:${sinkPort}`,
    '    protocol: http/protobuf',
    `    compression: ${compression}`,
    '  prometheus:',
    `    endpoint: 127.0.0.1:${promPort}`,
    'service:',
    '  pipelines:',
    '    traces:',
    '      receivers: [otlp]',
    `      processors: [${PROCESSORS.join(', ')}]`,
    '      exporters: [otlp/sink]',
    '    metrics:',
    '      receivers: []',
    '      processors: []',
    '      exporters: [prometheus]',
    '',
  ].join('\n');
}

// --- CPU pinning --------------------------------------------------------------------


function planPinning() {
  const plan = planServerPinning(args['no-pin']);
  if (plan.method !== 'taskset') return plan;
  return {
    method: 'taskset',
    gatewayCpus: plan.serverCpus,
    loadGeneratorCpus: plan.otherCpus,
    sinkCpus: plan.otherCpus,
    orchestratorCpus: plan.orchestratorCpus,
    note:
      'gateway (with its libuv, zlib and GC threads) confined to gatewayCpus, so its CPU seconds are at most one core per second; ' +
      'autocannon and the sink are separate processes on the other CPU(s). Other tenants of the machine are not excluded.',
  };
}


// --- Child processes ------------------------------------------------------------------




/** The temporary folder of this run's bodies and configs; removed on exit. */
let tmpDir;
process.on('exit', () => {
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
});

function startProcess(argv, cpus) {
  const full = pinned(cpus, argv);
  const child = spawn(full[0], full.slice(1), { cwd: repoRoot, env: { ...cleanEnv(), NODE_ENV: params.nodeEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const state = { exitedEarly: false, spawnError: undefined };
  const exited = new Promise((resolve) => {
    child.on('error', (error) => {
      state.spawnError = error;
      children.delete(child);
      state.exitedEarly = true;
      resolve({ code: null, signal: null, error: error.message });
    });
    child.on('exit', (code, signal) => {
      children.delete(child);
      state.exitedEarly = true;
      resolve({ code, signal });
    });
  });
  return { child, exited, state, stdout: tail(child.stdout), stderr: tail(child.stderr) };
}

async function stopProcess(proc, timeoutMs = 10_000) {
  const started = Date.now();
  if (proc.state.exitedEarly) return { ...(await proc.exited), ms: 0, forced: false, alreadyExited: true };
  proc.child.kill('SIGTERM');
  const timedOut = Symbol('timeout');
  let timer;
  const outcome = await Promise.race([proc.exited, new Promise((r) => (timer = setTimeout(() => r(timedOut), timeoutMs)))]);
  clearTimeout(timer);
  if (outcome !== timedOut) return { ...outcome, ms: Date.now() - started, forced: false };
  proc.child.kill('SIGKILL');
  return { ...(await proc.exited), ms: Date.now() - started, forced: true };
}

function runLoad(url, durationSec, bodyFiles, pinning) {
  const input = {
    url,
    connections: params.connections,
    durationSec,
    timeoutSec: 30,
    ...(params.rate > 0 ? { overallRate: params.rate } : {}),
    headers: { 'content-type': 'application/x-protobuf' },
    requests: bodyFiles.map((bodyFile) => ({ method: 'POST', path: '/v1/traces', bodyFile })),
  };
  return runLoadWorker(input, { cpus: pinning.method === 'taskset' ? pinning.loadGeneratorCpus : undefined, cwd: repoRoot });
}

// --- The gateway's /metrics and the sink's /stats ---------------------------------------

const METRIC = {
  accepted: 'slowatch_receiver_accepted_spans_total',
  refused: 'slowatch_receiver_refused_spans_total',
  requests: 'slowatch_receiver_requests_total',
  sent: 'slowatch_exporter_sent_spans_total',
  sendFailed: 'slowatch_exporter_send_failed_spans_total',
  enqueueFailed: 'slowatch_exporter_enqueue_failed_spans_total',
  queueSize: 'slowatch_exporter_queue_size',
  sloEvents: 'slowatch_slo_events_total',
};

function parseLabels(text) {
  return Object.fromEntries([...text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
}

/** The figures this benchmark reads from one Prometheus exposition. Missing counters read as undefined. */
function readGatewayMetrics(body) {
  const sums = {};
  const requestsByOutcome = {};
  const sloEvents = {};
  let samples = 0;
  for (const line of body.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    samples++;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const [, name, labelText, valueText] = m;
    const value = Number(valueText);
    if (!Number.isFinite(value)) continue;
    sums[name] = (sums[name] ?? 0) + value;
    if (name === METRIC.requests) {
      const labels = parseLabels(labelText ?? '');
      if (labels.signal === 'traces') requestsByOutcome[labels.outcome ?? '?'] = (requestsByOutcome[labels.outcome ?? '?'] ?? 0) + value;
    } else if (name === METRIC.sloEvents) {
      const labels = parseLabels(labelText ?? '');
      const slo = labels.slo ?? '?';
      sloEvents[slo] = (sloEvents[slo] ?? 0) + value;
    }
  }
  const get = (name) => sums[name];
  return {
    samples,
    accepted: get(METRIC.accepted),
    refused: get(METRIC.refused),
    sent: get(METRIC.sent),
    sendFailed: get(METRIC.sendFailed),
    enqueueFailed: get(METRIC.enqueueFailed),
    queueSize: get(METRIC.queueSize),
    requestsByOutcome,
    sloEvents,
  };
}

async function scrapeGateway(url) {
  const res = await httpGet(url, 10_000);
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  return { ...readGatewayMetrics(res.body), ms: res.ms, bytes: Buffer.byteLength(res.body) };
}

async function sinkStats(url) {
  const res = await httpGet(url, 10_000);
  if (res.status !== 200) throw new Error(`sink ${url} answered ${res.status}`);
  return JSON.parse(res.body);
}

const n0 = (x) => x ?? 0;
/**
 * Whether every accepted span has left the exporter (sent or failed). Spans
 * its full queue refused count as gone too, but only those whose client was
 * not told so: when the refusal reached the client (503, counted refused by
 * the receiver), those spans were never accepted.
 */
function exporterCaughtUp(m) {
  const done = n0(m.sent) + n0(m.sendFailed);
  const droppedAfterAccept = Math.max(0, n0(m.enqueueFailed) - n0(m.refused));
  return done + droppedAfterAccept >= n0(m.accepted);
}

/** Requests the receiver has answered (every outcome), from slowatch_receiver_requests_total. */
const answeredRequests = (m) => Object.values(m.requestsByOutcome).reduce((a, b) => a + b, 0);

/**
 * Waits until the pipeline is drained: every request the load generator
 * sent has been answered (or, for requests it abandoned when it stopped,
 * nothing has changed for STABLE_MS), every span accepted has left the
 * pipeline (sent, failed or refused by the exporter, queue empty), and the
 * sink has counted every span sent.
 *
 * The receiver counts a request (and its spans accepted) only once the
 * pipeline has settled it — after the batch processor flushed it, up to its
 * `timeout` later — so "accepted = sent" alone would declare a pipeline
 * drained while requests still wait in the batch processor.
 * `ms`: when the final state was first seen.
 */
const STABLE_MS = 4 * BATCH_DEFAULTS.timeoutMs;
async function waitDrained(metricsUrl, sinkUrl, timeoutMs, isAlive, expectedRequests) {
  const started = Date.now();
  let m;
  let s;
  let signature;
  let since = started;
  for (;;) {
    if (!isAlive()) throw new Error('gateway exited while draining');
    m = await scrapeGateway(metricsUrl);
    s = await sinkStats(sinkUrl);
    const now = Date.now();
    const current = JSON.stringify([answeredRequests(m), m.accepted, m.refused, m.sent, m.sendFailed, m.enqueueFailed, m.queueSize, s.spans]);
    if (current !== signature) {
      signature = current;
      since = now;
    }
    const pipelineEmpty = exporterCaughtUp(m) && n0(m.queueSize) === 0 && s.spans >= n0(m.sent);
    const allAnswered = answeredRequests(m) >= expectedRequests;
    if (pipelineEmpty && (allAnswered || now - since >= STABLE_MS)) {
      return { metrics: m, sink: s, ms: since - started, timedOut: false, allRequestsAnswered: allAnswered };
    }
    if (now - started > timeoutMs) return { metrics: m, sink: s, ms: now - started, timedOut: true, allRequestsAnswered: allAnswered };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A best guess at what limited spans/s in a run, from its own figures:
 * the gateway's CPU, the load side's CPU, other processes on the gateway's
 * CPU, or latency — each client waits for its answer, which the gateway gives
 * once the batch processor has flushed (after `timeout` when the spans in
 * flight, connections × spans per request, are fewer than send_batch_size).
 */
function limitedBy(run) {
  if (run.refusedSpans > 0) {
    return (
      `back-pressure: ${run.refusedSpans} spans refused (${run.non2xx} non-2xx answers), the exporter did not keep up; ` +
      `autocannon resends at once, where an SDK client would wait Retry-After`
    );
  }
  if (run.gatewaySaturated) return 'gateway CPU';
  const inFlight = params.connections * params.spansPerRequest;
  // At most `inFlight` spans per batch timeout when every request waits for it.
  const timeoutBound = inFlight / (BATCH_DEFAULTS.timeoutMs / 1000);
  if (inFlight < BATCH_DEFAULTS.sendBatchSize && run.p50Ms >= BATCH_DEFAULTS.timeoutMs && run.spansPerSec >= 0.7 * timeoutBound) {
    return (
      `batch timeout: ${inFlight} spans in flight < send_batch_size ${BATCH_DEFAULTS.sendBatchSize}, so each request is answered ` +
      `only when the batch timeout (${BATCH_DEFAULTS.timeoutMs} ms) flushes it: at most ${Math.round(timeoutBound)} spans/s`
    );
  }
  if ((run.loadCpuBusyShare ?? 0) >= 0.9) return 'load generator / sink CPU';
  if ((run.gatewayCpuNoise?.othersSec ?? 0) > 0.2 * run.loadWallSec) return 'other processes on the gateway CPU';
  return 'latency (the gateway answers each request once the pipeline has taken it)';
}

/** `n` different free loopback ports (freePort alone may hand out a port it just gave). */
async function distinctFreePorts(n) {
  const ports = new Set();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

// --- One run ---------------------------------------------------------------------------

async function runOnce(roundNo, key, pinning) {
  const scenario = SCENARIOS[key];
  const [otlpPort, promPort, sinkPort] = await distinctFreePorts(3);
  const otlpUrl = `http://127.0.0.1:${otlpPort}`;
  const metricsUrl = `http://127.0.0.1:${promPort}/metrics`;
  const sinkUrl = `http://127.0.0.1:${sinkPort}/stats`;
  const run = { round: roundNo, scenario: key, otlpPort, promPort, sinkPort };
  const gatewayCpus = pinning.method === 'taskset' ? pinning.gatewayCpus : undefined;
  const otherCpus = pinning.method === 'taskset' ? pinning.sinkCpus : undefined;

  // Fresh bodies (same content, timestamps of now) before anything is timed.
  const built = await buildBodies({ bodies: params.bodies, spansPerBody: params.spansPerRequest });
  const bodyFiles = built.bodies.map((body, i) => {
    const file = path.join(tmpDir, `body-${String(i).padStart(2, '0')}.bin`);
    writeFileSync(file, body);
    return file;
  });
  const configFile = path.join(tmpDir, `gateway-${key}.yaml`);
  writeFileSync(configFile, gatewayConfig({ otlpPort, promPort, sinkPort, compression: scenario.compression }));
  run.configFile = configFile;

  const sink = startProcess([process.execPath, path.join(benchDir, 'lib', 'otlp-sink.mjs'), String(sinkPort)], otherCpus);
  let gateway;
  let sampler;
  try {
    await waitForHttp(sinkUrl, 15_000, () => !sink.state.exitedEarly);
    const t0 = Date.now();
    gateway = startProcess([process.execPath, GATEWAY_MAIN, 'serve', '--config', configFile], gatewayCpus);
    run.command = `node ${GATEWAY_MAIN} serve --config ${path.basename(configFile)}`;
    const alive = () => !gateway.state.exitedEarly;
    const first = await waitForHttp(metricsUrl, 30_000, alive);
    if (first.status !== 200) throw new Error(`${metricsUrl} answered ${first.status}`);
    const probe = await waitForHttp(`${otlpUrl}/v1/traces`, 30_000, alive); // GET: any answer (405) means it listens
    run.receiverProbeStatus = probe.status;
    run.startupMs = Date.now() - t0;
    const pid = gateway.child.pid;
    run.rssStartedMb = round((procMemory(pid).rssBytes ?? NaN) / MB);

    let requestsSent = 0; // by the load generator to this gateway, to know when all were answered
    if (params.warmupSec > 0) {
      const warm = await runLoad(otlpUrl, params.warmupSec, bodyFiles, pinning);
      run.warmup = { requests: warm.requestsTotal, requestsSent: warm.requestsSent, non2xx: warm.non2xx, statusCodes: warm.statusCodes };
      requestsSent += warm.requestsSent;
    }
    const settled = await waitDrained(metricsUrl, sinkUrl, params.drainTimeoutSec * 1000, alive, requestsSent);
    run.settleAfterWarmupMs = settled.ms;
    if (settled.timedOut) run.settleAfterWarmupTimedOut = true;

    // --- Before
    const m0 = settled.metrics;
    const s0 = settled.sink;
    if (m0.accepted === undefined || m0.sent === undefined) {
      throw new Error(`gateway /metrics lacks ${m0.accepted === undefined ? METRIC.accepted : METRIC.sent}`);
    }
    run.rssBeforeMb = round((procMemory(pid).rssBytes ?? NaN) / MB);
    run.loadAverage1m = round(os.loadavg()[0]);
    const singleCpu = gatewayCpus !== undefined && !gatewayCpus.includes(',') ? gatewayCpus : undefined;
    const cpuLine0 = singleCpu === undefined ? undefined : cpuTimes(singleCpu);
    const otherList = otherCpus === undefined ? [] : parseCpuList(otherCpus);
    const otherLines0 = otherList.map((c) => cpuTimes(c));
    const c0 = procCpuSeconds(pid);
    const h0 = process.hrtime.bigint();

    // --- Timed load, with Prometheus-like scrapes spread over it
    const rssTimeline = [];
    sampler = setInterval(() => rssTimeline.push(round((procMemory(pid).rssBytes ?? NaN) / MB, 1)), 500);
    const loadPromise = runLoad(otlpUrl, params.durationSec, bodyFiles, pinning);
    const scrapes = [];
    const timers = [];
    const started = Date.now();
    for (let i = 1; i <= params.scrapesPerRun; i++) {
      const atMs = (params.durationSec * 1000 * i) / (params.scrapesPerRun + 1);
      timers.push(
        new Promise((r) => setTimeout(r, atMs))
          .then(() => scrapeGateway(metricsUrl))
          .then(
            (m) => scrapes.push({ atSec: round((Date.now() - started) / 1000, 2), ms: round(m.ms, 2), bytes: m.bytes, queueSize: m.queueSize }),
            (error) => scrapes.push({ atSec: round((Date.now() - started) / 1000, 2), error: error.message }),
          ),
      );
    }
    const load = await loadPromise;
    const c1 = procCpuSeconds(pid);
    const h1 = process.hrtime.bigint();
    const cpuLine1 = singleCpu === undefined ? undefined : cpuTimes(singleCpu);
    const otherLines1 = otherList.map((c) => cpuTimes(c));
    clearInterval(sampler);
    const mem1 = procMemory(pid);
    await Promise.all(timers);
    const m1 = await scrapeGateway(metricsUrl);
    if (!alive()) throw new Error('gateway exited during the run');

    // --- Drain: until every accepted span reached the sink (or the timeout)
    requestsSent += load.requestsSent;
    const drained = await waitDrained(metricsUrl, sinkUrl, params.drainTimeoutSec * 1000, alive, requestsSent);
    const c2 = procCpuSeconds(pid);
    const h2 = process.hrtime.bigint();
    const mem2 = procMemory(pid);
    const m2 = drained.metrics;
    const s2 = drained.sink;

    // --- Figures
    const d = (a, b, field) => n0(a[field]) - n0(b[field]);
    const loadWallSec = Number(h1 - h0) / 1e9;
    const endToEndWallSec = Number(h2 - h0) / 1e9;
    const acceptedLoadWindow = d(m1, m0, 'accepted');
    const accepted = d(m2, m0, 'accepted');
    const delivered = d(m2, m0, 'sent');
    const cpuLoad = c1 - c0;
    const cpuEndToEnd = c2 - c0;
    const ok2xx = Object.entries(load.statusCodes).reduce((n, [code, count]) => n + (code.startsWith('2') ? count : 0), 0);

    run.load = load;
    run.reqPerSec = round(load.reqPerSecMean, 1);
    run.p50Ms = load.latencyMs.p50;
    run.p99Ms = load.latencyMs.p99;
    run.errors = load.errors + load.timeouts;
    run.non2xx = load.non2xx;
    run.statusCodes = load.statusCodes;
    run.loadDurationSec = round(load.durationSec, 3);
    run.loadWallSec = round(loadWallSec, 3);
    run.acceptedSpansLoadWindow = acceptedLoadWindow;
    run.acceptedSpans = accepted;
    run.deliveredSpans = delivered;
    run.sinkSpans = s2.spans - s0.spans;
    run.sinkRequests = s2.requests - s0.requests;
    run.sinkWireMb = round((s2.wireBytes - s0.wireBytes) / MB, 2);
    run.sinkDecodedMb = round((s2.decodedBytes - s0.decodedBytes) / MB, 2);
    run.spansPerSinkRequest = run.sinkRequests > 0 ? round(run.sinkSpans / run.sinkRequests, 1) : null;
    run.refusedSpans = d(m2, m0, 'refused');
    run.sendFailedSpans = d(m2, m0, 'sendFailed');
    run.enqueueFailedSpans = d(m2, m0, 'enqueueFailed');
    run.receiverRequests = Object.fromEntries(
      Object.keys({ ...m0.requestsByOutcome, ...m2.requestsByOutcome }).map((k) => [k, n0(m2.requestsByOutcome[k]) - n0(m0.requestsByOutcome[k])]),
    );
    // spans/s wall: accepted while autocannon ran, over autocannon's own duration.
    run.spansPerSec = round(acceptedLoadWindow / load.durationSec, 0);
    run.deliveredSpansPerSecEndToEnd = round(delivered / endToEndWallSec, 0);
    run.gatewayCpuSecLoad = round(cpuLoad, 2);
    run.gatewayCpuSec = round(cpuEndToEnd, 2);
    run.gatewayCoresBusy = round(cpuLoad / loadWallSec, 3);
    // The "per core" figure: spans delivered per CPU-second of the gateway, from
    // the settled state before the load to the drained state after it.
    run.spansPerCpuSec = cpuEndToEnd > 0 ? round(delivered / cpuEndToEnd, 0) : null;
    run.spansPerCpuSecLoadWindow = cpuLoad > 0 ? round(acceptedLoadWindow / cpuLoad, 0) : null;
    run.drainMs = drained.ms;
    run.drainAllRequestsAnswered = drained.allRequestsAnswered;
    run.rssAfterMb = round((mem1.rssBytes ?? NaN) / MB);
    run.rssDrainedMb = round((mem2.rssBytes ?? NaN) / MB);
    run.peakRssMb = round((mem2.peakRssBytes ?? NaN) / MB);
    run.rssTimelineMb = rssTimeline;
    run.scrapes = scrapes.sort((x, y) => x.atSec - y.atSec);
    run.queueSizeAfterLoad = m1.queueSize ?? null;
    run.sink = {
      cpuSec: round(s2.cpuSec - s0.cpuSec, 2),
      cpuShareOfWall: round((s2.cpuSec - s0.cpuSec) / endToEndWallSec, 3),
      gzipRequests: s2.gzipRequests - s0.gzipRequests,
      contentTypesSinceSinkStart: s2.contentTypes,
      undecodable: s2.undecodable,
      rssMb: round(s2.rssBytes / MB),
    };
    if (cpuLine0 && cpuLine1) {
      const busy = cpuLine1.busy - cpuLine0.busy;
      const total = busy + cpuLine1.idle - cpuLine0.idle;
      run.gatewayCpuNoise = {
        cpu: singleCpu,
        busyShare: round(busy / total, 3),
        othersSec: round(busy - cpuLoad, 2),
        stealSec: round(cpuLine1.steal - cpuLine0.steal, 2),
      };
    }
    if (otherLines0.length > 0 && otherLines0.every(Boolean) && otherLines1.every(Boolean)) {
      // How busy the load generator's and sink's CPU(s) were: near 1 means the load side may be what limits spans/s.
      let busy = 0;
      let total = 0;
      otherLines0.forEach((l0, i) => {
        const b = otherLines1[i].busy - l0.busy;
        busy += b;
        total += b + otherLines1[i].idle - l0.idle;
      });
      run.loadCpuBusyShare = round(busy / total, 3);
    }
    // Saturated: the gateway got (nearly) its whole CPU; else spans/s is limited by
    // the load side or by other tenants of its CPU (see gatewayCpuNoise), and only
    // spansPerCpuSec says what the gateway can do.
    run.gatewaySaturated = run.gatewayCoresBusy >= 0.9;
    run.limitedBy = limitedBy(run);

    // --- Do the counts add up?
    const sloEventsDelta = Object.fromEntries(Object.keys(m2.sloEvents).map((slo) => [slo, n0(m2.sloEvents[slo]) - n0(m0.sloEvents[slo])]));
    const inFlightSpans = params.connections * params.spansPerRequest;
    const problems = [];
    if (drained.timedOut) {
      problems.push(
        `not drained after ${params.drainTimeoutSec}s: accepted ${n0(m2.accepted)}, sent ${n0(m2.sent)}, send failed ${n0(m2.sendFailed)}, ` +
          `enqueue failed ${n0(m2.enqueueFailed)}, queue ${n0(m2.queueSize)}, sink ${s2.spans}`,
      );
    }
    // Every span the gateway accepted (its client got 200) must reach the sink.
    if (accepted !== delivered + run.sendFailedSpans) {
      const gap = accepted - delivered - run.sendFailedSpans;
      problems.push(
        `accepted ${accepted} ≠ sent ${delivered} + send failed ${run.sendFailedSpans} (${gap > 0 ? `${gap} accepted spans never delivered` : `${-gap} more sent than accepted`}; ` +
          `enqueue failed ${run.enqueueFailedSpans}, refused ${run.refusedSpans})`,
      );
    }
    if (run.sendFailedSpans > 0) problems.push(`${run.sendFailedSpans} spans failed to reach the sink, which answers 200 to everything`);
    if (run.sinkSpans !== delivered) problems.push(`sink counted ${run.sinkSpans} spans, exporter reports ${delivered} sent`);
    // Every 2xx answer is 512 spans accepted; requests still in flight when autocannon
    // stopped (at most one per connection, and no more than it sent) may add some.
    const maxRequests = Math.min(load.requestsSent, ok2xx + params.connections);
    if (accepted < ok2xx * params.spansPerRequest || accepted > maxRequests * params.spansPerRequest) {
      problems.push(`accepted ${accepted} spans for ${ok2xx} 2xx answers of ${params.spansPerRequest} spans (+ at most ${maxRequests - ok2xx} in flight)`);
    }
    if (accepted % params.spansPerRequest !== 0) problems.push(`accepted ${accepted} is not a multiple of ${params.spansPerRequest}`);
    if (Object.keys(sloEventsDelta).length === 0) problems.push(`no ${METRIC.sloEvents} in /metrics: the SLO processor did not count`);
    for (const [slo, events] of Object.entries(sloEventsDelta)) {
      // Every span here is a server span that each default objective counts: once the
      // pipeline accepted it (or, if the SLO processor counts before handing on, also
      // when it was refused downstream).
      if (events !== accepted && events !== accepted + run.refusedSpans) {
        problems.push(`SLO ${slo} counted ${events} events for ${accepted} accepted${run.refusedSpans ? ` and ${run.refusedSpans} refused` : ''} spans`);
      }
    }
    run.check = {
      ok: problems.length === 0,
      ok2xxRequests: ok2xx,
      spansIn2xx: ok2xx * params.spansPerRequest,
      inFlightToleranceSpans: inFlightSpans,
      sloEventsDelta,
      problems,
    };
  } catch (error) {
    run.error = error.message;
    if (gateway) {
      run.stderrTail = gateway.stderr.text.slice(-2000);
      run.stdoutTail = gateway.stdout.text.slice(-1000);
    }
  } finally {
    clearInterval(sampler);
    if (gateway) {
      run.exit = await stopProcess(gateway);
      run.gatewayLogLines = gateway.stderr.lines + gateway.stdout.lines;
      const stderr = gateway.stderr.text.trim();
      if (stderr && !run.stderrTail) run.stderrTail = stderr.slice(-2000);
      if (!run.error && (run.exit.forced || (run.exit.code !== 0 && run.exit.code !== null))) {
        run.shutdownProblem = `gateway ${run.exit.forced ? 'needed SIGKILL' : `exited with ${run.exit.code}`} after SIGTERM`;
      }
    }
    run.sinkExit = await stopProcess(sink);
    if (sink.state.spawnError && !run.error) run.error = `sink: ${sink.state.spawnError.message}`;
  }
  return run;
}

// --- Main -------------------------------------------------------------------------------

async function main() {
  if (!existsSync(path.resolve(repoRoot, GATEWAY_MAIN))) throw new Error(`${GATEWAY_MAIN} is missing: build first (npx tsc -p tsconfig.json)`);
  const machine = machineInfo(); // before pinning narrows this process' affinity
  const pinning = planPinning();
  tmpDir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-bench-gateway-'));
  const pool = await buildBodies({ bodies: params.bodies, spansPerBody: params.spansPerRequest });
  const totalRuns = params.rounds * selected.length;
  const perRunSec = params.warmupSec + params.durationSec + 5;
  process.stdout.write(
    `bench:gateway — ${params.rounds} round(s) × ${selected.join(' ')}, ${params.durationSec}s each (+${params.warmupSec}s warm-up), ` +
      `${params.connections} connections, ${params.bodies} bodies × ${params.spansPerRequest} spans (${Math.round(pool.stats.bytesPerBodyMean / 1024)} KiB each), ` +
      `pinning: ${pinning.method === 'taskset' ? `gateway on CPU ${pinning.gatewayCpus}, load and sink on CPU ${pinning.loadGeneratorCpus}` : pinning.reason}\n` +
      `about ${Math.ceil((totalRuns * perRunSec) / 60)} min\n`,
  );

  const runs = [];
  for (let roundNo = 1; roundNo <= params.rounds; roundNo++) {
    for (const key of selected) {
      let run = await runOnce(roundNo, key, pinning);
      if (run.error && /EADDRINUSE/.test(`${run.stderrTail ?? ''} ${run.error}`)) {
        // Another process took a port between freePort() and the gateway's listen: once more, on new ports.
        const first = run;
        run = await runOnce(roundNo, key, pinning);
        run.retriedAfter = { error: first.error, stderrTail: first.stderrTail };
      }
      runs.push(run);
      process.stdout.write(
        run.error
          ? `  round ${roundNo} ${key}: FAILED: ${run.error}\n`
          : `  round ${roundNo} ${key}: ${run.spansPerSec} spans/s, ${run.spansPerCpuSec} spans/CPU-s (${run.gatewayCoresBusy} cores busy), ` +
              `${run.gatewaySaturated && !run.refusedSpans ? '' : `${run.gatewaySaturated ? 'saturated' : 'not saturated'}, limited by ${run.limitedBy.split(':')[0]} (load CPU busy ${run.loadCpuBusyShare ?? 'n/a'}, others on gateway CPU ${run.gatewayCpuNoise?.othersSec ?? 'n/a'} s), `}` +
              `${run.reqPerSec} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, RSS ${run.rssAfterMb} MB (peak ${run.peakRssMb}), drain ${run.drainMs} ms` +
              `${run.non2xx || run.errors ? `, non-2xx ${run.non2xx}, errors ${run.errors}` : ''}${run.refusedSpans ? `, refused ${run.refusedSpans} spans` : ''}` +
              `${run.check.ok ? '' : ` — COUNTS: ${run.check.problems.join('; ')}`}\n`,
      );
    }
  }

  const medians = {};
  for (const key of selected) {
    const ok = runs.filter((r) => r.scenario === key && !r.error);
    const med = (field, digits = 0) => round(median(ok.map((r) => r[field])), digits);
    medians[key] = {
      runs: ok.length,
      spansPerSec: med('spansPerSec'),
      spansPerCpuSec: med('spansPerCpuSec'),
      spansPerCpuSecLoadWindow: med('spansPerCpuSecLoadWindow'),
      gatewayCoresBusy: med('gatewayCoresBusy', 3),
      reqPerSec: med('reqPerSec', 1),
      p50Ms: med('p50Ms', 2),
      p99Ms: med('p99Ms', 2),
      non2xx: ok.reduce((n, r) => n + r.non2xx, 0),
      errors: ok.reduce((n, r) => n + r.errors, 0),
      refusedSpans: ok.reduce((n, r) => n + r.refusedSpans, 0),
      acceptedSpans: med('acceptedSpans'),
      deliveredSpans: med('deliveredSpans'),
      spansPerSinkRequest: med('spansPerSinkRequest', 1),
      rssAfterMb: med('rssAfterMb', 2),
      peakRssMb: med('peakRssMb', 2),
      drainMs: med('drainMs'),
      startupMs: med('startupMs'),
      rssStartedMb: med('rssStartedMb', 2),
      sinkCpuShare: round(median(ok.map((r) => r.sink.cpuShareOfWall)), 3),
      loadCpuBusyShare: round(median(ok.map((r) => r.loadCpuBusyShare)), 3),
      gatewayCpuOthersSec: round(median(ok.map((r) => r.gatewayCpuNoise?.othersSec)), 2),
      saturatedRuns: ok.filter((r) => r.gatewaySaturated).length,
      limitedBy: [...new Set(ok.map((r) => (r.limitedBy.startsWith('back-pressure') ? 'back-pressure (the exporter did not keep up; spans refused with 503)' : r.limitedBy)))],
    };
  }
  const pass = Object.fromEntries(
    selected.map((k) => {
      const v = medians[k].spansPerCpuSec;
      return [k, v === null ? { goal: null, stretch: null } : { goal: v >= GOALS.spansPerCpuSecMin, stretch: v >= GOALS.spansPerCpuSecStretch }];
    }),
  );
  const failures = runs.filter((r) => r.error).map((r) => ({ round: r.round, scenario: r.scenario, error: r.error }));
  const countProblems = runs.filter((r) => r.check && !r.check.ok).map((r) => ({ round: r.round, scenario: r.scenario, problems: r.check.problems }));
  const shutdownProblems = runs.filter((r) => r.shutdownProblem).map((r) => ({ round: r.round, scenario: r.scenario, problem: r.shutdownProblem }));

  const report = {
    benchmark: 'gateway',
    description:
      'autocannon POSTing OTLP/HTTP protobuf trace requests to `slowatch serve` (otlp → slo, batch → otlp/sink), forwarding to a local sink. ' +
      'spansPerCpuSec = spans delivered / gateway CPU seconds (user+sys) from the settled state before the load to the drained state after it. ' +
      'Medians over interleaved rounds; only comparable with figures from the same run on the same machine.',
    machine,
    parameters: {
      ...params,
      order: selected,
      scenarios: Object.fromEntries(selected.map((k) => [k, SCENARIOS[k]])),
      gateway: `node ${GATEWAY_MAIN} serve --config <tmp>/gateway-<scenario>.yaml`,
      gatewayConfig: gatewayConfig({ otlpPort: '<port>', promPort: '<port>', sinkPort: '<port>', compression: '<scenario>' }),
      request: { method: 'POST', path: '/v1/traces', contentType: 'application/x-protobuf', contentEncoding: 'identity' },
      bodies: pool.stats,
      autocannon: 'in a separate process (bench/lib/load-worker.mjs), not rate-limited, request bodies cycled per connection',
      sink: 'bench/lib/otlp-sink.mjs in its own process: 200 with an empty application/x-protobuf body; counts requests, bytes and spans',
    },
    pinning,
    goals: { ...GOALS, figure: 'median spansPerCpuSec per scenario' },
    batchDefaults: BATCH_DEFAULTS,
    collectorReference: COLLECTOR_REFERENCE,
    medians,
    pass,
    failures,
    countProblems,
    shutdownProblems,
    runs,
  };
  writeReport(args.out, report);

  process.stdout.write('\n');
  printTable(
    ['scenario', 'runs', 'spans/s', 'spans/CPU-s', 'cores', 'req/s', 'p50 ms', 'p99 ms', 'non2xx', 'refused', 'RSS MB', 'peak MB', 'drain ms', 'sink CPU', 'load CPU'],
    selected.map((k) => [
      SCENARIOS[k].label,
      medians[k].runs,
      medians[k].spansPerSec,
      medians[k].spansPerCpuSec,
      medians[k].gatewayCoresBusy,
      medians[k].reqPerSec,
      medians[k].p50Ms,
      medians[k].p99Ms,
      medians[k].non2xx,
      medians[k].refusedSpans,
      medians[k].rssAfterMb,
      medians[k].peakRssMb,
      medians[k].drainMs,
      medians[k].sinkCpuShare,
      medians[k].loadCpuBusyShare,
    ]),
  );
  const verdict = (p) => (p === null ? 'n/a' : p ? 'PASS' : 'FAIL');
  process.stdout.write('\n');
  for (const k of selected) {
    process.stdout.write(
      `${k}: ${medians[k].spansPerCpuSec ?? 'n/a'} spans per CPU-second — goal ≥ ${GOALS.spansPerCpuSecMin} ${verdict(pass[k].goal)}, ` +
        `stretch ≥ ${GOALS.spansPerCpuSecStretch} ${verdict(pass[k].stretch)}\n`,
    );
  }
  for (const k of selected) {
    if (medians[k].saturatedRuns < medians[k].runs || medians[k].refusedSpans > 0) process.stdout.write(`${k}: spans/s limited by ${medians[k].limitedBy.join('; ')}\n`);
  }
  process.stdout.write(`written to ${path.relative(process.cwd(), args.out)}\n`);
  if (shutdownProblems.length > 0) process.stdout.write(`shutdown: ${shutdownProblems.map((p) => `round ${p.round} ${p.scenario}: ${p.problem}`).join('; ')}\n`);
  if (countProblems.length > 0) {
    process.stderr.write(
      `counts do not add up in ${countProblems.length} run(s):\n${countProblems.map((p) => `  round ${p.round} ${p.scenario}: ${p.problems.join('; ')}`).join('\n')}\n`,
    );
    process.exitCode = 1;
  }
  if (failures.length > 0) {
    process.stderr.write(`${failures.length} run(s) failed:\n${failures.map((f) => `  round ${f.round} ${f.scenario}: ${f.error}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`bench:gateway failed: ${error.stack ?? error}\n`);
  killChildren();
  process.exit(1);
});
