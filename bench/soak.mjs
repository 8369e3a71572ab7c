#!/usr/bin/env node
// `npm run soak -- --minutes N` — a steady load through the agent and the
// gateway for N minutes, sampling both processes' memory and event-loop
// delay, and a verdict on whether their memory keeps growing.
//
// The pieces, each its own process, on free loopback ports:
//   app      the example shop (examples/shop/server.cjs, Express, no database)
//            under the agent: node --require ./dist/instrumentation/register.js,
//            with the slo, baseline, anomaly, regression and recommend
//            processors (a config written to a temporary folder), exporting its
//            spans (OTEL_TRACES_EXPORTER=otlp) and runtime metrics
//            (OTEL_METRICS_EXPORTER=otlp, every 5 s; spans leave every second) over OTLP/HTTP to:
//   gateway  node dist/src/cli/main.js serve, the same five processors on the
//            traces pipeline, recommend on a metrics/runtime pipeline, the
//            storage extension on (SQLite in the temporary folder, snapshot
//            every 5 s, rollups every minute) and health_check;
//   load     autocannon (bench/lib/load-worker.mjs) at --rate requests per
//            second over --connections connections for the whole run: mostly
//            GET /products/:id, some /cart, POST /checkout, 1 in 20 answered
//            503 or 500 on purpose (the SLOs see errors).
// Both measured processes also preload bench/lib/soak-probe.cjs and run with
// --expose-gc: every --sample-seconds the probe forces a full garbage
// collection, then sends RSS and heap figures and the event loop's delay over
// the interval over an IPC channel. Why force a GC: without it, RSS follows
// V8's heap growth between major collections (tens of MB over a minute or two
// on these processes), and a run of a few minutes would measure that cycle,
// not a leak. After a full GC, RSS is what the process retains. --no-gc turns
// this off (RSS then comes from /proc as it is).
//
// Sampling: every --sample-seconds, the probe's latest message (RSS after the
// forced GC, heap, event-loop delay, the GC's pause), VmRSS from
// /proc/PID/status and CPU time from /proc/PID/stat (this process reads them).
// The verdict (bench/lib/soak-trend.mjs), per process:
// least-squares slope of RSS over the second half of the samples taken after
// the warm-up, with its 95 % confidence interval; "no upward trend" when the
// interval's upper bound, sustained over the measured run, adds less than
// max(--tolerance-percent % of the mean RSS, --tolerance-mb). A short run that
// cannot tell fails ("inconclusive"), it does not pass.
//
// Writes --out (bench/results/soak.json): parameters, machine, both series,
// the verdicts and the checks (the pipeline carried data: SLO events in the
// agent, spans accepted by the gateway). Exits 0 whatever the verdict (the
// JSON says, test/soak/soak.test.ts asserts it); 1 when something could not be
// run (a process did not start or died, no data flowed).
//
// Options: --minutes N | --seconds N (default 10 minutes), --rate 100,
//   --connections 8, --sample-seconds (2 up to 5 minutes, else 5), --no-gc,
//   --warmup-seconds (20 % of the run, at least 10), --tolerance-percent 5,
//   --tolerance-mb 5, --leak MB_PER_MIN (the app retains that much: shows the
//   verdict failing), --out FILE.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { children, cleanEnv, runLoadWorker, tail } from './lib/children.mjs';
import { machineInfo } from './lib/machine.mjs';
import { freePort, httpGet, waitForHttp } from './lib/net.mjs';
import { procCpuSeconds, procMemory } from './lib/proc.mjs';
import { memoryTrendVerdict } from './lib/soak-trend.mjs';
import { median, max, round } from './lib/stats.mjs';
import { writeReport } from './lib/report.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const REGISTER = path.join(repoRoot, 'dist', 'instrumentation', 'register.js');
const CLI_MAIN = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const APP = path.join(repoRoot, 'examples', 'shop', 'server.cjs');
const PROBE = path.join(benchDir, 'lib', 'soak-probe.cjs');
const MB = 2 ** 20;

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string' },
    seconds: { type: 'string' },
    rate: { type: 'string', default: '100' },
    connections: { type: 'string', default: '8' },
    'sample-seconds': { type: 'string' },
    'warmup-seconds': { type: 'string' },
    'tolerance-percent': { type: 'string', default: '5' },
    'tolerance-mb': { type: 'string', default: '5' },
    leak: { type: 'string', default: '0' },
    'no-gc': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(benchDir, 'results', 'soak.json') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'usage: node bench/soak.mjs [--minutes N | --seconds N] [--rate 100] [--connections 8] [--sample-seconds S]\n' +
      '       [--warmup-seconds S] [--tolerance-percent 5] [--tolerance-mb 5] [--leak MB_PER_MIN] [--out bench/results/soak.json]\n' +
      'build first: npm run build (the soak runs dist/)\n',
  );
  process.exit(0);
}

