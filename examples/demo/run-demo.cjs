'use strict';
/**
 * `npm run demo`: everything slowatch does, on one machine, in about two
 * minutes.
 *
 *   node examples/demo/run-demo.cjs [--fast] [--free-ports] [--keep] [--verbose]
 *
 * Starts, in this order, each in a process group of its own (child-process.cjs):
 * 1. a temporary PostgreSQL (postgres-process.cjs);
 * 2. the gateway, `slowatch serve` from dist/, on the built-in defaults, in a
 *    fresh temporary working directory, so that its store (the default
 *    `./data/slowatch.db`) starts empty every time;
 * 3. the example shop (examples/shop/shop-server.cjs) under the agent
 *    (`--require dist/instrumentation/register.js`), service.version 1.0.0,
 *    exporting its spans (and runtime metrics, when the gateway takes them)
 *    over OTLP to the gateway;
 * then runs the story of load-story.cjs against the shop (steady traffic, an
 * error burst, a deploy of a slower 1.1.0, an N+1 route), prints a line per
 * step and one per outcome as the gateway shows it (story-outcomes.cjs), and
 * keeps the traffic going until Ctrl-C.
 *
 * Ctrl-C (SIGINT), SIGTERM or SIGHUP: stops the load, then the shop (its
 * agent flushes its last spans to the gateway), then the gateway (SIGTERM: it
 * drains and writes its last snapshot), then PostgreSQL (its directory is
 * deleted), removes the temporary directory (unless --keep) and exits 0; 1
 * when a child had to be killed or failed. A second Ctrl-C kills whatever
 * is left at once.
 *
 * Options (or environment variables):
 * - `--fast` (DEMO_FAST=1): the shortened story for CI, done in well under a
 *   minute; the regression processor's warmup becomes 5 s (see gateway-config.cjs);
 * - `--free-ports` (DEMO_FREE_PORTS=1): free ports instead of the defaults'
 *   (4318, 4317, 9464, 13133, 8888; the shop on 3000, its agent's metrics on 9465);
 * - `--keep` (DEMO_KEEP=1): keep the temporary directory (the gateway's store and the logs);
 * - `--verbose` (DEMO_VERBOSE=1): echo the children's output, prefixed with their names.
 */
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { startChild, killAllNow } = require('./child-process.cjs');
const { demoGatewayConfig, receivesOtlpMetrics, DEFAULT_GATEWAY_PORTS } = require('./gateway-config.cjs');
const { RateLoad } = require('./rate-load.cjs');
const { storyPlan, runStory, sleep, BASELINE_VERSION, SLOWER_VERSION } = require('./load-story.cjs');
const { readOutcomes } = require('./story-outcomes.cjs');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const GATEWAY_MAIN = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const AGENT_REGISTER = path.join(REPO_ROOT, 'dist', 'instrumentation', 'register.js');
const BUILT_IN_CONFIG = path.join(REPO_ROOT, 'dist', 'src', 'config', 'built-in-config.js');
const SHOP_SERVER = path.join(REPO_ROOT, 'examples', 'shop', 'shop-server.cjs');
const SHOP_AGENT_CONFIG = path.join(REPO_ROOT, 'examples', 'shop', 'otel-config.yaml');

const SERVICE_NAME = 'shop';
const DEFAULT_SHOP_PORT = 3000;
/** The agent's own /metrics: beside the gateway's 9464. */
const DEFAULT_SHOP_METRICS_PORT = 9465;
const START_DEADLINE_MS = 30_000;
const STOP_DEADLINE_MS = 15_000;
const POLL_INTERVAL_MS = 1_000;
/** When the outcomes should all show; past it the demo says what is missing (once). */
const OUTCOMES_DUE_MS = { full: 150_000, fast: 90_000 };

