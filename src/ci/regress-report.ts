import type { BenchmarkHistory, HistoryPoint } from './history';
import { formatTimestamp } from './history-time';
import type { BetterDirection, MetricChange, RegressAnalysis } from './regress-analysis';

/** The settings a report states, as the user gave them. */
export interface RegressSettings {
  readonly windowLength: number;
  readonly maxPValue: number;
  readonly minMagnitude: number;
  /** Better direction for metrics not in `directions`. */
  readonly direction: BetterDirection;
  /** Per-metric exceptions. */
  readonly directions: ReadonlyMap<string, BetterDirection>;
}

export interface RegressReportInput {
  readonly files: readonly string[];
  readonly history: BenchmarkHistory;
  readonly analysis: RegressAnalysis;
  readonly settings: RegressSettings;
}

/** The `--json` document: stable keys, null for what a point does not have. */
export interface RegressJsonReport {
  readonly files: readonly string[];
  readonly points: number;
  readonly settings: {
    readonly window: number;
    readonly pValue: number;
    readonly magnitude: number;
    readonly direction: BetterDirection;
    readonly directions: Readonly<Record<string, BetterDirection>>;
  };
  readonly metrics: readonly {
    readonly metric: string;
    readonly direction: BetterDirection;
    readonly values: number;
    readonly changePoints: readonly JsonChange[];
  }[];
  /** True when the newest change point of some metric is a regression (what --fail-on-regression fails on). */
  readonly regression: boolean;
  readonly newestRegressions: readonly JsonChange[];
}

export interface JsonChange {
  readonly metric: string;
  readonly index: number;
  readonly time: string | null;
  readonly timestamp: string | null;
  readonly commit: string | null;
  readonly version: string | null;
  readonly file: string;
  readonly meanBefore: number;
  readonly meanAfter: number;
  readonly changePercent: number;
  readonly pValue: number;
  readonly verdict: MetricChange['verdict'];
}

export function regressJsonReport(input: RegressReportInput): RegressJsonReport {
  const { settings } = input;
  return {
    files: input.files,
    points: input.history.points.length,
    settings: {
      window: settings.windowLength,
      pValue: settings.maxPValue,
      magnitude: settings.minMagnitude,
      direction: settings.direction,
      directions: Object.fromEntries(settings.directions),
    },
    metrics: input.analysis.metrics.map((metric) => ({
      metric: metric.metric,
      direction: metric.direction,
      values: metric.values,
      changePoints: metric.changes.map(jsonChange),
    })),
    regression: input.analysis.newestRegressions.length > 0,
    newestRegressions: input.analysis.newestRegressions.map(jsonChange),
  };
}

function jsonChange(change: MetricChange): JsonChange {
  const { point } = change;
  return {
    metric: change.metric,
    index: change.index,
    time: point.time ?? null,
    timestamp: point.timestampMs === undefined ? null : formatTimestamp(point.timestampMs),
    commit: point.commit ?? null,
    version: point.version ?? null,
    file: point.file,
    meanBefore: change.meanBefore,
    meanAfter: change.meanAfter,
    changePercent: change.changePercent,
    pValue: change.pValue,
    verdict: change.verdict,
  };
}

/**
 * The human report: a settings line, a table of every change point (oldest
 * first within each metric), one line per metric without change points, and
 * a closing verdict on the newest change points. Columns a history has no
 * data for (time, commit, version, file) are left out.
 */