function positive(name, value) {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`--${name} must be a positive number, got ${value}\n`);
    process.exit(2);
  }
  return n;
}

const durationSec = Math.round(args.seconds !== undefined ? positive('seconds', args.seconds) : positive('minutes', args.minutes ?? '10') * 60);
const rate = positive('rate', args.rate);
const connections = Math.round(positive('connections', args.connections));
const sampleSec = args['sample-seconds'] !== undefined ? positive('sample-seconds', args['sample-seconds']) : durationSec <= 300 ? 2 : 5;
const warmupSec = args['warmup-seconds'] !== undefined ? Number(args['warmup-seconds']) : Math.max(10, Math.round(durationSec * 0.2));
const tolerancePercent = positive('tolerance-percent', args['tolerance-percent']);
const toleranceMb = positive('tolerance-mb', args['tolerance-mb']);
const leakMbPerMin = Number(args.leak) || 0;
const forceGc = !args['no-gc'];
if (warmupSec >= durationSec / 2) {
  process.stderr.write(`the warm-up (${warmupSec} s) must be shorter than half the run (${durationSec} s)\n`);
  process.exit(2);
}
for (const file of [REGISTER, CLI_MAIN]) {
  if (!existsSync(file)) {
    process.stderr.write(`${file} not found: build first (npm run build)\n`);
    process.exit(2);
  }
}

// Mostly a cheap read, with every SLO outcome present: 16 product reads, the cart, a checkout,
// a refused checkout (503) and an error (500) per 20 requests.
const REQUESTS = [
  ...Array.from({ length: 16 }, (_, i) => ({ method: 'GET', path: `/products/${i + 1}` })),
  { method: 'GET', path: '/cart' },
  { method: 'POST', path: '/checkout', headers: { 'content-type': 'application/json' }, body: '{"items":[1]}' },
  { method: 'POST', path: '/checkout?fail=1', headers: { 'content-type': 'application/json' }, body: '{"items":[1]}' },
  { method: 'GET', path: '/error' },
];

const PIPELINE_PROCESSORS = '[slo, baseline, anomaly, regression, recommend]';

function gatewayConfig(ports, dir) {
  return `# Written by bench/soak.mjs
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${ports.otlp}
processors:
  slo: {}
  baseline: {}
  anomaly: {}
  regression: {}
  recommend: {}
exporters:
  prometheus:
    endpoint: 127.0.0.1:${ports.metrics}
extensions:
  health_check:
    endpoint: 127.0.0.1:${ports.health}
  storage:
    path: ${JSON.stringify(path.join(dir, 'gateway.db'))}
    snapshot_interval: 5s
    rollup_interval: 1m
service:
  extensions: [health_check, storage]
  pipelines:
    traces:
      receivers: [otlp]
      processors: ${PIPELINE_PROCESSORS}
      exporters: []
    metrics/runtime:
      receivers: [otlp]
      processors: [recommend]
      exporters: []
    metrics:
      receivers: []
      processors: []
      exporters: [prometheus]
`;
}

function agentConfig(ports) {
  return `# Written by bench/soak.mjs
processors:
  slo: {}
  baseline: {}
  anomaly: {}
  regression: {}
  recommend: {}
exporters:
  prometheus:
    endpoint: 127.0.0.1:${ports.agentMetrics}
service:
  pipelines:
    traces:
      processors: ${PIPELINE_PROCESSORS}
    metrics:
      exporters: [prometheus]
`;
}

