// The README's performance table, built from the benchmarks' result files
// (bench/results/*.json). Pure: the caller reads the files and passes their
// parsed contents; the same results always give the same text (every date in
// it comes from the results, none from a clock).
//
// Each row: what was measured, the figure, its goal (from bench/README.md and
// the README's "Benchmarks" section; "—" when the figure has none, it is
// context) and whether the goal is met. Rows whose result file is missing say
// "not run". The machine of each result file is listed above the table, and
// the notes below it say where the comparison figures come from.

export const TABLE_START = '<!-- bench:table:start -->';
export const TABLE_END = '<!-- bench:table:end -->';

/**
 * The OpenTelemetry Collector's published per-core trace figures, for the
 * gateway rows. Source: the Collector's load tests (opentelemetry-collector-contrib
 * testbed), whose results are published at
 * https://open-telemetry.github.io/opentelemetry-collector-contrib/benchmarks/loadtests/
 * from docs/benchmarks/loadtests/data.js of that repository; the entry read is
 * the one for commit e4c3003 (2023-07-06). `cpuPercent` is the mean CPU of the
 * collector process, 100 % being one core, while it carried 10 000 spans/s.
 */
export const COLLECTOR_REFERENCE = {
  source: 'https://open-telemetry.github.io/opentelemetry-collector-contrib/benchmarks/loadtests/',
  data: 'open-telemetry/opentelemetry-collector-contrib, docs/benchmarks/loadtests/data.js, entry of commit e4c3003 (2023-07-06)',
  spansPerSec: 10_000,
  tests: {
    none: { test: 'Trace10kSPS/OTLP-HTTP', cpuPercent: 5.4 },
    gzip: { test: 'Trace10kSPS/OTLP-HTTP-gzip', cpuPercent: 8.27 },
  },
};

/** Spans per CPU-second the Collector's published figure implies for a scenario, or undefined. */
export function collectorSpansPerCpuSec(scenario) {
  const test = COLLECTOR_REFERENCE.tests[scenario];
  return test === undefined ? undefined : COLLECTOR_REFERENCE.spansPerSec / (test.cpuPercent / 100);
}

const isNum = (x) => typeof x === 'number' && Number.isFinite(x);

/** 1234567 → "1 234 567" (spaces as thousands separators, as the README writes numbers). */
export function grouped(x, digits = 0) {
  if (!isNum(x)) return 'n/a';
  const [int, frac] = Math.abs(x).toFixed(digits).split('.');
  const body = int.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return `${x < 0 ? '−' : ''}${body}${frac === undefined ? '' : `.${frac}`}`;
}

/** Spans per second: "7.13 M" from a million up, "198 000" (3 significant digits) below. */
export function rate(x) {
  if (!isNum(x)) return 'n/a';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(x, 1))) - 2);
  return grouped(Math.round(x / magnitude) * magnitude);
}

/** A goal's threshold: "1 M" for whole millions, else grouped digits. */
export function goalRate(x) {
  if (!isNum(x)) return 'n/a';
  return x >= 1e6 && x % 1e6 === 0 ? `${x / 1e6} M` : grouped(x);
}

