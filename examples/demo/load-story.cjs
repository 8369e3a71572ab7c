'use strict';
/**
 * The demo's scripted story, as data (storyPlan) and as a run (runStory):
 *
 *   1. steady traffic on service.version 1.0.0;
 *   2. an error burst: GET /error (500) joins the mix, enough that the
 *      availability SLO's error ratio over both the 5 m and the 1 h window
 *      exceeds 14.4 × its budget (1.44 % for 99.9 %), the quick page rule
 *      of the multiwindow burn-rate alerts (the Google SRE workbook's
 *      "2 % of a 30-day budget in 1 hour");
 *   3. a deploy: the shop restarts as service.version 1.1.0 with every
 *      request SHOP_EXTRA_LATENCY_MS slower, and the regression processor
 *      compares each operation's latencies of the two versions (Kayenta's
 *      Mann-Whitney classifier) once the new one is past its warmup and both
 *      hold min_samples samples;
 *   4. GET /orders/n-plus-one joins the mix: 10 sequential order_items
 *      queries per request, which the recommend processor names
 *      n_plus_one_db once 3 traces show it.
 *
 * After the last step the traffic goes on as it is until the demo stops, so
 * the pages stay live. Every step is announced through `say` before it runs.
 *
 * Rates and durations are chosen so that the counts the defaults ask for are
 * reached with room to spare (see expectedCounts, which the demo's test
 * checks against processors/regression/config.ts and the alert windows).
 */

const BASELINE_VERSION = '1.0.0';
const SLOWER_VERSION = '1.1.0';

/** The clean routes of the steady traffic: fast, 200, and one of them (/orders/batched) the N+1 route's twin. */
const STEADY_MIX = Object.freeze([
  { path: '/products/{n}', weight: 5 },
  { path: '/cart', weight: 3 },
  { path: '/orders/batched', weight: 2 },
]);

/** Six in sixteen requests fail: 37.5 %, about 375 × the 99.9 % budget while it lasts. */
const BURST_MIX = Object.freeze([...STEADY_MIX, { path: '/error', weight: 6 }]);

/** One in eleven requests is the N+1 route (about 85 ms and 11 queries each). */
const N_PLUS_ONE_MIX = Object.freeze([...STEADY_MIX, { path: '/orders/n-plus-one', weight: 1 }]);

/**
 * The story's rates and durations.
 *
 * Full: 15 s of steady traffic and burst before the deploy, so that the
 * regression, due after the regression processor's default 1 min warmup,
 * shows within two minutes of the start (about 100 s: the warmup, 6 s of
 * samples, up to 10 s to the next comparison and up to 10 s to the store's
 * next write, which the events API reads). Fast (`--fast`, CI): a shorter
 * steady phase, the same thresholds met; the demo shortens the warmup too.
 *
 * @param {{ fast?: boolean }} [options]
 */
function storyPlan(options = {}) {
  const fast = options.fast === true;
  // 40 requests a second: light for the shop on 2 cores, and the new version's busiest operation reaches min_samples (100) in about 6 s.
  const rate = 40;
  return {
    baselineVersion: BASELINE_VERSION,
    steady: { durationMs: fast ? 6_000 : 8_000, ratePerSecond: rate, mix: STEADY_MIX },
    burst: { durationMs: 6_000, ratePerSecond: rate, mix: BURST_MIX },
    /** How long the steady traffic runs between the burst and the deploy (the alert decides on its own timer). */
    settleMs: 1_000,
    deploy: { version: SLOWER_VERSION, extraLatencyMs: 30, ratePerSecond: rate, mix: STEADY_MIX },
    /** How long after the deploy the N+1 route joins. */
    nPlusOneAfterMs: fast ? 1_000 : 3_000,
    nPlusOne: { ratePerSecond: rate, mix: N_PLUS_ONE_MIX },
  };
}

/** Requests of `path` among `count` requests of a mix. */
function share(mix, path, count) {
  const total = mix.reduce((sum, entry) => sum + entry.weight, 0);
  const entry = mix.find((e) => e.path === path);
  return entry === undefined ? 0 : (count * entry.weight) / total;
}

/**
 * What the plan sends before the deploy, and how fast it feeds the new
 * version, in expectation (the rate times the time; the load generator's
 * round-robin keeps the shares exact).
 *
 * @returns {{
 *   requestsBeforeDeploy: number,
 *   errorsBeforeDeploy: number,
 *   errorRatioBeforeDeploy: number,
 *   baselineSamplesByPath: Record<string, number>,
 *   newVersionSamplesPerSecondByPath: Record<string, number>,
 * }}
 */