/** Starts `node argv…` with an IPC channel; keeps the probe's latest message and the stderr tail. */
function startMeasured(name, argv, env) {
  const child = spawn(process.execPath, argv, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  children.add(child);
  const state = { name, child, stderr: tail(child.stderr), stdout: tail(child.stdout), probe: undefined, probeMessages: 0, exit: undefined };
  child.on('message', (message) => {
    if (message && message.kind === 'soak-probe') {
      state.probe = message;
      state.probeMessages++;
    }
  });
  child.on('exit', (code, signal) => {
    children.delete(child);
    state.exit = { code, signal };
  });
  return state;
}

async function stop(state) {
  if (state.exit !== undefined) return state.exit;
  const exited = new Promise((resolve) => state.child.once('exit', (code, signal) => resolve({ code, signal })));
  state.child.kill('SIGTERM');
  const timer = setTimeout(() => state.child.kill('SIGKILL'), 10_000);
  const result = await exited;
  clearTimeout(timer);
  return result;
}

/** Sum of every sample of `name` (any labels) in a Prometheus text exposition; undefined when absent. */
function metricSum(text, name) {
  let sum;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum = (sum ?? 0) + value;
  }
  return sum;
}

function sampleOf(state, tSec) {
  const { rssBytes } = procMemory(state.child.pid);
  const probe = state.probe;
  state.probe = undefined; // each probe message is used once: a stale one would repeat old figures
  // With forced GCs, the series is the RSS the probe read right after its collection; a tick
  // without a fresh probe message then has no RSS figure (null), rather than a post-garbage one.
  const rssMb = forceGc ? (probe === undefined ? null : probe.memory.rss / MB) : rssBytes === undefined ? null : rssBytes / MB;
  return {
    tSec: round(tSec, 2),
    rssMb: rssMb === null ? null : round(rssMb, 2),
    procRssMb: rssBytes === undefined ? null : round(rssBytes / MB, 2),
    forcedGcMs: probe?.forcedGcMs ?? null,
    cpuSec: round(procCpuSeconds(state.child.pid) ?? NaN, 2),
    heapUsedMb: probe === undefined ? null : round(probe.memory.heapUsed / MB, 2),
    heapTotalMb: probe === undefined ? null : round(probe.memory.heapTotal / MB, 2),
    externalMb: probe === undefined ? null : round(probe.memory.external / MB, 2),
    arrayBuffersMb: probe === undefined ? null : round(probe.memory.arrayBuffers / MB, 2),
    eventLoopDelayMs: probe === undefined ? null : probe.eventLoopDelayMs,
  };
}

