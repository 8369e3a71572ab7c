#!/usr/bin/env node
// `npm run bench` — every benchmark in turn, then the README's performance
// table regenerated from bench/results/*.json (bench/lib/bench-table.mjs).
//
// Runs, each as its own process against dist/ (build first), in this order:
//   agent       bench/agent.bench.mjs                                  → agent.json
//   processors  bench/processors.bench.mjs                             → processors.json
//   gateway     bench/gateway.bench.mjs                                → gateway.json
//   otlp-codec  bench/otlp-codec.bench.mjs --out …/otlp-codec.json      → otlp-codec.json
//   report      bench/report.bench.mjs                                 → report.json
//   soak        bench/soak.mjs --minutes 3                             → soak.json
// A benchmark that fails (non-zero exit) is reported and the others still
// run; its row in the table keeps the previous result file's figures (with
// that file's date in the machine line) or says "not run". What ran is
// written to bench/results/run-all.json (name, arguments, exit code,
// seconds, quick or not, and the result file's date after the run: the table
// flags quick-mode figures by that date).
//
// --quick: fewer rounds and shorter runs everywhere (about 6 minutes instead
// of about 20 on 2 cores); the table says which figures came from it.
// --only a,b: run only those benchmarks (the table still shows every result).
// --table-only: run nothing, just regenerate the table from the results.
// --results DIR (bench/results), --readme FILE (README.md), --print (write the
// table to stdout instead of the README).
// Exits 1 when a benchmark failed or the README has no markers; 0 otherwise
// (a benchmark reports, it does not gate: goals missed are in the table).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderBenchTable, replaceBetweenMarkers } from './lib/bench-table.mjs';
import { writeReport } from './lib/report.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(benchDir, '..');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'table-only': { type: 'boolean', default: false },
    results: { type: 'string', default: path.join(benchDir, 'results') },
    readme: { type: 'string', default: path.join(repoRoot, 'README.md') },
    print: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write('usage: node bench/run-all.mjs [--quick] [--only agent,processors,gateway,otlp-codec,report,soak] [--table-only] [--results DIR] [--readme FILE] [--print]\n');
  process.exit(0);
}

const resultsDir = path.resolve(args.results);

/** What each benchmark is run with; `quick` replaces the defaults in --quick mode. */
const BENCHMARKS = [
  { name: 'agent', script: 'agent.bench.mjs', args: [], quick: ['--rounds', '3', '--duration', '5'] },
  { name: 'processors', script: 'processors.bench.mjs', args: [], quick: ['--batches', '3', '--batch-spans', '500000', '--warmup-spans', '300000', '--recommend-batch-spans', '50000', '--recommend-warmup-spans', '30000'] },
  { name: 'gateway', script: 'gateway.bench.mjs', args: [], quick: ['--rounds', '1', '--duration', '8'] },
  { name: 'otlp-codec', script: 'otlp-codec.bench.mjs', args: [], quick: ['--rounds', '3', '--min-ms', '150'], out: true },
  { name: 'report', script: 'report.bench.mjs', args: [], quick: ['--runs', '5', '--cli-runs', '2', '--duration', '2'] },
  { name: 'soak', script: 'soak.mjs', args: ['--minutes', '3'], quick: ['--seconds', '60'] },
];

/** Every result file in `dir` that the table reads, parsed; missing or unreadable ones are left out. */
function readResults(dir) {
  const results = {};
  for (const name of [...BENCHMARKS.map((b) => b.name), 'run-all']) {
    const file = path.join(dir, `${name}.json`);
    if (!existsSync(file)) continue;
    try {
      results[name] = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      process.stderr.write(`${file}: unreadable (${error.message}), left out of the table\n`);
    }
  }
  return results;
}

function resultDate(name) {
  const file = path.join(resultsDir, `${name}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')).machine?.date;
  } catch {
    return undefined;
  }
}

let failed = false;
if (!args['table-only']) {
  const only = args.only === undefined ? undefined : new Set(args.only.split(',').map((s) => s.trim()));
  if (only !== undefined) {
    const unknown = [...only].filter((n) => !BENCHMARKS.some((b) => b.name === n));
    if (unknown.length > 0) {
      process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}\n`);
      process.exit(2);
    }
  }
  const previous = readResults(resultsDir)['run-all'];
  const runs = [];
  const started = Date.now();
  for (const bench of BENCHMARKS) {
    if (only !== undefined && !only.has(bench.name)) continue;
    const out = path.join(resultsDir, `${bench.name}.json`);
    const benchArgs = [...(args.quick ? bench.quick : bench.args), ...(bench.out || resultsDir !== path.join(benchDir, 'results') ? ['--out', out] : [])];
    process.stdout.write(`\n=== ${bench.name}: node bench/${bench.script} ${benchArgs.join(' ')}\n`);
    const t0 = Date.now();
    const run = spawnSync(process.execPath, [path.join(benchDir, bench.script), ...benchArgs], { cwd: repoRoot, stdio: 'inherit' });
    const seconds = Math.round((Date.now() - t0) / 100) / 10;
    const exitCode = run.status ?? (run.signal ? `signal ${run.signal}` : 'unknown');
    if (exitCode !== 0) {
      failed = true;
      process.stderr.write(`${bench.name} failed (exit ${exitCode}) after ${seconds} s\n`);
    }
    runs.push({ name: bench.name, args: benchArgs.map((a) => (a === out ? path.relative(repoRoot, out) : a)), exitCode, seconds, quick: args.quick, resultDate: resultDate(bench.name) });
  }
  // Keep what earlier runs recorded about benchmarks this run did not run, so their quick flags survive.
  const kept = (previous?.runs ?? []).filter((r) => !runs.some((n) => n.name === r.name));
  writeReport(path.join(resultsDir, 'run-all.json'), { benchmark: 'run-all', lastRunSec: Math.round((Date.now() - started) / 1000), runs: [...kept, ...runs] });
}

const table = renderBenchTable(readResults(resultsDir));
if (args.print) {
  process.stdout.write(`${table}\n`);
} else {
  try {
    const readme = readFileSync(args.readme, 'utf8');
    const updated = replaceBetweenMarkers(readme, table);
    if (updated !== readme) writeFileSync(args.readme, updated);
    process.stdout.write(`${updated === readme ? 'unchanged' : 'updated'}: the table in ${path.relative(process.cwd(), args.readme)}\n`);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
process.exit(failed ? 1 : 0);
