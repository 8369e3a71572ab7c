import type { AnomalyEvent } from '../engine/anomaly-event';
import type { AlertEvent } from './alert-event';
import { ALERTNAME_LABEL } from './alert-event';
import { formatSignalValue } from './alert-text';

/** The alertname of every anomaly. */
export const ANOMALY_ALERTNAME = 'ServiceAnomaly';

/** Trace ids quoted in the description; the rest are in the anomaly API and metrics. */
const MAX_TRACE_IDS = 3;

/**
 * An anomaly edge as an alert event: a start fires, an end resolves.
 *
 * Labels: `alertname` (ServiceAnomaly), `service`, `operation`, `span_kind`,
 * `signal` (latency_p99, error_ratio, throughput, …) and `severity`
 * (`warning`: an anomaly says "not normal", not "users are hurt"; the SLO
 * alerts page). The description carries the evidence: the observed value,
 * the expected band, the detector's score and example trace ids.
 */
export function alertEventFromAnomaly(event: AnomalyEvent): AlertEvent {
  const { service, operation, spanKind } = event.key;
  const labels: Record<string, string> = {
    [ALERTNAME_LABEL]: ANOMALY_ALERTNAME,
    service,
    operation,
    span_kind: spanKind,
    signal: event.signal,
    severity: 'warning',
  };
  const what = `${event.signal} of ${service} ${JSON.stringify(operation)} (${spanKind})`;
  const summary = event.edge === 'start' ? `Anomaly in ${what}` : `Anomaly in ${what} ended`;
  const band =
    event.expected === undefined
      ? 'no baseline yet'
      : `expected ${formatSignalValue(event.expected.center, event.unit)} (band ${formatSignalValue(event.expected.low, event.unit)} to ${formatSignalValue(event.expected.high, event.unit)})`;
  const traces = event.traceIds.slice(0, MAX_TRACE_IDS);
  const description =
    `${event.signal} observed ${formatSignalValue(event.observed, event.unit)}, ${band}; ` +
    `score ${event.score.toFixed(2)} over ${event.spanCount} spans` +
    (traces.length > 0 ? `; example traces ${traces.join(', ')}` : '') +
    '.';
  return { source: 'anomaly', state: event.edge === 'start' ? 'firing' : 'resolved', labels, annotations: { summary, description }, atMs: event.atMs };
}