function parseOptions(argv, env) {
  const known = new Set(['--fast', '--free-ports', '--keep', '--verbose', '--help', '-h']);
  for (const arg of argv) {
    if (!known.has(arg)) throw new UsageError(`unknown option ${arg}`);
  }
  const flag = (name, variable) => argv.includes(name) || env[variable] === '1' || env[variable] === 'true';
  return {
    help: argv.includes('--help') || argv.includes('-h'),
    fast: flag('--fast', 'DEMO_FAST'),
    freePorts: flag('--free-ports', 'DEMO_FREE_PORTS'),
    keep: flag('--keep', 'DEMO_KEEP'),
    verbose: flag('--verbose', 'DEMO_VERBOSE'),
  };
}

class UsageError extends Error {}

const USAGE = 'usage: node examples/demo/run-demo.cjs [--fast] [--free-ports] [--keep] [--verbose] (or DEMO_FAST=1, DEMO_FREE_PORTS=1, DEMO_KEEP=1, DEMO_VERBOSE=1)';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** The environment minus OTEL_* and SLOWATCH_*: the user's settings must not reconfigure the demo's children. */
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_') && !name.startsWith('SLOWATCH_')));
}

/** `[  12.3s]` since the start. */
function stamp(startedAt) {
  return `[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)}s]`;
}

async function waitUntilReady(url, child, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (child.child.exitCode !== null || child.child.signalCode !== null) throw new Error(`${child.name} exited during start-up:\n${child.tail()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${child.name} not ready at ${url} within ${deadlineMs / 1000} s:\n${child.tail()}`);
    await sleep(100);
  }
}

/** Ports, and the gateway's configuration (written to the work directory when it is not the built-in defaults). */
async function prepare(options, workDir) {
  const ports = options.freePorts
    ? { http: await freePort(), grpc: await freePort(), metrics: await freePort(), health: await freePort(), web: await freePort() }
    : { ...DEFAULT_GATEWAY_PORTS };
  const shopPort = options.freePorts ? await freePort() : DEFAULT_SHOP_PORT;
  const shopMetricsPort = options.freePorts ? await freePort() : DEFAULT_SHOP_METRICS_PORT;

  const { createBuiltInConfigData } = require(BUILT_IN_CONFIG);
  const { data: gatewayConfig, changes } = demoGatewayConfig(createBuiltInConfigData(), { ports: options.freePorts ? ports : undefined, fast: options.fast });
  const gatewayArgs = [GATEWAY_MAIN, 'serve'];
  if (changes.length > 0) {
    const configPath = path.join(workDir, 'otel-config.yaml');
    const header = ['# The demo gateway: the built-in defaults with these changes:', ...changes.map((c) => `#   ${c}`), ''].join('\n');
    fs.writeFileSync(configPath, `${header}${require('yaml').stringify(gatewayConfig)}`);
    gatewayArgs.push('--config', configPath);
  }
  return { ports, shopPort, shopMetricsPort, gatewayConfig, changes, gatewayArgs };
}

