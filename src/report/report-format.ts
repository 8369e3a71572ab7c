import type { SignalUnit } from '../baseline/baseline-signal';
import type { SliSpec } from '../slo/objective';
import type { ReportAnomaly, ReportRegression, SloReportStatus } from './slo-report';

/**
 * Fixed text forms of the report's figures, shared by the Markdown and HTML
 * renderers so both say the same thing. Deterministic: fixed digits, times
 * in UTC ISO 8601, no clock, no locale.
 */

/** `2024-05-01T12:00:00Z`: UTC ISO 8601, whole seconds (milliseconds shown only when present). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** `2024-05-01`: the UTC date. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** An objective as a percentage with no trailing zeros: 0.999 → `99.9%`, 0.9995 → `99.95%`. */
export function formatObjective(ratio: number): string {
  // Six decimals absorb binary noise (0.999 * 100 = 99.9000000001) before trimming.
  return `${(ratio * 100).toFixed(6).replace(/\.?0+$/, '')}%`;
}

/** A ratio as a percentage with a fixed number of decimals: 0.99953 → `99.953%`; `n/a` for null. */
export function formatPercent(ratio: number | null, digits: number): string {
  if (ratio === null) return 'n/a';
  // -0 would print as "-0.0%".
  const text = (ratio * 100).toFixed(digits);
  return `${/^-0(\.0+)?$/.test(text) ? text.slice(1) : text}%`;
}

/** A duration: `45s`, `12m`, `3h 20m`, `2d 4h`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours}h` : `${hours}h ${minutes % 60}m`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days}d` : `${days}d ${hours % 24}h`;
}

/** `availability` or `latency < 300 ms`. */
export function formatSli(sli: SliSpec): string {
  return sli.kind === 'availability' ? 'availability' : `latency < ${sli.thresholdMs} ms`;
}

export function formatStatus(status: SloReportStatus): string {
  return status === 'at-risk' ? 'at risk' : status;
}

/** A signal value in its unit: ms with 1 decimal, ratios with 4, throughput with 2; `none` for null. */
export function formatSignalValue(value: number | null, unit: SignalUnit): string {
  if (value === null) return 'none';
  switch (unit) {
    case 'ms':
      return `${value.toFixed(1)} ms`;
    case 'ratio':
      return value.toFixed(4);
    case 'spans/s':
      return `${value.toFixed(2)} spans/s`;
  }
}

/** `p99 latency 812.0 ms, expected 240.0 ms (score 0.97)`. */
export function describeReportAnomaly(anomaly: ReportAnomaly): string {
  return `${anomaly.signal} ${formatSignalValue(anomaly.observed, anomaly.unit)}, expected ${formatSignalValue(anomaly.expected, anomaly.unit)} (score ${anomaly.score.toFixed(3)})`;
}

/** `1.4.0 → 1.5.0: +120.0 ms (×1.45, p 0.0001)`. */
export function describeReportRegression(regression: ReportRegression): string {
  const sign = regression.estimateMs >= 0 ? '+' : '';
  return (
    `${regression.baselineVersion} → ${regression.version}: ${sign}${regression.estimateMs.toFixed(1)} ms ` +
    `(×${regression.effectSize.toFixed(2)}, p ${regression.pValue < 0.0001 ? '< 0.0001' : regression.pValue.toFixed(4)})`
  );
}

/** Milliseconds saved per request: `42.0 ms`. */
export function formatMs(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}
