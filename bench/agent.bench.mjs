#!/usr/bin/env node
// `npm run bench:agent` — what the slowatch agent costs an HTTP service.
//
// The example shop (examples/shop/server.cjs, Express) is loaded with
// autocannon in three configurations, each a fresh child process on its own
// loopback port, interleaved round by round (a b c a b c …) because the
// machine is shared and noisy:
//   a  no instrumentation
//   b  plain OpenTelemetry (bench/otel-plain-register.cjs: NodeSDK, auto-
//      instrumentations, runtime metrics, Prometheus reader, no exporter)
//   c  slowatch (--require slowatch/register, the repo's default config)
// Per run: req/s, p50/p99 latency, errors/non-2xx, server CPU per request,
// RSS after the run and peak RSS (/proc/PID/status). Medians per
// configuration, then (c)/(b) throughput and (c)−(b) RSS against the goals.
// Writes bench/results/agent.json. Exits 0 whatever the goals say; non-zero
// only when a run could not be carried out.
//
// Options: --rounds N (7) --duration S (10) --connections N (50)
//          --warmup S (2) --scrapes N (3 per run) --mix (add a small mix of
//          other routes, some failing on purpose) --configs a,b,c
//          --no-pin (do not use taskset) --out FILE
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, httpGet, waitForHttp } from './lib/net.mjs';
import { children, cleanEnv, killChildren, pinned, planServerPinning, runLoadWorker, tail } from './lib/children.mjs';
import { machineInfo } from './lib/machine.mjs';
import { cpuTimes, procCpuSeconds, procMemory } from './lib/proc.mjs';
import os from 'node:os';
import { median, round } from './lib/stats.mjs';
import { printTable } from './lib/table.mjs';
import { writeReport } from './lib/report.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const MB = 2 ** 20;

const GOALS = { throughputRatioMin: 0.97, extraRssMbMax: 20 };

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '2' },
    scrapes: { type: 'string', default: '3' },
    mix: { type: 'boolean', default: false },
    configs: { type: 'string', default: 'a,b,c' },
    'no-pin': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(benchDir, 'results', 'agent.json') },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'usage: node bench/agent.bench.mjs [--rounds 7] [--duration 10] [--connections 50] [--warmup 2]\n' +
      '       [--scrapes 3] [--mix] [--configs a,b,c] [--no-pin] [--out bench/results/agent.json]\n',
  );
  process.exit(0);
}

function positiveInt(name, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || (n === 0 && name !== 'scrapes' && name !== 'warmup')) {
    process.stderr.write(`--${name} must be a ${name === 'scrapes' || name === 'warmup' ? 'non-negative' : 'positive'} integer, got ${value}\n`);
    process.exit(2);
  }
  return n;
}

const params = {
  rounds: positiveInt('rounds', args.rounds),
  durationSec: positiveInt('duration', args.duration),
  connections: positiveInt('connections', args.connections),
  warmupSec: positiveInt('warmup', args.warmup),
  scrapesPerRun: positiveInt('scrapes', args.scrapes),
  mix: args.mix,
  nodeEnv: 'production',
};

// --- What each configuration runs -------------------------------------------------

const SERVER = 'examples/shop/server.cjs';
const CONFIGS = {
  a: { label: 'a: no instrumentation', preload: undefined, metrics: false },
  b: { label: 'b: plain OpenTelemetry', preload: './bench/otel-plain-register.cjs', metrics: true },
  c: { label: 'c: slowatch', preload: 'slowatch/register', metrics: true },
};
const selected = args.configs.split(',').map((s) => s.trim()).filter(Boolean);
for (const key of selected) {
  if (!(key in CONFIGS)) {
    process.stderr.write(`unknown configuration ${key} (known: a, b, c)\n`);
    process.exit(2);
  }
}

