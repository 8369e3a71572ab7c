import type { AnomalyEvent } from '../../src/engine/anomaly-event';
import type { SloAlertEvent } from '../../src/engine/slo-alert-event';
import type { Recommendation } from '../../src/recommend/recommendation';
import type { RegressionEvent } from '../../src/regression/regression-event';
import type { StoredEvent } from '../../src/storage/store-records';

/*
 * Each engine event as a store row: the indexed columns the report queries
 * filter on, and the whole event as JSON (NaN and ±Infinity become null).
 *
 *   kind            slo                  service, operation        severity            state
 *   slo_alert       the SLO              the series' service, -    page / ticket       firing / resolved
 *   anomaly         -                    the key's                 -                   start / end
 *   regression      -                    the key's                 regression /        -
 *                                                                  improvement
 *   recommendation  impact.slo, if any   its own ('' → null)       critical … low      open / resolved
 */

export function sloAlertRow(event: SloAlertEvent): StoredEvent {
  return {
    atMs: event.atMs,
    kind: 'slo_alert',
    slo: event.slo,
    service: event.labels.service ?? null,
    operation: null,
    severity: event.severity,
    state: event.state,
    payload: JSON.stringify(event),
  };
}

export function anomalyRow(event: AnomalyEvent): StoredEvent {
  return {
    atMs: event.atMs,
    kind: 'anomaly',
    slo: null,
    service: event.key.service,
    operation: event.key.operation,
    severity: null,
    state: event.edge,
    payload: JSON.stringify(event),
  };
}

export function regressionRow(event: RegressionEvent): StoredEvent {
  return {
    atMs: event.atMs,
    kind: 'regression',
    slo: null,
    service: event.service,
    operation: event.operation,
    severity: event.outcome,
    state: null,
    payload: JSON.stringify(event),
  };
}

/** A recommendation as it is at `atMs` (opened, escalated, resolved…). */
export function recommendationRow(recommendation: Recommendation, atMs: number): StoredEvent {
  return {
    atMs,
    kind: 'recommendation',
    slo: recommendation.impact.slo ?? null,
    service: recommendation.service,
    operation: recommendation.operation === '' ? null : recommendation.operation,
    severity: recommendation.severity,
    state: recommendation.status,
    payload: JSON.stringify(recommendation),
  };
}