function summarize(state, samples, command) {
  const after = samples.filter((s) => s.tSec >= warmupSec);
  const rss = after.map((s) => s.rssMb);
  const verdict = memoryTrendVerdict(
    samples.filter((s) => s.rssMb !== null).map((s) => ({ tSec: s.tSec, value: s.rssMb })),
    { warmupSec, tolerancePercent, toleranceMb },
  );
  // The heap's trend, for information: it saw-tooths with every GC, so it does not gate.
  const heapTrend = memoryTrendVerdict(
    samples.filter((s) => s.heapUsedMb !== null).map((s) => ({ tSec: s.tSec, value: s.heapUsedMb })),
    { warmupSec, tolerancePercent, toleranceMb },
  );
  const roundVerdict = (v) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'number' ? round(x, 3) : x]));
  return {
    command,
    pid: state.child.pid,
    probeMessages: state.probeMessages,
    afterWarmup: {
      samples: after.length,
      rssMbMedian: round(median(rss)),
      rssMbMax: round(max(rss)),
      heapUsedMbMedian: round(median(after.map((s) => s.heapUsedMb))),
      eventLoopDelayP99MsMedian: round(median(after.map((s) => s.eventLoopDelayMs?.p99))),
      eventLoopDelayMaxMs: round(max(after.map((s) => s.eventLoopDelayMs?.max))),
      cpuShare: after.length > 1 ? round((after[after.length - 1].cpuSec - after[0].cpuSec) / (after[after.length - 1].tSec - after[0].tSec), 3) : null,
    },
    rssVerdict: roundVerdict(verdict),
    heapUsedTrend: roundVerdict(heapTrend),
    exit: state.exit ?? null,
    samples,
  };
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-soak-'));
  const ports = { otlp: await freePort(), metrics: await freePort(), health: await freePort(), app: await freePort(), agentMetrics: await freePort() };
  writeFileSync(path.join(dir, 'gateway.yaml'), gatewayConfig(ports, dir));
  writeFileSync(path.join(dir, 'agent.yaml'), agentConfig(ports));
  const probeEnv = { SOAK_PROBE_MS: String(Math.round(sampleSec * 1000)), ...(forceGc ? { SOAK_PROBE_GC: '1' } : {}) };
  const gcFlag = forceGc ? ['--expose-gc'] : [];
  const baseEnv = { ...cleanEnv(), NODE_ENV: 'production', ...probeEnv };

  const gatewayArgv = [...gcFlag, '--require', PROBE, CLI_MAIN, 'serve', '--config', path.join(dir, 'gateway.yaml')];
  const appArgv = [...gcFlag, '--require', REGISTER, '--require', PROBE, APP];
  const failures = [];
  const gateway = startMeasured('gateway', gatewayArgv, baseEnv);
  let app;
  let load;
  const samples = { app: [], gateway: [] };
  const started = Date.now();
  try {
    await waitForHttp(`http://127.0.0.1:${ports.health}/readyz`, 30_000, () => gateway.exit === undefined);
    app = startMeasured('app', appArgv, {
      ...baseEnv,
      PORT: String(ports.app),
      HOST: '127.0.0.1',
      SLOWATCH_CONFIG: path.join(dir, 'agent.yaml'),
      OTEL_SERVICE_NAME: 'shop',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
      // Spans leave every second (the SDK's default is 5 s): a steadier flow into the gateway, whose
      // RSS otherwise saw-tooths with each 5-s batch, which a short run's trend would mistake for growth.
      OTEL_BSP_SCHEDULE_DELAY: '1000',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${ports.otlp}`,
      ...(leakMbPerMin > 0 ? { SOAK_LEAK_MB_PER_MIN: String(leakMbPerMin) } : {}),
    });
    await waitForHttp(`http://127.0.0.1:${ports.app}/health`, 30_000, () => app.exit === undefined);
    await waitForHttp(`http://127.0.0.1:${ports.agentMetrics}/metrics`, 30_000, () => app.exit === undefined);

    process.stdout.write(`soak: ${durationSec} s at ${rate} req/s (${connections} connections), warm-up ${warmupSec} s, a sample every ${sampleSec} s${leakMbPerMin > 0 ? `, leaking ${leakMbPerMin} MB/min in the app` : ''}\n`);
    const loadStarted = Date.now();
    const loadPromise = runLoadWorker(
      { url: `http://127.0.0.1:${ports.app}`, connections, durationSec, overallRate: rate, requests: REQUESTS },
      { cwd: repoRoot },
    ).then(
      (result) => (load = result),
      (error) => failures.push(`load generator: ${error.message}`),
    );
    let loadDone = false;
    void loadPromise.finally(() => (loadDone = true));
    let nextTick = loadStarted + sampleSec * 1000;
    let lastPrinted = 0;
    while (!loadDone) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextTick - Date.now())));
      if (loadDone) break;
      nextTick += sampleSec * 1000;
      const tSec = (Date.now() - loadStarted) / 1000;
      for (const state of [app, gateway]) {
        if (state.exit !== undefined) throw new Error(`${state.name} exited during the run (${JSON.stringify(state.exit)}): ${state.stderr.text.slice(-2000)}`);
      }
      samples.app.push(sampleOf(app, tSec));
      samples.gateway.push(sampleOf(gateway, tSec));
      if (tSec - lastPrinted >= 30) {
        lastPrinted = tSec;
        const a = samples.app[samples.app.length - 1];
        const g = samples.gateway[samples.gateway.length - 1];
        process.stdout.write(`  ${Math.round(tSec)} s: app RSS ${a.rssMb} MB, heap ${a.heapUsedMb} MB; gateway RSS ${g.rssMb} MB, heap ${g.heapUsedMb} MB\n`);
      }
    }
    await loadPromise;
  } catch (error) {
    failures.push(error.message);
  }

  // What flowed: SLO events counted by the agent, spans accepted by the gateway.
  const check = { agentSloEvents: null, gatewayAcceptedSpans: null };
  try {
    if (app !== undefined && app.exit === undefined) check.agentSloEvents = metricSum((await httpGet(`http://127.0.0.1:${ports.agentMetrics}/metrics`)).body, 'slowatch_slo_events_total') ?? 0;
    if (gateway.exit === undefined) check.gatewayAcceptedSpans = metricSum((await httpGet(`http://127.0.0.1:${ports.metrics}/metrics`)).body, 'slowatch_receiver_accepted_spans_total') ?? 0;
  } catch (error) {
    failures.push(`final scrape: ${error.message}`);
  }
  if (failures.length === 0 && !(check.agentSloEvents > 0)) failures.push('the agent counted no SLO events: the load did not reach it');
  if (failures.length === 0 && !(check.gatewayAcceptedSpans > 0)) failures.push('the gateway accepted no spans: the agent did not export to it');
  const unexpectedLoadErrors = load === undefined ? null : (load.errors ?? 0) + (load.timeouts ?? 0);
  if (unexpectedLoadErrors > 0) failures.push(`${unexpectedLoadErrors} request errors or timeouts from the load generator`);

  const exits = { app: app === undefined ? null : await stop(app), gateway: await stop(gateway) };
  rmSync(dir, { recursive: true, force: true });

  const processes = {
    app: summarize(app ?? { child: {}, probeMessages: 0 }, samples.app, `node ${forceGc ? '--expose-gc ' : ''}--require ./dist/instrumentation/register.js --require ./bench/lib/soak-probe.cjs examples/shop/server.cjs`),
    gateway: summarize(gateway, samples.gateway, `node ${forceGc ? '--expose-gc ' : ''}--require ./bench/lib/soak-probe.cjs dist/src/cli/main.js serve --config <tmp>/gateway.yaml`),
  };
  const pass = failures.length === 0 && processes.app.rssVerdict.pass && processes.gateway.rssVerdict.pass;
  const report = {
    benchmark: 'soak',
    description: 'steady load through the agent (example shop) and the gateway (storage on); RSS, heap and event-loop delay sampled; verdict on the RSS trend after the warm-up',
    machine: machineInfo(),
    parameters: {
      durationSec,
      rate,
      connections,
      sampleSec,
      warmupSec,
      tolerancePercent,
      toleranceMb,
      leakMbPerMin,
      forcedGc: forceGc,
      requests: REQUESTS.map((r) => `${r.method} ${r.path}`),
      processors: PIPELINE_PROCESSORS,
      gatewayConfig: gatewayConfig({ otlp: '<port>', metrics: '<port>', health: '<port>' }, '<tmp>'),
      agentConfig: agentConfig({ agentMetrics: '<port>' }),
      verdictRule:
        'per process: least-squares slope of RSS (after a forced full GC unless --no-gc) over the second half of the post-warm-up samples, 95 % interval; pass when upper bound × post-warm-up run length < max(tolerancePercent % of the window mean, toleranceMb)',
    },
    wallSec: round((Date.now() - started) / 1000, 1),
    load: load ?? null,
    check,
    exits,
    failures,
    pass,
    processes,
  };
  writeReport(args.out, report);

  for (const [name, p] of Object.entries(processes)) {
    const v = p.rssVerdict;
    process.stdout.write(
      `${name}: RSS median ${p.afterWarmup.rssMbMedian} MB, slope ${v.slopePerMin ?? 'n/a'} MB/min [${v.slopePerMinLower ?? 'n/a'}, ${v.slopePerMinUpper ?? 'n/a'}], ` +
        `upper bound over the run ${v.projectedGrowthUpperOverRun ?? 'n/a'} MB vs tolerance ${v.tolerance ?? 'n/a'} MB: ${v.verdict}; ` +
        `event-loop delay p99 ${p.afterWarmup.eventLoopDelayP99MsMedian} ms (median)\n`,
    );
  }
  process.stdout.write(`verdict: ${pass ? 'no upward memory trend' : 'FAILED'}; written to ${path.relative(process.cwd(), args.out)}\n`);
  if (failures.length > 0) {
    process.stderr.write(`soak run failed:\n  ${failures.join('\n  ')}\n`);
    process.exit(1);
  }
}

await main();
