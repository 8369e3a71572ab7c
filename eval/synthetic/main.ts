/**
 * `npm run eval:synthetic -- [--seed N] [--scale F]`
 *
 * Generates labelled latency series (latency-series.ts), runs slowatch's
 * anomaly detector on each with the options the baseline processor gives
 * latency_p99 by default (`detectorOptionsFor`; values in ms) and prints
 * detection rates by shift size, detection delays and false-positive rates.
 * `--scale` multiplies the number of series (1 = the figures in
 * docs/anomaly-detection.md).
 */
import { parseArgs } from 'node:util';
import type { DetectionStats } from './evaluate-synthetic';
import { DEFAULT_SYNTHETIC_CONFIG, runSyntheticEvaluation } from './evaluate-synthetic';

function percent(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

function row(s: DetectionStats): string {
  return `| ${s.label.padEnd(40)} | ${String(s.series).padStart(6)} | ${percent(s.rate).padStart(8)} | ${String(s.medianDelay).padStart(6)} | ${String(s.p90Delay).padStart(5)} |`;
}

function main(): void {
  const { values } = parseArgs({ options: { seed: { type: 'string' }, scale: { type: 'string' } } });
  const scale = values.scale === undefined ? 1 : Number(values.scale);
  const base = DEFAULT_SYNTHETIC_CONFIG;
  const config = {
    ...base,
    seed: values.seed === undefined ? base.seed : Number(values.seed),
    noChangeSeries: Math.round(base.noChangeSeries * scale),
    stepSeriesPerBucket: Math.round(base.stepSeriesPerBucket * scale),
    otherSeriesPerKind: Math.round(base.otherSeriesPerKind * scale),
  };
  const started = performance.now();
  const report = runSyntheticEvaluation(config);
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `synthetic latency series: 1-minute intervals, ${config.burnInDays} days of burn-in from cold start + 1 evaluated day; quantiles ${config.quantiles.join(', ')}; seed ${config.seed}; detector options ${JSON.stringify(config.detectorOptions)} (the baseline processor's latency_p99 defaults; values in ms); ${seconds.toFixed(1)} s`,
  );
  console.log('');
  console.log(`| ${'change'.padEnd(40)} | series | detected | median delay | p90 delay |`);
  console.log(`|${'-'.repeat(42)}|-------:|---------:|-------:|------:|`);
  for (const s of report.steps) console.log(row({ ...s, label: `sustained step ${s.label}` }));
  console.log(row({ ...report.stepsAtLeast20, label: 'sustained steps ≥ 20 % (acceptance)' }));
  console.log(row(report.deploys));
  console.log(row(report.drifts));
  console.log(row(report.spikes));
  console.log('');
  console.log(`delays in intervals (minutes) from the change's first interval to the first anomalous one; a step or deploy counts when detected within ${config.detectionHorizon} intervals, a drift within 180.`);
  console.log('');
  console.log(`no-change series: ${config.noChangeSeries}`);
  console.log(`  false-positive rate (series with ≥ 1 anomaly on the evaluated day): ${percent(report.falsePositiveSeriesRate)}`);
  console.log(`  anomalies opened per series-day: ${report.falsePositivesPerDay.toFixed(3)}; anomalous intervals: ${percent(report.falsePositiveIntervalRate)}`);
  console.log(
    `  series with an anomaly during the ${config.burnInDays}-day burn-in (cold start; the daily profile may be used from day 3): ${percent(report.burnInAlertSeriesRate)} (by day: ${report.burnInAlertSeriesRateByDay.map(percent).join(', ')})`,
  );
  for (const q of report.byQuantile) {
    console.log(`  p${Math.round(q.quantile * 100)}: false-positive rate ${percent(q.falsePositiveSeriesRate)}, steps ≥ 20 % detected ${percent(q.stepsAtLeast20Rate)}`);
  }
  const pass = report.stepsAtLeast20.rate >= 0.95 && report.falsePositiveSeriesRate <= 0.05;
  console.log('');
  console.log(`acceptance (TPR ≥ 95 % for steps ≥ 20 %, FPR ≤ 5 %): ${pass ? 'PASS' : 'FAIL'}`);
}

main();
