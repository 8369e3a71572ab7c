import type { DeployEvent, RegressionEvent } from './regression-event';

/**
 * One log line per regression or improvement, readable without the metrics:
 *
 *   deploy regression: service=shop operation="POST /checkout" span_kind=server 1.0.0 → 1.1.0 (rolling):
 *   latency mean 40.12 ms → 60.31 ms, effect size 1.503 (mean ratio), p-value 1.23e-45,
 *   shift +19.80 ms [+17.20, +22.50], samples 500 baseline / 480 new
 *
 * (on one line).
 */
export function describeRegression(event: RegressionEvent): string {
  const [low, high] = event.confidenceInterval;
  return (
    `deploy ${event.outcome}${event.critical ? ' (critical)' : ''}: service=${event.service} operation=${JSON.stringify(event.operation)} span_kind=${event.spanKind} ` +
    `${event.baselineVersion} → ${event.version} (${event.canary ? 'canary' : 'rolling'}): ` +
    `latency mean ${event.controlMeanMs.toFixed(2)} ms → ${event.experimentMeanMs.toFixed(2)} ms, ` +
    `effect size ${event.effectSize.toFixed(3)} (mean ratio), p-value ${event.pValue.toPrecision(3)}, ` +
    `shift ${signed(event.estimateMs)} ms [${signed(low)}, ${signed(high)}], ` +
    `samples ${event.controlCount} baseline / ${event.experimentCount} new`
  );
}

/** One log line per new version: `deploy detected: service=shop 1.0.0 → 1.1.0`. */
export function describeDeploy(event: DeployEvent): string {
  return `deploy detected: service=${event.service} ${event.baselineVersion} → ${event.version}`;
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
}
