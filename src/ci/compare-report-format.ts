import type { CompareReport, MetricComparison } from './compare-samples';

/** The two files a report compares, as the user named them. */
export interface CompareFiles {
  readonly baseline: string;
  readonly current: string;
}

const TABLE_COLUMNS = [
  'metric',
  'n base',
  'n cur',
  'mean base',
  'mean cur',
  'median base',
  'median cur',
  'change',
  'p-value',
  'effect',
  'class',
  'verdict',
] as const;

/**
 * A plain-text table, one row per compared metric, then the skipped
 * metrics and a summary line:
 *
 *   metric      n base  n cur  mean base  mean cur  …  change   p-value  effect  class  verdict
 *   latency_ms      30     30      99.26     127.7  …  +28.63%  3.3e-11   1.286  High   regression
 *
 * Text columns are left-aligned, numbers right-aligned; `n/a` stands for
 * what cannot be computed (a mean of 0, an empty sample).
 */
export function formatCompareTable(report: CompareReport): string {
  const rows = report.comparisons.map(tableRow);
  const widths = TABLE_COLUMNS.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] as string).length)));
  const leftAligned = new Set([0, 10, 11]);
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (leftAligned.has(column) ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number)))
      .join('  ')
      .trimEnd();
  const lines = report.comparisons.length > 0 ? [render(TABLE_COLUMNS), ...rows.map(render)] : [];
  if (report.onlyInBaseline.length > 0) lines.push(`skipped, only in the baseline: ${report.onlyInBaseline.join(', ')}`);
  if (report.onlyInCurrent.length > 0) lines.push(`skipped, only in the current: ${report.onlyInCurrent.join(', ')}`);
  lines.push(summaryLine(report));
  return `${lines.join('\n')}\n`;
}

/** The report as one JSON document; numbers that cannot be computed are null. */
export function formatCompareJson(report: CompareReport, files: CompareFiles): string {
  const document = {
    baseline: files.baseline,
    current: files.current,
    better: report.better,
    tolerance: report.tolerance,
    confidenceLevel: report.confidenceLevel,
    metrics: report.comparisons.map((comparison) => ({
      metric: comparison.metric,
      baseline: comparison.baseline,
      current: comparison.current,
      changePercent: comparison.changePercent,
      pValue: comparison.result.pValue,
      effectSize: comparison.result.effectSize,
      confidenceInterval: comparison.result.confidenceInterval,
      estimate: comparison.result.estimate,
      classification: comparison.result.classification,
      verdict: comparison.verdict,
      ...(comparison.result.reason === undefined ? {} : { reason: comparison.result.reason }),
    })),
    skipped: [
      ...report.onlyInBaseline.map((metric) => ({ metric, onlyIn: 'baseline' })),
      ...report.onlyInCurrent.map((metric) => ({ metric, onlyIn: 'current' })),
    ],
    regressions: report.regressions,
    improvements: report.improvements,
  };
  // JSON.stringify writes NaN as null.
  return `${JSON.stringify(document, null, 2)}\n`;
}

function tableRow(comparison: MetricComparison): string[] {
  const { baseline, current, result } = comparison;
  return [
    comparison.metric,
    String(baseline.count),
    String(current.count),
    formatQuantity(baseline.mean),
    formatQuantity(current.mean),
    formatQuantity(baseline.median),
    formatQuantity(current.median),
    formatChange(comparison.changePercent),
    formatPValue(result.pValue),
    formatQuantity(result.effectSize),
    result.classification,
    comparison.verdict,
  ];
}

function summaryLine(report: CompareReport): string {
  const compared = report.comparisons.length;
  const noData = report.comparisons.filter((c) => c.verdict === 'no data').length;
  const ok = compared - report.regressions - report.improvements - noData;
  const parts = [
    `${report.regressions} regression${report.regressions === 1 ? '' : 's'}`,
    `${report.improvements} improvement${report.improvements === 1 ? '' : 's'}`,
    `${ok} ok`,
    ...(noData > 0 ? [`${noData} without data`] : []),
  ];
  return (
    `${parts.join(', ')} (${compared} metric${compared === 1 ? '' : 's'} compared; ${report.better} is better; ` +
    `Mann-Whitney, tolerance ${report.tolerance}, confidence ${Number((report.confidenceLevel * 100).toPrecision(6))}%)`
  );
}

/** Four significant digits, exponent notation outside 0.001 … 1e6. */
export function formatQuantity(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)) return value.toExponential(3);
  return value.toPrecision(4);
}

function formatChange(percent: number): string {
  if (!Number.isFinite(percent)) return 'n/a';
  const rounded = percent.toFixed(2);
  return `${percent > 0 && rounded !== '0.00' ? '+' : ''}${rounded === '-0.00' ? '0.00' : rounded}%`;
}

function formatPValue(pValue: number): string {
  if (!Number.isFinite(pValue)) return 'n/a';
  return pValue < 1e-3 ? pValue.toExponential(1) : pValue.toFixed(3);
}