function expectedCounts(plan) {
  const steadyCount = (plan.steady.ratePerSecond * plan.steady.durationMs) / 1000;
  const burstCount = (plan.burst.ratePerSecond * plan.burst.durationMs) / 1000;
  const settleCount = (plan.steady.ratePerSecond * plan.settleMs) / 1000;
  const baselineSamplesByPath = {};
  const newVersionSamplesPerSecondByPath = {};
  for (const { path } of STEADY_MIX) {
    baselineSamplesByPath[path] = share(plan.steady.mix, path, steadyCount + settleCount) + share(plan.burst.mix, path, burstCount);
    newVersionSamplesPerSecondByPath[path] = share(plan.nPlusOne.mix, path, plan.nPlusOne.ratePerSecond);
  }
  const errorsBeforeDeploy = share(plan.burst.mix, '/error', burstCount);
  const requestsBeforeDeploy = steadyCount + burstCount + settleCount;
  return {
    requestsBeforeDeploy,
    errorsBeforeDeploy,
    errorRatioBeforeDeploy: errorsBeforeDeploy / requestsBeforeDeploy,
    baselineSamplesByPath,
    newVersionSamplesPerSecondByPath,
  };
}

/** Resolves after `ms`, or at once when `signal` aborts (then rejects with its reason). */
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describeMix(mix) {
  const total = mix.reduce((sum, entry) => sum + entry.weight, 0);
  return mix.map(({ path, weight }) => `GET ${path.replace('{n}', ':id')} ${Math.round((100 * weight) / total)} %`).join(', ');
}

/**
 * Runs the story's steps on `load` (a started RateLoad). Resolves after the
 * last step; rejects with the signal's reason when it aborts.
 *
 * @param {{
 *   plan: ReturnType<typeof storyPlan>,
 *   load: import('./rate-load.cjs').RateLoad,
 *   deploy: (release: { version: string, extraLatencyMs: number }) => Promise<void>,
 *   say: (line: string) => void,
 *   signal?: AbortSignal,
 * }} options `deploy` replaces the running shop with the release and resolves once it serves
 */
async function runStory({ plan, load, deploy, say, signal }) {
  const seconds = (ms) => `${ms / 1000} s`;
  say(`step 1/4 steady traffic: ${plan.steady.ratePerSecond} req/s for ${seconds(plan.steady.durationMs)} on service.version ${plan.baselineVersion} (${describeMix(plan.steady.mix)})`);
  load.setMix(plan.steady.ratePerSecond, plan.steady.mix);
  await sleep(plan.steady.durationMs, signal);

  say(
    `step 2/4 error burst: ${plan.burst.ratePerSecond} req/s for ${seconds(plan.burst.durationMs)} with GET /error (500) in the mix ` +
      `(${describeMix(plan.burst.mix)}): the availability SLO (99.9 %) burns its budget over 14.4× as fast on the 5 m and 1 h windows, so the page alert fires`,
  );
  load.setMix(plan.burst.ratePerSecond, plan.burst.mix);
  await sleep(plan.burst.durationMs, signal);
  load.setMix(plan.steady.ratePerSecond, plan.steady.mix);
  await sleep(plan.settleMs, signal);

  say(
    `step 3/4 deploy: service.version ${plan.deploy.version} replaces ${plan.baselineVersion}, every request ${plan.deploy.extraLatencyMs} ms slower ` +
      `(SHOP_EXTRA_LATENCY_MS); the regression processor compares the versions once the new one is past its warmup and both have enough samples`,
  );
  load.pause();
  try {
    await deploy({ version: plan.deploy.version, extraLatencyMs: plan.deploy.extraLatencyMs });
  } finally {
    load.setMix(plan.deploy.ratePerSecond, plan.deploy.mix);
    load.resume();
  }
  await sleep(plan.nPlusOneAfterMs, signal);

  say(
    `step 4/4 N+1 queries: GET /orders/n-plus-one joins the mix (${describeMix(plan.nPlusOne.mix)}); ` +
      'each request loads 10 orders, then each order\'s items with one query per order, and the recommend processor names it n_plus_one_db',
  );
  load.setMix(plan.nPlusOne.ratePerSecond, plan.nPlusOne.mix);
}

module.exports = { storyPlan, expectedCounts, runStory, sleep, BASELINE_VERSION, SLOWER_VERSION, STEADY_MIX, BURST_MIX, N_PLUS_ONE_MIX };