async function main() {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options.help) {
    console.log(USAGE);
    return;
  }
  for (const file of [GATEWAY_MAIN, AGENT_REGISTER, BUILT_IN_CONFIG]) {
    if (!fs.existsSync(file)) throw new Error(`${path.relative(REPO_ROOT, file)} is missing: run \`npm run build\` first (\`npm run demo\` does)`);
  }
  const startedAt = performance.now();
  const say = (line) => console.log(`${stamp(startedAt)} ${line}`);

  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slowatch-demo-'));
  let setup;
  try {
    setup = await prepare(options, workDir);
  } catch (error) {
    fs.rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  const { ports, shopPort, shopMetricsPort, gatewayConfig, changes, gatewayArgs } = setup;

  const webUrl = `http://127.0.0.1:${ports.web}`;
  const metricsUrl = `http://127.0.0.1:${ports.metrics}/metrics`;
  const shopUrl = `http://127.0.0.1:${shopPort}`;
  console.log(`slowatch demo${options.fast ? ' (fast)' : ''}: the gateway, the example shop under the agent, and a scripted story`);
  console.log(`  report page      ${webUrl}/`);
  console.log(`  SLOs             ${webUrl}/api/v1/slos`);
  console.log(`  events           ${webUrl}/api/v1/events`);
  console.log(`  recommendations  ${webUrl}/api/v1/recommendations`);
  console.log(`  metrics          ${metricsUrl}`);
  console.log(`  OTLP             http://127.0.0.1:${ports.http} (gRPC 127.0.0.1:${ports.grpc}), health http://127.0.0.1:${ports.health}/readyz`);
  console.log(`  shop             ${shopUrl} (its agent's metrics: http://127.0.0.1:${shopMetricsPort}/metrics)`);
  console.log(`  work directory   ${workDir} (the gateway's store in data/, the logs; ${options.keep ? 'kept' : 'removed'} on exit)`);
  console.log(changes.length === 0 ? '  gateway config   the built-in defaults' : `  gateway config   the built-in defaults, except: ${changes.join('; ')}`);
  console.log('Ctrl-C stops everything.');

  const echo = (name) => (options.verbose ? (line) => console.log(`${stamp(startedAt)} [${name}] ${line}`) : undefined);
  const children = { postgres: undefined, gateway: undefined, shop: undefined };
  const abort = new AbortController();
  let shuttingDown = false;
  let watching;
  let load;

  const shutdown = async (exitCode, reason) => {
    if (shuttingDown) return;
    shuttingDown = true;
    if (reason !== undefined) say(reason);
    abort.abort(new Error('stopping'));
    await watching;
    if (load !== undefined) await load.stop();
    let clean = true;
    // The order matters: the shop's agent flushes into a gateway that still listens; the gateway drains before the database goes.
    for (const name of ['shop', 'gateway', 'postgres']) {
      const child = children[name];
      if (child === undefined) continue;
      const { code, signal, killed } = await child.stop('SIGTERM', STOP_DEADLINE_MS);
      const ok = code === 0 && !killed;
      clean &&= ok;
      say(`${child.name} stopped (${killed ? `killed after ${STOP_DEADLINE_MS / 1000} s` : signal !== null ? signal : `exit code ${code}`})`);
      if (!ok) console.error(`${child.name}'s last lines:\n${child.tail()}`);
    }
    if (options.keep) {
      say(`kept ${workDir}`);
    } else {
      fs.rmSync(workDir, { recursive: true, force: true, maxRetries: 3 });
      say(`removed ${workDir}`);
    }
    const code = clean ? exitCode : 1;
    say(code === 0 ? 'stopped cleanly' : 'stopped, not cleanly');
    process.exit(code);
  };
  let signals = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      signals++;
      if (signals > 1) {
        console.error(`${signal} again: killing what is left`);
        killAllNow('SIGKILL');
        process.exit(130);
      }
      void shutdown(0, `${signal}: stopping`);
    });
  }
  process.on('exit', () => killAllNow('SIGTERM'));
  /**
   * Starts a child unless the demo is stopping (shutdown aborts first, so no
   * child starts after it has passed its turn). A child that exits on its own
   * (not stopped by the demo) ends the demo.
   */
  const spawnChild = (childOptions) => {
    if (abort.signal.aborted) throw abort.signal.reason;
    const child = startChild(childOptions);
    void child.exited.then(({ code, signal }) => {
      if (shuttingDown || child.stopping !== undefined) return;
      void shutdown(1, `${child.name} exited unexpectedly (${signal ?? `exit code ${code}`}):\n${child.tail()}`);
    });
    return child;
  };

  try {
    say('starting PostgreSQL');
    children.postgres = spawnChild({
      name: 'postgres',
      command: process.execPath,
      args: [path.join(__dirname, 'postgres-process.cjs')],
      env: cleanEnv(),
      cwd: workDir,
      logFile: path.join(workDir, 'postgres.log'),
      echo: echo('postgres'),
    });
    const databaseUrl = (await children.postgres.waitForLine(/^postgres ready (\S+)/, START_DEADLINE_MS))[1];
    say(`PostgreSQL ready at ${databaseUrl}`);

    say('starting the gateway');
    children.gateway = spawnChild({
      name: 'gateway',
      command: process.execPath,
      args: gatewayArgs,
      env: cleanEnv(),
      cwd: workDir,
      logFile: path.join(workDir, 'gateway.log'),
      echo: echo('gateway'),
    });
    await waitUntilReady(`http://127.0.0.1:${ports.health}/readyz`, children.gateway, START_DEADLINE_MS);
    say('gateway ready');

    const startShop = async (version, extraLatencyMs) => {
      const env = {
        ...cleanEnv(),
        DATABASE_URL: databaseUrl,
        HOST: '127.0.0.1',
        PORT: String(shopPort),
        PARTNER_PORT: '0',
        SHOP_EXTRA_LATENCY_MS: String(extraLatencyMs),
        OTEL_SERVICE_NAME: SERVICE_NAME,
        OTEL_RESOURCE_ATTRIBUTES: `service.version=${version},deployment.environment=demo`,
        SLOWATCH_CONFIG: SHOP_AGENT_CONFIG,
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(shopMetricsPort),
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${ports.http}`,
        // Half-second batches: the gateway sees a request about a second after it happened.
        OTEL_BSP_SCHEDULE_DELAY: '500',
        ...(receivesOtlpMetrics(gatewayConfig) ? { OTEL_METRICS_EXPORTER: 'otlp', OTEL_METRIC_EXPORT_INTERVAL: '5000' } : {}),
      };
      const shop = spawnChild({
        name: `shop ${version}`,
        command: process.execPath,
        args: ['--require', AGENT_REGISTER, SHOP_SERVER],
        env,
        cwd: REPO_ROOT,
        logFile: path.join(workDir, `shop-${version}.log`),
        echo: echo(`shop ${version}`),
      });
      children.shop = shop;
      await shop.waitForLine(/shop listening on http:\/\/\S+/, START_DEADLINE_MS);
      return shop;
    };
    say(`starting the shop, service.version ${BASELINE_VERSION}, under the agent`);
    await startShop(BASELINE_VERSION, 0);
    say(`shop ready at ${shopUrl}`);

    const plan = storyPlan({ fast: options.fast });
    load = new RateLoad(shopUrl);
    load.setMix(plan.steady.ratePerSecond, plan.steady.mix);
    load.start();
    const story = runStory({
      plan,
      load,
      say,
      signal: abort.signal,
      deploy: async (release) => {
        const old = children.shop;
        const { code, signal } = await old.stop('SIGTERM', STOP_DEADLINE_MS);
        say(`${old.name} stopped (${signal ?? `exit code ${code}`}); starting ${release.version}`);
        await startShop(release.version, release.extraLatencyMs);
        say(`shop ${release.version} ready`);
      },
    });
    watching = watchOutcomes({ webUrl, say, signal: abort.signal, dueMs: options.fast ? OUTCOMES_DUE_MS.fast : OUTCOMES_DUE_MS.full, startedAt }).catch(
      (error) => {
        if (!abort.signal.aborted) say(`watching the gateway failed: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
    await story;
    say('the story is told; the traffic goes on (Ctrl-C to stop)');
  } catch (error) {
    if (shuttingDown) return;
    await shutdown(1, `demo failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Polls the gateway until the three outcomes show, printing each once. */
async function watchOutcomes({ webUrl, say, signal, dueMs, startedAt }) {
  const labels = { alert: 'the page alert', regression: `the regression of ${SLOWER_VERSION}`, recommendation: 'the N+1 recommendation' };
  const seen = new Set();
  let warned = false;
  while (seen.size < 3) {
    await sleep(POLL_INTERVAL_MS, signal);
    const outcomes = await readOutcomes(webUrl, { service: SERVICE_NAME, version: SLOWER_VERSION });
    for (const [name, outcome] of Object.entries(outcomes)) {
      if (outcome === undefined || seen.has(name)) continue;
      seen.add(name);
      say(`✓ ${outcome.summary} (${outcome.source})`);
    }
    const elapsedMs = performance.now() - startedAt;
    if (!warned && seen.size < 3 && elapsedMs > dueMs) {
      warned = true;
      const missing = Object.keys(labels).filter((name) => !seen.has(name)).map((name) => labels[name]);
      say(`still waiting for ${missing.join(', ')}; the logs are in the work directory`);
    }
  }
  say(`all of it shows: the page alert, the regression and the recommendation; open ${webUrl}/`);
}

main().catch((error) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
  killAllNow('SIGTERM');
  process.exit(1);
});