const fixed = (x, digits) => (isNum(x) ? x.toFixed(digits) : 'n/a');
const signed = (x, digits) => (isNum(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}` : 'n/a');
const kb = (bytes) => (isNum(bytes) ? `${(bytes / 1024).toFixed(1)} KB` : 'n/a');
const met = (pass) => (pass === true ? 'yes' : pass === false ? '**no**' : '—');

function machineLine(name, result, quick) {
  const m = result?.machine;
  if (m === undefined) return undefined;
  const date = typeof m.date === 'string' ? `${m.date.slice(0, 10)} ${m.date.slice(11, 16)} UTC` : 'date unknown';
  return { key: `${m.cpuModel ?? 'unknown CPU'}, ${m.cores ?? '?'} cores${m.allowedCpus ? ` (CPUs ${m.allowedCpus} allowed)` : ''}, ${m.totalMemoryMb ? `${(m.totalMemoryMb / 1024).toFixed(1)} GB, ` : ''}Node ${m.node ?? '?'}, ${m.platform ?? ''}`.trim(), run: `${name} ${date}${quick ? ' (quick mode)' : ''}` };
}

function agentRows(r) {
  if (r === undefined) return [['agent (`bench:agent`)', 'not run', '', '']];
  const { ratios = {}, medians = {}, goals = {}, pass = {}, parameters = {} } = r;
  const b = medians.b ?? {};
  const c = medians.c ?? {};
  const runs = `${parameters.rounds ?? '?'} rounds × ${parameters.durationSec ?? '?'} s, ${parameters.connections ?? '?'} connections`;
  return [
    [
      `agent: throughput, slowatch ÷ plain OpenTelemetry¹ (ratio of median req/s; ${runs})`,
      `${fixed(ratios.throughputCOverB, 3)} (${fixed(c.reqPerSec, 0)} vs ${fixed(b.reqPerSec, 0)} req/s; CPU per request ×${fixed(ratios.cpuPerRequestCOverB, 3)})`,
      isNum(goals.throughputRatioMin) ? `≥ ${goals.throughputRatioMin}` : '—',
      met(pass.throughput),
    ],
    [
      'agent: extra RSS over plain OpenTelemetry¹ (median after the run)',
      `${signed(ratios.extraRssMbCMinusB, 1)} MB (${signed(ratios.extraPeakRssMbCMinusB, 1)} MB at peak)`,
      isNum(goals.extraRssMbMax) ? `≤ ${goals.extraRssMbMax} MB` : '—',
      met(pass.rss),
    ],
    ['agent: p99 latency, slowatch vs plain OpenTelemetry¹', `${fixed(c.p99Ms, 0)} ms vs ${fixed(b.p99Ms, 0)} ms`, '—', '—'],
    [
      'agent: throughput against no instrumentation (context: what OpenTelemetry itself costs)',
      `plain OpenTelemetry ${fixed(ratios.throughputBOverA, 3)}, slowatch ${fixed(ratios.throughputCOverA, 3)}`,
      '—',
      '—',
    ],
  ];
}

function processorRows(r) {
  if (r === undefined) return [['processors (`bench:processors`)', 'not run', '', '']];
  const goals = r.goals ?? {};
  const pass = r.pass ?? {};
  const rows = [];
  const labels = { default: 'processor: SLO, default objectives', 'group-by-100': 'processor: SLO, group_by http.route over 100 routes' };
  for (const s of r.scenarios ?? []) {
    rows.push([
      `${labels[s.name] ?? `processor: SLO, ${s.name}`} (${s.series ?? '?'} series)`,
      `${rate(s.spansPerSec)} spans/s (${fixed(s.nsPerSpan, 0)} ns/span)`,
      isNum(goals.spansPerSecMin) ? `≥ ${goalRate(goals.spansPerSecMin)} spans/s` : '—',
      met(pass[s.name]),
    ]);
  }
  if (r.memory !== undefined) rows.push(['memory per SLO series (30-day window)', kb(r.memory.bytesPerSeries), '—', '—']);
  const baseline = r.baseline ?? {};
  if (baseline.scenario !== undefined) {
    rows.push([
      `processor: baseline + anomaly, agent path (${baseline.scenario.keys ?? '?'} keys)`,
      `${rate(baseline.scenario.spansPerSec)} spans/s (${fixed(baseline.scenario.nsPerSpan, 0)} ns/span, ${fixed(baseline.scenario.bytesAllocatedPerSpan, 0)} B allocated/span)`,
      isNum(goals.baselineSpansPerSecMin) ? `≥ ${goalRate(goals.baselineSpansPerSecMin)} spans/s` : '—',
      met(pass['baseline-anomaly']),
    ]);
  }
  if (baseline.otlpScenario !== undefined) {
    rows.push(['processor: baseline + anomaly, gateway path (decoded OTLP, every span enriched)', `${rate(baseline.otlpScenario.spansPerSec)} spans/s`, '—', '—']);
  }
  if (baseline.memory !== undefined) {
    rows.push([
      'memory per baseline key',
      `${kb(baseline.memory.bytesPerKey)} (${kb(baseline.memory.bytesPerKeyBetweenIntervals)} after a roll-up)`,
      isNum(goals.baselineBytesPerKeyMax) ? `≤ ${goals.baselineBytesPerKeyMax / 1024} KB` : '—',
      met(pass['baseline-bytes-per-key']),
    ]);
    rows.push([`roll-up of ${grouped(baseline.memory.keys)} baseline keys (on its timer, never in a span callback)`, `${fixed(baseline.memory.rollUpMs, 1)} ms`, '—', '—']);
  }
  const recommend = r.recommend ?? {};
  const recommendRows = [
    ['parameterizedScenario', 'recommend-parameterized', 'processor: recommend, agent path (statements with bind parameters, as `pg` sends them)'],
    ['scenario', 'recommend', 'processor: recommend, agent path, every statement with distinct literals (worst case)'],
    ['otlpScenario', 'recommend-otlp', 'processor: recommend, gateway path (decoded OTLP)'],
  ];
  for (const [key, name, label] of recommendRows) {
    const s = recommend[key];
    if (s === undefined) continue;
    const ratio = recommend.ratioToGoal?.[name];
    rows.push([label, `${rate(s.spansPerSec)} spans/s${isNum(ratio) ? ` (${ratio.toFixed(2)}× the goal)` : ''}`, isNum(goals.recommendSpansPerSecMin) ? `≥ ${goalRate(goals.recommendSpansPerSecMin)} spans/s` : '—', met(pass[name])]);
  }
  const memory = recommend.memory;
  if (memory?.agent !== undefined && memory?.gateway !== undefined) {
    rows.push([
      `memory with the recommend trace buffer full (${grouped(memory.agent.spansBuffered)} spans)`,
      `${fixed(memory.agent.bufferFullMb, 0)} MB agent (${fixed(memory.agent.bytesPerBufferedSpan, 0)} B/span), ${fixed(memory.gateway.bufferFullMb, 0)} MB gateway (${fixed(memory.gateway.bytesPerBufferedSpan, 0)} B/span)`,
      '—',
      '—',
    ]);
  }
  return rows;
}

function gatewayRows(r) {
  if (r === undefined) return [['gateway (`bench:gateway`)', 'not run', '', '']];
  const goals = r.goals ?? {};
  const p = r.parameters ?? {};
  const rows = [];
  const scenarios = Object.keys(r.medians ?? {});
  const goal = isNum(goals.spansPerCpuSecMin) ? `≥ ${grouped(goals.spansPerCpuSecMin)}${isNum(goals.spansPerCpuSecStretch) ? `; stretch ${grouped(goals.spansPerCpuSecStretch)}` : ''}` : '—';
  for (const s of scenarios) {
    const m = r.medians[s];
    const pass = r.pass?.[s];
    rows.push([
      `gateway: spans per CPU-second, OTLP/HTTP in → ${p.processors ?? 'slo'} → OTLP/HTTP out, \`compression: ${s}\` (${p.rate ?? '?'} req/s of ${p.spansPerRequest ?? '?'} spans, ${p.rounds ?? '?'} × ${p.durationSec ?? '?'} s)`,
      rate(m.spansPerCpuSec),
      goal,
      pass === undefined ? '—' : `${met(pass.goal)}${pass.stretch === true ? ' (stretch too)' : ''}`,
    ]);
  }
  for (const s of scenarios) {
    const collector = collectorSpansPerCpuSec(s);
    if (collector === undefined || !isNum(r.medians[s].spansPerCpuSec)) continue;
    rows.push([
      `gateway ÷ OpenTelemetry Collector² (${COLLECTOR_REFERENCE.tests[s].test}), per CPU-second`,
      `${(r.medians[s].spansPerCpuSec / collector).toFixed(2)}× (${rate(r.medians[s].spansPerCpuSec)} vs ≈ ${rate(collector)})`,
      '—',
      '—',
    ]);
  }
  const first = r.medians?.[scenarios[0]];
  if (first !== undefined) rows.push([`gateway: RSS at that load (\`compression: ${scenarios[0]}\`)`, `${fixed(first.rssAfterMb, 0)} MB after, ${fixed(first.peakRssMb, 0)} MB peak`, '—', '—']);
  return rows;
}