/** The load: GET /products/:id over a few ids; with --mix, a small share of other routes. */
function loadRequests(mix) {
  const requests = [];
  for (let id = 1; id <= 16; id++) requests.push({ method: 'GET', path: `/products/${id}` });
  if (mix) {
    // 16 of 21 requests (76 %) stay on /products/:id; 2 of 21 fail on purpose (503, 500).
    requests.push(
      { method: 'GET', path: '/health' },
      { method: 'GET', path: '/cart' },
      { method: 'POST', path: '/checkout' },
      { method: 'POST', path: '/checkout?fail=1' },
      { method: 'GET', path: '/error' },
    );
  }
  return requests;
}
const requests = loadRequests(params.mix);
// Statuses that the chosen mix answers on purpose (/error 500, /checkout?fail=1 503); any other non-2xx is unexpected.
const expectedStatuses = params.mix ? ['500', '503'] : [];

// --- CPU pinning --------------------------------------------------------------------

function planPinning() {
  const plan = planServerPinning(args['no-pin']);
  if (plan.method !== 'taskset') return plan;
  return {
    method: 'taskset',
    serverCpus: plan.serverCpus,
    loadGeneratorCpus: plan.otherCpus,
    orchestratorCpus: plan.orchestratorCpus,
    note:
      'server (and its libuv/GC threads) confined to serverCpus; autocannon runs in a separate process on loadGeneratorCpus. ' +
      'Other tenants of the machine are not excluded.',
  };
}



// --- Child processes ------------------------------------------------------------------




