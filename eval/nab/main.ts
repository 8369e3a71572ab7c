/**
 * `npm run eval:nab -- [--data DIR] [--out DIR] [--options JSON]`
 *
 * Runs slowatch's anomaly detector (NAB preset, see nab-preset.ts) over every
 * file of the Numenta Anomaly Benchmark in streaming order, writes NAB result
 * files `OUT/<group>/<file>.csv` (timestamp,value,anomaly_score) when `--out`
 * is given, scores them with our own implementation of NAB's scoring
 * (nab-scorer.ts) on the three standard profiles, and prints the result
 * beside NAB's published scoreboard.
 *
 * `--options` merges a JSON object over the preset, for experiments only; the
 * reported figures use the preset.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AnomalyDetectorOptions } from '../../src/anomaly/anomaly-detector-options';
import { countLabelledWindows, loadNabCorpus, loadProfiles, loadPublishedScores } from './nab-corpus';
import { evaluateNab } from './evaluate-nab';
import { NAB_DETECTOR_OPTIONS } from './nab-preset';
import { detectSeries } from './run-detector';

const PROFILE_ORDER = ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate'];
const DETECTOR_NAME = 'slowatch';

function main(): void {
  const { values } = parseArgs({
    options: {
      data: { type: 'string', default: path.resolve(process.cwd(), '..', 'shared', 'anchors', 'nab') },
      out: { type: 'string' },
      options: { type: 'string' },
      'per-file': { type: 'boolean', default: false },
    },
  });
  const dataDir = path.resolve(values.data);
  const overrides = values.options === undefined ? {} : (JSON.parse(values.options) as AnomalyDetectorOptions);
  const options: AnomalyDetectorOptions = { ...NAB_DETECTOR_OPTIONS, ...overrides };

  const files = loadNabCorpus(dataDir);
  const profiles = loadProfiles(dataDir);
  const windows = countLabelledWindows(dataDir);
  const started = performance.now();
  const scores = new Map<string, Float64Array>();
  let points = 0;
  for (const file of files) {
    scores.set(file.key, detectSeries(file.timesMs, file.values, options));
    points += file.values.length;
  }
  const detectMs = performance.now() - started;

  if (values.out !== undefined) {
    const outDir = path.resolve(values.out);
    for (const file of files) {
      const s = scores.get(file.key) ?? new Float64Array(0);
      const lines = ['timestamp,value,anomaly_score'];
      for (let i = 0; i < file.values.length; i++) lines.push(`${file.timestampText[i]},${file.values[i]},${s[i]}`);
      mkdirSync(path.join(outDir, file.group), { recursive: true });
      writeFileSync(path.join(outDir, file.group, file.name), `${lines.join('\n')}\n`);
    }
  }

  const results = evaluateNab(files, scores, profiles, windows);
  const ours = new Map(results.map((r) => [r.profile, r]));
  console.log(`NAB: ${files.length} files, ${points} points, ${windows} windows; detector ran in ${(detectMs / 1000).toFixed(1)} s`);
  console.log(`options: ${JSON.stringify(options)}`);
  console.log('');
  for (const profile of PROFILE_ORDER) {
    const r = ours.get(profile);
    if (r === undefined) continue;
    const c = r.best.counts;
    console.log(
      `${profile.padEnd(20)} score ${r.normalized.toFixed(2).padStart(6)}  (raw ${r.raw.toFixed(3)}, null ${r.nullRaw}, perfect ${r.perfectRaw}, threshold ${r.threshold.toPrecision(6)}, windows detected ${r.best.detectedWindows}, TP ${c.tp} FP ${c.fp} FN ${c.fn} TN ${c.tn})`,
    );
  }
  if (values['per-file']) {
    const standard = ours.get('standard');
    if (standard !== undefined) {
      console.log('\nraw standard score per file at the chosen threshold:');
      for (const [key, score] of standard.perFile) console.log(`  ${score.toFixed(3).padStart(8)}  ${key}`);
    }
  }

  const published = loadPublishedScores(dataDir);
  const rows: [string, number, number, number][] = Object.entries(published).map(([name, p]) => [
    name,
    p.standard ?? Number.NaN,
    p.reward_low_FP_rate ?? Number.NaN,
    p.reward_low_FN_rate ?? Number.NaN,
  ]);
  rows.push([
    `${DETECTOR_NAME} (this run)`,
    ours.get('standard')?.normalized ?? Number.NaN,
    ours.get('reward_low_FP_rate')?.normalized ?? Number.NaN,
    ours.get('reward_low_FN_rate')?.normalized ?? Number.NaN,
  ]);
  rows.sort((a, b) => b[1] - a[1]);
  console.log('\nbeside the published scoreboard (results/final_results.json):');
  console.log(`| ${'detector'.padEnd(24)} | standard | low FP | low FN |`);
  console.log(`|${'-'.repeat(26)}|---------:|-------:|-------:|`);
  for (const [name, s, fp, fn] of rows) {
    console.log(`| ${name.padEnd(24)} | ${s.toFixed(1).padStart(8)} | ${fp.toFixed(1).padStart(6)} | ${fn.toFixed(1).padStart(6)} |`);
  }
}

main();