function codecRows(r) {
  if (r === undefined) return [['OTLP codec (`bench/otlp-codec.bench.mjs`)', 'not run', '', '']];
  const results = r.results ?? {};
  const roundTrip = results['protobuf decode+encode'];
  const rows = [];
  if (roundTrip !== undefined) rows.push([`OTLP codec: protobuf decode + encode (${r.batch?.spans ?? '?'} spans × ${r.batch?.attributesPerSpan ?? '?'} attributes per batch)`, `${rate(roundTrip.spansPerCpuSec)} spans per CPU-second`, '—', '—']);
  if (results['protobuf decode'] !== undefined) rows.push(['OTLP codec: protobuf decode alone', `${rate(results['protobuf decode'].spansPerCpuSec)} spans per CPU-second`, '—', '—']);
  return rows;
}

function reportRows(r) {
  if (r === undefined) return [['SLO reports and pages (`bench/report.bench.mjs`)', 'not run', '', '']];
  const rows = [];
  const large = r.inProcess?.large;
  const days = r.parameters?.largeDays ?? r.stores?.large?.days;
  if (large?.readAndBuild !== undefined) {
    rows.push([`report: read + build a ${days ?? '?'}-day SLO report from a large store (${grouped(r.stores?.large?.sloRollupRows)} rollup rows, ${grouped(r.stores?.large?.events)} events)`, `${fixed(large.readAndBuild.medianMs, 0)} ms median (HTML render ${fixed(large.renderHtml?.medianMs, 0)} ms)`, '—', '—']);
  }
  if (r.cli?.large !== undefined) rows.push(['report: `slowatch report --format html` on the large store, whole process', `${fixed(r.cli.large.medianMs, 0)} ms (start-up alone ${fixed(r.cli.startupFloor?.medianMs, 0)} ms)`, '—', '—']);
  for (const e of r.pages?.endpoints ?? []) {
    if (e.large === undefined) continue;
    rows.push([`report pages: ${e.endpoint}, large store`, `p50 ${fixed(e.large.p50Ms, 0)} ms, p99 ${fixed(e.large.p99Ms, 0)} ms`, '—', '—']);
  }
  return rows;
}

