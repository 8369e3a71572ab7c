import type { RegressionEvent } from '../regression/regression-event';
import type { AlertEvent } from './alert-event';
import { ALERTNAME_LABEL } from './alert-event';
import { formatFactor } from './alert-text';

export const REGRESSION_ALERTNAME = 'DeployRegression';
export const IMPROVEMENT_ALERTNAME = 'DeployImprovement';

/** How long a regression alert fires when nothing says otherwise. @default 1 hour */
export const DEFAULT_REGRESSION_ALERT_MS = 3_600_000;

export interface RegressionAlertOptions {
  /**
   * A verdict has no end: the alert fires this long after the verdict, then
   * resolves on its own (in Alertmanager, through endsAt).
   * @default 3_600_000 (1 hour)
   */
  readonly expiresAfterMs?: number;
}

/**
 * A deploy verdict as an alert event (always firing, with an expiry).
 *
 * Labels: `alertname` (DeployRegression, or DeployImprovement when
 * improvements are reported), `service`, `operation`, `span_kind`,
 * `version`, `baseline_version` (so each deploy is its own alert), and
 * `severity`: `critical` for a critical regression (the classifier's
 * critical flag), `warning` for another regression, `info` for an
 * improvement.
 */
export function alertEventFromRegression(event: RegressionEvent, options: RegressionAlertOptions = {}): AlertEvent {
  const regression = event.outcome === 'regression';
  const labels: Record<string, string> = {
    [ALERTNAME_LABEL]: regression ? REGRESSION_ALERTNAME : IMPROVEMENT_ALERTNAME,
    service: event.service,
    operation: event.operation,
    span_kind: event.spanKind,
    version: event.version,
    baseline_version: event.baselineVersion,
    severity: regression ? (event.critical ? 'critical' : 'warning') : 'info',
  };
  const [low, high] = event.confidenceInterval;
  const summary = `Deploy ${event.baselineVersion} → ${event.version} of ${event.service} ${regression ? 'slowed' : 'sped up'} ${JSON.stringify(event.operation)}`;
  const description =
    `latency mean ${event.controlMeanMs.toFixed(2)} ms → ${event.experimentMeanMs.toFixed(2)} ms (${formatFactor(event.effectSize)}), ` +
    `shift ${signed(event.estimateMs)} ms [${signed(low)}, ${signed(high)}], p-value ${event.pValue.toPrecision(3)}, ` +
    `${event.controlCount} baseline / ${event.experimentCount} new samples, ${event.canary ? 'canary' : 'rolling deploy'}.`;
  return {
    source: 'regression',
    state: 'firing',
    labels,
    annotations: { summary, description },
    atMs: event.atMs,
    expiresAfterMs: options.expiresAfterMs ?? DEFAULT_REGRESSION_ALERT_MS,
  };
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
}