export function formatRegressReport(input: RegressReportInput): string {
  const { history, analysis, settings } = input;
  const lines: string[] = [];
  const metricCount = analysis.metrics.length;
  lines.push(
    `${input.files.join(', ')}: ${plural(history.points.length, 'point')}, ${plural(metricCount, 'metric')}; ` +
      `window ${settings.windowLength}, p-value < ${settings.maxPValue}, magnitude > ${settings.minMagnitude}, ${describeDirections(settings)}`,
  );
  const changes = analysis.metrics.flatMap((metric) => metric.changes);
  if (changes.length > 0) {
    lines.push('');
    const points = changes.map((change) => change.point);
    const columns: Column[] = [
      { title: 'metric', cell: (change) => change.metric },
      { title: 'index', cell: (change) => String(change.index), right: true },
    ];
    if (points.some((point) => point.time !== undefined)) {
      columns.push({
        title: 'time',
        cell: (change) => (change.point.timestampMs === undefined ? (change.point.time ?? '') : formatTimestamp(change.point.timestampMs)),
      });
    }
    if (points.some((point) => point.commit !== undefined)) columns.push({ title: 'commit', cell: (change) => change.point.commit ?? '' });
    if (points.some((point) => point.version !== undefined)) columns.push({ title: 'version', cell: (change) => change.point.version ?? '' });
    if (new Set(history.points.map((point) => point.file)).size > 1) columns.push({ title: 'file', cell: (change) => change.point.file });
    columns.push(
      { title: 'mean before', cell: (change) => formatNumber(change.meanBefore), right: true },
      { title: 'mean after', cell: (change) => formatNumber(change.meanAfter), right: true },
      { title: 'change', cell: (change) => formatChange(change), right: true },
      { title: 'p-value', cell: (change) => formatPValue(change.pValue), right: true },
      { title: 'verdict', cell: (change) => change.verdict },
    );
    lines.push(...formatTable(columns, changes));
  }
  const quiet = analysis.metrics.filter((metric) => metric.changes.length === 0);
  if (quiet.length > 0) {
    lines.push('');
    for (const metric of quiet) lines.push(`${metric.metric}: no change point in ${plural(metric.values, 'value')}`);
  }
  lines.push('');
  if (analysis.newestRegressions.length === 0) {
    lines.push(changes.length === 0 ? 'no change point: no regression' : 'no regression at the newest change point of any metric');
  } else {
    lines.push(`regression at the newest change point of ${analysis.newestRegressions.map(describeChange).join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `metric2 (+12.94% at index 6, commit aaa6)`. */
export function describeChange(change: MetricChange): string {
  const label = pointLabel(change.point);
  return `${change.metric} (${formatChange(change)} at index ${change.index}${label === undefined ? '' : `, ${label}`})`;
}

/** `commit aaa6`, `version 1.2.0`, or the file of a hyperfine run. */
function pointLabel(point: HistoryPoint): string | undefined {
  if (point.commit !== undefined) return `commit ${point.commit}`;
  if (point.version !== undefined) return `version ${point.version}`;
  if (point.location === '') return point.file;
  return undefined;
}

interface Column {
  readonly title: string;
  readonly cell: (change: MetricChange) => string;
  readonly right?: boolean;
}

function formatTable(columns: readonly Column[], changes: readonly MetricChange[]): string[] {
  const rows = [columns.map((column) => column.title), ...changes.map((change) => columns.map((column) => column.cell(change)))];
  const widths = columns.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (columns[i]?.right === true ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** Six significant digits, without trailing zeros; exponent form for very large or small values. */
export function formatNumber(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e9 || magnitude < 1e-4) return value.toExponential(3);
  return String(Number(value.toPrecision(6)));
}

/** `+12.94%`, `-3.10%`, or `n/a` when the mean before is 0 (no ratio). */
function formatChange(change: MetricChange): string {
  if (change.meanBefore === 0) return 'n/a';
  const percent = change.changePercent;
  return `${percent > 0 ? '+' : ''}${percent.toFixed(2)}%`;
}

/** `0.0123` down to 1e-4, then `4.99e-6`. */
export function formatPValue(pValue: number): string {
  if (pValue === 0) return '0';
  if (!Number.isFinite(pValue)) return String(pValue);
  return pValue >= 1e-4 ? String(Number(pValue.toPrecision(3))) : pValue.toExponential(2);
}

/** `lower is better` or `lower is better (higher: throughput, hits)`. */
function describeDirections(settings: RegressSettings): string {
  const exceptions = [...settings.directions].filter(([, direction]) => direction !== settings.direction).map(([metric]) => metric);
  const other = settings.direction === 'lower' ? 'higher' : 'lower';
  return `${settings.direction} is better${exceptions.length === 0 ? '' : ` (${other}: ${exceptions.join(', ')})`}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