function soakRows(r) {
  if (r === undefined) return [['soak (`npm run soak`)', 'not run', '', '']];
  const p = r.parameters ?? {};
  const rows = [];
  for (const [name, label] of [['app', 'the agent (example shop)'], ['gateway', 'the gateway (storage on)']]) {
    const proc = r.processes?.[name];
    if (proc === undefined) continue;
    const v = proc.rssVerdict ?? {};
    rows.push([
      `soak, ${label}: ${p.forcedGc === true ? 'RSS after a full GC' : 'RSS'}, trend after warm-up (${Math.round((p.durationSec ?? 0) / 60 * 10) / 10} min at ${p.rate ?? '?'} req/s)`,
      `${v.verdict ?? 'n/a'}: ${signed(v.slopePerMin, 2)} MB/min [${signed(v.slopePerMinLower, 2)}, ${signed(v.slopePerMinUpper, 2)}], RSS ≈ ${fixed(proc.afterWarmup?.rssMbMedian, 0)} MB; event-loop delay p99 ${fixed(proc.afterWarmup?.eventLoopDelayP99MsMedian, 1)} ms`,
      `upper bound × run < ${fixed(v.tolerance, 1)} MB³`,
      met(v.pass),
    ]);
  }
  return rows;
}

const escapeCell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * The Markdown between the README's markers.
 * @param {Record<string, any>} results parsed result files by benchmark name:
 *   agent, processors, gateway, otlp-codec, report, soak, and run-all (what
 *   bench/run-all.mjs ran, to flag quick-mode figures); any may be missing.
 */
