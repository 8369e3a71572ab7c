/**
 * What alert sinks (the `alertmanager` and `webhook` exporters) receive: one
 * alert changing state, in the vocabulary of Prometheus alerts, whatever
 * engine raised it. Mappings from the engines' own events live next to this
 * file (slo-alert.ts, anomaly-alert.ts, regression-alert.ts).
 *
 * Identity: two events with the same labels are the same alert, as in
 * Alertmanager, which fingerprints an alert by its label set. Memory: a few
 * hundred bytes per event (labels and two annotation strings).
 */

/** The engines that raise alerts; exporters choose among them with `events:`. */
export const ALERT_SOURCES = ['slo', 'anomaly', 'regression'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export type AlertState = 'firing' | 'resolved';

/** The label every alert has: its name, as in a Prometheus alerting rule. */
export const ALERTNAME_LABEL = 'alertname';

export interface AlertEvent {
  readonly source: AlertSource;
  readonly state: AlertState;
  /**
   * Identify the alert: always `alertname` and `severity`, plus what the
   * source adds (`slo`, `service`, …). Names are valid Prometheus label
   * names (see prometheusLabelName); values are any strings.
   */
  readonly labels: Readonly<Record<string, string>>;
  /** `summary` and `description` (one line each; the description carries the figures). */
  readonly annotations: Readonly<Record<string, string>>;
  /** When the engine saw the change (Unix ms): startsAt when firing, endsAt when resolved. */
  readonly atMs: number;
  /**
   * Set on events no resolve will follow (a deploy regression is one verdict,
   * not a state): the alert ends on its own this long after `atMs`, and sinks
   * send it once instead of re-sending it while it fires.
   */
  readonly expiresAfterMs?: number;
}

/** Prometheus label names: `[a-zA-Z_][a-zA-Z0-9_]*` (Alertmanager 0.25 rejects any other). */
const VALID_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * An attribute key as a Prometheus label name, the way OpenTelemetry's
 * Prometheus exporters translate them: every other character becomes `_`,
 * and a leading digit gets a `_` in front (`http.route` → `http_route`).
 */
export function prometheusLabelName(key: string): string {
  if (VALID_LABEL_NAME.test(key)) return key;
  const replaced = key.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(replaced) || replaced === '' ? `_${replaced}` : replaced;
}

export function isPrometheusLabelName(name: string): boolean {
  return VALID_LABEL_NAME.test(name);
}

/**
 * A stable key for the alert's label set (order-independent), to track one
 * alert across its events. Injective: names cannot hold `=` or `\u0000`, and
 * values are JSON-quoted.
 */
export function alertIdentity(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`)
    .join('\u0000');
}
