import type { SloAlertEvent } from './slo-alert-event';

/** One log line for an alert transition, readable without the metrics at hand. */
export function describeAlert(event: SloAlertEvent): string {
  const labels = Object.entries(event.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return (
    `SLO alert ${event.state}: slo=${event.slo} ${labels} severity=${event.severity} ` +
    `burn ${event.shortBurnRate.toFixed(2)} over ${event.shortWindow} and ${event.longBurnRate.toFixed(2)} over ${event.longWindow} ` +
    `(threshold ${event.factor.toFixed(2)}), budget remaining ${(event.errorBudgetRemaining * 100).toFixed(2)}%`
  );
}