function startServer(key, appPort, metricsPort, pinning) {
  const config = CONFIGS[key];
  const env = { ...cleanEnv(), PORT: String(appPort), HOST: '127.0.0.1', NODE_ENV: params.nodeEnv };
  if (config.metrics) {
    env.OTEL_SERVICE_NAME = 'shop';
    env.OTEL_EXPORTER_PROMETHEUS_PORT = String(metricsPort);
    // The agent out of the box (see bench/lib/agent-defaults.yaml), not the gateway's otel-config.yaml in the working directory.
    env.SLOWATCH_CONFIG = path.join(repoRoot, 'bench/lib/agent-defaults.yaml');
  }
  const nodeArgs = config.preload === undefined ? [SERVER] : ['--require', config.preload, SERVER];
  const argv = pinned(pinning.method === 'taskset' ? pinning.serverCpus : undefined, [process.execPath, ...nodeArgs]);
  const child = spawn(argv[0], argv.slice(1), { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  const state = { exitedEarly: false };
  exited.then(() => (state.exitedEarly = true));
  return { child, exited, state, stdout: tail(child.stdout), stderr: tail(child.stderr), command: `node ${nodeArgs.join(' ')}` };
}

async function stopServer(server, timeoutMs = 5000) {
  const started = Date.now();
  if (server.state.exitedEarly) return { ...(await server.exited), ms: 0, forced: false, alreadyExited: true };
  server.child.kill('SIGTERM');
  const timedOut = Symbol('timeout');
  let timer;
  const outcome = await Promise.race([server.exited, new Promise((r) => (timer = setTimeout(() => r(timedOut), timeoutMs)))]);
  clearTimeout(timer);
  if (outcome !== timedOut) return { ...outcome, ms: Date.now() - started, forced: false };
  server.child.kill('SIGKILL');
  const forced = await server.exited;
  return { ...forced, ms: Date.now() - started, forced: true };
}

function runLoad(url, durationSec, pinning) {
  const input = { url, connections: params.connections, durationSec, requests };
  return runLoadWorker(input, { cpus: pinning.method === 'taskset' ? pinning.loadGeneratorCpus : undefined, cwd: repoRoot });
}

// --- Prometheus scrapes -----------------------------------------------------------------

/** Sums `slowatch_slo_events_total` per slo label and counts SLO series in one exposition. */
function readSloMetrics(body) {
  const events = {};
  const series = new Set();
  let samples = 0;
  for (const line of body.split('\n')) {
    if (line.startsWith('#') || line.length === 0) continue;
    samples++;
    if (!line.startsWith('slowatch_slo_events_total{')) continue;
    const m = /^slowatch_slo_events_total\{([^}]*)\}\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    const slo = labels.slo ?? '?';
    events[slo] ??= { good: 0, bad: 0 };
    events[slo][labels.outcome === 'bad' ? 'bad' : 'good'] += Number(m[2]);
    const seriesLabels = { ...labels };
    delete seriesLabels.outcome;
    series.add(JSON.stringify(seriesLabels));
  }
  return { samples, sloEvents: events, sloSeries: series.size };
}

async function scrape(metricsUrl, atSec) {
  try {
    const res = await httpGet(metricsUrl, 10_000);
    const parsed = readSloMetrics(res.body);
    return { atSec: round(atSec, 2), status: res.status, ms: round(res.ms, 2), bytes: Buffer.byteLength(res.body), samples: parsed.samples, sloSeries: parsed.sloSeries, sloEvents: parsed.sloEvents };
  } catch (error) {
    return { atSec: round(atSec, 2), error: error.message };
  }
}

// --- One run ---------------------------------------------------------------------------

async function runOnce(roundNo, key, pinning) {
  const config = CONFIGS[key];
  const appPort = await freePort();
  const metricsPort = config.metrics ? await freePort() : undefined;
  const baseUrl = `http://127.0.0.1:${appPort}`;
  const metricsUrl = config.metrics ? `http://127.0.0.1:${metricsPort}/metrics` : undefined;
  const run = { round: roundNo, config: key, appPort, metricsPort };
  const t0 = Date.now();
  const server = startServer(key, appPort, metricsPort, pinning);
  run.command = server.command;
  let probeRequests = 0;
  let sampler;
  try {
    await waitForHttp(`${baseUrl}/health`, 30_000, () => !server.state.exitedEarly);
    probeRequests++;
    if (metricsUrl) {
      const first = await waitForHttp(metricsUrl, 15_000, () => !server.state.exitedEarly);
      if (first.status !== 200) throw new Error(`${metricsUrl} answered ${first.status}`);
    }
    run.startupMs = Date.now() - t0;
    const pid = server.child.pid;

    if (params.warmupSec > 0) {
      const warm = await runLoad(baseUrl, params.warmupSec, pinning);
      run.warmupRequests = warm.requestsTotal;
    } else run.warmupRequests = 0;

    run.rssBeforeMb = round((procMemory(pid).rssBytes ?? NaN) / MB);
    run.loadAverage1m = round(os.loadavg()[0]);
    const cpuBefore = procCpuSeconds(pid);
    const serverCpu = pinning.method === 'taskset' && !pinning.serverCpus.includes(',') ? pinning.serverCpus : undefined;
    const cpuLineBefore = serverCpu === undefined ? undefined : cpuTimes(serverCpu);
    // RSS every 500 ms during the measurement, to see when the peak happens.
    const rssTimeline = [];
    sampler = setInterval(() => rssTimeline.push(round((procMemory(pid).rssBytes ?? NaN) / MB, 1)), 500);

    // The load, with Prometheus-like scrapes spread over it.
    const loadPromise = runLoad(baseUrl, params.durationSec, pinning);
    const scrapes = [];
    const started = Date.now();
    const timers = [];
    if (metricsUrl) {
      for (let i = 1; i <= params.scrapesPerRun; i++) {
        const atMs = (params.durationSec * 1000 * i) / (params.scrapesPerRun + 1);
        timers.push(new Promise((r) => setTimeout(r, atMs)).then(() => scrape(metricsUrl, (Date.now() - started) / 1000)).then((s) => scrapes.push(s)));
      }
    }
    const load = await loadPromise;
    await Promise.all(timers);
    clearInterval(sampler);
    const cpuAfter = procCpuSeconds(pid);
    const cpuLineAfter = serverCpu === undefined ? undefined : cpuTimes(serverCpu);
    const mem = procMemory(pid);
    if (server.state.exitedEarly) throw new Error('server exited during the run');

    run.load = load;
    run.reqPerSec = round(load.reqPerSecMean, 1);
    run.p50Ms = load.latencyMs.p50;
    run.p99Ms = load.latencyMs.p99;
    run.errors = load.errors + load.timeouts;
    run.non2xx = load.non2xx;
    run.unexpectedNon2xx = load.non2xx - expectedStatuses.reduce((n, code) => n + (load.statusCodes[code] ?? 0), 0);
    run.rssAfterMb = round((mem.rssBytes ?? NaN) / MB);
    run.peakRssMb = round((mem.peakRssBytes ?? NaN) / MB);
    run.serverCpuSec = cpuAfter !== undefined && cpuBefore !== undefined ? round(cpuAfter - cpuBefore, 2) : null;
    run.cpuMsPerKReq = run.serverCpuSec !== null && load.requestsTotal > 0 ? round((run.serverCpuSec * 1e6) / load.requestsTotal, 2) : null;
    run.rssTimelineMb = rssTimeline;
    if (cpuLineBefore && cpuLineAfter && run.serverCpuSec !== null) {
      // How busy the server's CPU was with anything but the server: a noise indicator.
      const busy = cpuLineAfter.busy - cpuLineBefore.busy;
      const total = busy + cpuLineAfter.idle - cpuLineBefore.idle;
      run.serverCpuNoise = {
        cpu: serverCpu,
        busyShare: round(busy / total, 3),
        othersSec: round(busy - run.serverCpuSec, 2),
        stealSec: round(cpuLineAfter.steal - cpuLineBefore.steal, 2),
      };
    }
    run.scrapes = scrapes.sort((x, y) => x.atSec - y.atSec);
    if (scrapes.some((s) => s.error || s.status !== 200)) run.scrapeProblems = true;

    if (key === 'c') {
      // Did slowatch count what it served? Every request reached the app
      // except those to /metrics (which the agent excludes on purpose).
      const final = await scrape(metricsUrl, (Date.now() - started) / 1000);
      const served = probeRequests + run.warmupRequests + load.requestsTotal;
      run.sloCheck = {
        requestsServed: served,
        sloSeries: final.sloSeries,
        eventsCounted: final.sloEvents,
        note: 'events per objective should be close to requestsServed (each objective counts every server span); a few in-flight spans may be missing',
      };
      if (final.error || !final.sloEvents || Object.keys(final.sloEvents).length === 0) {
        run.sloCheck.problem = `no slowatch_slo_events_total in /metrics${final.error ? `: ${final.error}` : ''}`;
      } else {
        // Requests still in flight when autocannon stopped (at most one per connection
        // per load phase) were served but not counted by autocannon.
        const tolerance = 2 * params.connections + 20;
        run.sloCheck.differenceBySlo = {};
        for (const [slo, { good, bad }] of Object.entries(final.sloEvents)) {
          const difference = good + bad - served;
          run.sloCheck.differenceBySlo[slo] = difference;
          if (Math.abs(difference) > tolerance) {
            run.sloCheck.problem = `${slo}: ${good + bad} events counted for ${served} requests served (tolerance ±${tolerance})`;
          }
        }
      }
    }
  } catch (error) {
    run.error = error.message;
    run.stderrTail = server.stderr.text.slice(-2000);
    run.stdoutTail = server.stdout.text.slice(-1000);
  } finally {
    clearInterval(sampler);
    run.exit = await stopServer(server);
    const stderr = server.stderr.text.trim();
    if (stderr && !run.stderrTail) run.stderrTail = stderr.slice(-2000);
  }
  return run;
}

// --- Main -------------------------------------------------------------------------------

async function main() {
  if (!existsSync(path.join(repoRoot, 'dist', 'instrumentation', 'register.js')) && selected.includes('c')) {
    throw new Error('dist/instrumentation/register.js is missing: build first (npx tsc -p tsconfig.json)');
  }
  const machine = machineInfo(); // before pinning narrows this process' affinity
  const pinning = planPinning();
  const totalRuns = params.rounds * selected.length;
  const perRunSec = params.warmupSec + params.durationSec + 3;
  process.stdout.write(
    `bench:agent — ${params.rounds} round(s) × ${selected.join(' ')}, ${params.durationSec}s each (+${params.warmupSec}s warm-up), ` +
      `${params.connections} connections, pinning: ${pinning.method === 'taskset' ? `server on CPU ${pinning.serverCpus}, load on CPU ${pinning.loadGeneratorCpus}` : pinning.reason}\n` +
      `about ${Math.ceil((totalRuns * perRunSec) / 60)} min\n`,
  );

  const runs = [];
  for (let roundNo = 1; roundNo <= params.rounds; roundNo++) {
    for (const key of selected) {
      const run = await runOnce(roundNo, key, pinning);
      runs.push(run);
      process.stdout.write(
        run.error
          ? `  round ${roundNo} ${key}: FAILED: ${run.error}\n`
          : `  round ${roundNo} ${key}: ${run.reqPerSec} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, RSS ${run.rssAfterMb} MB (peak ${run.peakRssMb}), ${run.cpuMsPerKReq} CPU-ms/1k req${run.errors || run.non2xx ? `, errors ${run.errors}, non-2xx ${run.non2xx}` : ''}\n`,
      );
    }
  }

  const medians = {};
  for (const key of selected) {
    const ok = runs.filter((r) => r.config === key && !r.error);
    medians[key] = {
      runs: ok.length,
      reqPerSec: round(median(ok.map((r) => r.reqPerSec)), 1),
      p50Ms: round(median(ok.map((r) => r.p50Ms)), 2),
      p99Ms: round(median(ok.map((r) => r.p99Ms)), 2),
      errors: ok.reduce((n, r) => n + r.errors, 0),
      non2xx: ok.reduce((n, r) => n + r.non2xx, 0),
      rssAfterMb: round(median(ok.map((r) => r.rssAfterMb))),
      peakRssMb: round(median(ok.map((r) => r.peakRssMb))),
      cpuMsPerKReq: round(median(ok.map((r) => r.cpuMsPerKReq))),
      startupMs: round(median(ok.map((r) => r.startupMs)), 0),
      scrapeMs: round(median(ok.flatMap((r) => (r.scrapes ?? []).map((s) => s.ms))), 2),
    };
  }

  const ratio = (x, y) => (Number.isFinite(x) && Number.isFinite(y) && y > 0 ? x / y : NaN);
  const paired = (num, den, field) =>
    median(
      Array.from({ length: params.rounds }, (_, i) => {
        const x = runs.find((r) => r.round === i + 1 && r.config === num && !r.error);
        const y = runs.find((r) => r.round === i + 1 && r.config === den && !r.error);
        return x && y ? ratio(x[field], y[field]) : NaN;
      }),
    );
  const m = (key, field) => medians[key]?.[field] ?? NaN;
  const ratios = {
    throughputCOverB: round(ratio(m('c', 'reqPerSec'), m('b', 'reqPerSec')), 4),
    throughputCOverBPairedMedian: round(paired('c', 'b', 'reqPerSec'), 4),
    extraRssMbCMinusB: round(m('c', 'rssAfterMb') - m('b', 'rssAfterMb')),
    extraPeakRssMbCMinusB: round(m('c', 'peakRssMb') - m('b', 'peakRssMb')),
    cpuPerRequestCOverB: round(ratio(m('c', 'cpuMsPerKReq'), m('b', 'cpuMsPerKReq')), 4),
    p99MsCMinusB: round(m('c', 'p99Ms') - m('b', 'p99Ms'), 2),
    throughputBOverA: round(ratio(m('b', 'reqPerSec'), m('a', 'reqPerSec')), 4),
    throughputCOverA: round(ratio(m('c', 'reqPerSec'), m('a', 'reqPerSec')), 4),
    extraRssMbBMinusA: round(m('b', 'rssAfterMb') - m('a', 'rssAfterMb')),
  };
  const pass = {
    throughput: ratios.throughputCOverB === null ? null : ratios.throughputCOverB >= GOALS.throughputRatioMin,
    rss: ratios.extraRssMbCMinusB === null ? null : ratios.extraRssMbCMinusB <= GOALS.extraRssMbMax,
  };
  const failures = runs.filter((r) => r.error).map((r) => ({ round: r.round, config: r.config, error: r.error }));
  const sloProblems = runs.filter((r) => r.sloCheck?.problem).map((r) => ({ round: r.round, problem: r.sloCheck.problem }));

  const report = {
    benchmark: 'agent',
    description:
      'autocannon against examples/shop/server.cjs: (a) no instrumentation, (b) plain OpenTelemetry, (c) slowatch. ' +
      'Medians over interleaved rounds; only comparable with figures from the same run on the same machine.',
    machine,
    parameters: { ...params, order: selected, requests, server: SERVER, autocannon: 'in a separate process (bench/lib/load-worker.mjs), not rate-limited' },
    pinning,
    configurations: Object.fromEntries(
      selected.map((k) => [
        k,
        {
          label: CONFIGS[k].label,
          command: `node ${CONFIGS[k].preload ? `--require ${CONFIGS[k].preload} ` : ''}${SERVER}`,
          env: CONFIGS[k].metrics
            ? 'PORT, HOST=127.0.0.1, NODE_ENV, OTEL_SERVICE_NAME=shop, OTEL_EXPORTER_PROMETHEUS_PORT=<free>; inherited OTEL_*/SLOWATCH_*/NODE_OPTIONS removed'
            : 'PORT, HOST=127.0.0.1, NODE_ENV; inherited OTEL_*/SLOWATCH_*/NODE_OPTIONS removed',
        },
      ]),
    ),
    goals: GOALS,
    medians,
    ratios,
    pass,
    failures,
    sloProblems,
    runs,
  };
  writeReport(args.out, report);

  process.stdout.write('\n');
  printTable(
    ['config', 'runs', 'req/s', 'p50 ms', 'p99 ms', 'err', 'non2xx', 'RSS MB', 'peak MB', 'CPU ms/1k req', 'start ms'],
    selected.map((k) => [
      CONFIGS[k].label,
      medians[k].runs,
      medians[k].reqPerSec,
      medians[k].p50Ms,
      medians[k].p99Ms,
      medians[k].errors,
      medians[k].non2xx,
      medians[k].rssAfterMb,
      medians[k].peakRssMb,
      medians[k].cpuMsPerKReq,
      medians[k].startupMs,
    ]),
  );
  const verdict = (p) => (p === null ? 'n/a' : p ? 'PASS' : 'FAIL');
  process.stdout.write(
    `\nthroughput c/b ${ratios.throughputCOverB ?? 'n/a'} (paired ${ratios.throughputCOverBPairedMedian ?? 'n/a'}; goal ≥ ${GOALS.throughputRatioMin}) ${verdict(pass.throughput)}\n` +
      `extra RSS c−b ${ratios.extraRssMbCMinusB ?? 'n/a'} MB (peak ${ratios.extraPeakRssMbCMinusB ?? 'n/a'} MB; goal ≤ ${GOALS.extraRssMbMax} MB) ${verdict(pass.rss)}\n` +
      `CPU per request c/b ${ratios.cpuPerRequestCOverB ?? 'n/a'}; b/a throughput ${ratios.throughputBOverA ?? 'n/a'}, c/a ${ratios.throughputCOverA ?? 'n/a'}\n` +
      `written to ${path.relative(process.cwd(), args.out)}\n`,
  );
  if (sloProblems.length > 0) process.stdout.write(`slowatch /metrics problems: ${JSON.stringify(sloProblems)}\n`);
  if (failures.length > 0) {
    process.stderr.write(`${failures.length} run(s) failed:\n${failures.map((f) => `  round ${f.round} ${f.config}: ${f.error}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  process.stderr.write(`bench:agent failed: ${error.stack ?? error}\n`);
  killChildren();
  process.exit(1);
});