export function renderBenchTable(results) {
  const runAll = results['run-all'];
  const quick = (name, result) =>
    (runAll?.runs ?? []).some((run) => run.name === name && run.quick === true && run.resultDate !== undefined && run.resultDate === result?.machine?.date);
  const names = ['agent', 'processors', 'gateway', 'otlp-codec', 'report', 'soak'];
  const machines = new Map();
  for (const name of names) {
    const line = machineLine(name, results[name], quick(name, results[name]));
    if (line === undefined) continue;
    machines.set(line.key, [...(machines.get(line.key) ?? []), line.run]);
  }
  const rows = [
    ...agentRows(results.agent),
    ...processorRows(results.processors),
    ...gatewayRows(results.gateway),
    ...codecRows(results['otlp-codec']),
    ...reportRows(results.report),
    ...soakRows(results.soak),
  ];
  const lines = [];
  lines.push('Generated by `npm run bench` (`node bench/run-all.mjs --table-only` rebuilds it from `bench/results/`); do not edit by hand.');
  lines.push('');
  if (machines.size === 0) lines.push('No results yet.');
  for (const [key, runs] of machines) lines.push(`- Measured on ${key}: ${runs.join('; ')}.`);
  lines.push('');
  lines.push('| figure | measured | goal | met |');
  lines.push('| --- | --- | --- | --- |');
  for (const row of rows) lines.push(`| ${row.map(escapeCell).join(' | ')} |`);
  lines.push('');
  const gatewayRefs = Object.values(COLLECTOR_REFERENCE.tests)
    .map((t) => `${t.test}: ${t.cpuPercent} % of a core for ${grouped(COLLECTOR_REFERENCE.spansPerSec)} spans/s, ≈ ${rate(COLLECTOR_REFERENCE.spansPerSec / (t.cpuPercent / 100))} spans per CPU-second`)
    .join('; ');
  lines.push(
    '¹ Plain OpenTelemetry is `bench/otel-plain-register.cjs`: the same NodeSDK, auto-instrumentations, runtime metrics and Prometheus exporter as the agent, without slowatch\'s processors (bench/README.md).',
  );
  lines.push('');
  lines.push(
    `² The OpenTelemetry Collector's load tests (opentelemetry-collector-contrib testbed, published at <${COLLECTOR_REFERENCE.source}>; figures from ${COLLECTOR_REFERENCE.data}): ${gatewayRefs}. Different program, machine (a CI runner), span shapes and load generator: an order of magnitude, not a side-by-side comparison.`,
  );
  lines.push('');
  lines.push(
    `³ Soak verdict (bench/lib/soak-trend.mjs): least-squares slope of RSS${results.soak?.parameters?.forcedGc === true ? ' (read right after a forced full GC, every sample)' : ''} over the second half of the post-warm-up samples with its 95 % interval; it passes when the interval's upper bound, sustained over the run, stays under max(${r0(results.soak?.parameters?.tolerancePercent, 5)} % of the mean RSS, ${r0(results.soak?.parameters?.toleranceMb, 5)} MB).`,
  );
  lines.push('');
  lines.push('Figures are only comparable side by side, from one run on one machine; quick-mode figures are smoke tests, not measurements.');
  return lines.join('\n');
}

function r0(x, fallback) {
  return isNum(x) ? x : fallback;
}

/**
 * `readme` with the text between the markers replaced by `table` (markers
 * kept, one blank line inside each). Throws when the markers are missing or
 * out of order, so a README without them is never silently left stale.
 */
export function replaceBetweenMarkers(readme, table) {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end === -1 || end < start) throw new Error(`README has no ${TABLE_START} … ${TABLE_END} markers (in that order)`);
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

/** The text between the markers (trimmed), or undefined without markers. */
export function tableBetweenMarkers(readme) {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end === -1 || end < start) return undefined;
  return readme.slice(start + TABLE_START.length, end).trim();
}
