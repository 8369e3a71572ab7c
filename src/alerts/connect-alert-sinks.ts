import type { AnomalyEvent } from '../engine/anomaly-event';
import type { SloAlertEvent } from '../engine/slo-alert-event';
import type { RegressionEvent } from '../regression/regression-event';
import type { ObjectiveSpec } from '../slo/objective';
import type { AlertEvent } from './alert-event';
import type { AlertEventSink } from './alert-event-sink';
import { alertEventFromAnomaly } from './anomaly-alert';
import { alertEventFromRegression } from './regression-alert';
import { alertEventFromSlo, sloAlertObjectiveOf } from './slo-alert';
import type { SloAlertObjective } from './slo-alert';

/** An engine that tells listeners about its events; returns the unsubscribe function. */
export interface EventSource<E> {
  subscribe(listener: (event: E) => void): () => void;
}

/** The SLO engine as far as alerts need it: its transitions and its objectives (for the forecast). */
export interface SloAlertSource extends EventSource<SloAlertEvent> {
  readonly objectiveSpecs: readonly ObjectiveSpec[];
}

export interface AlertSources {
  readonly slo?: Iterable<SloAlertSource>;
  readonly anomaly?: Iterable<EventSource<AnomalyEvent>>;
  readonly regression?: Iterable<EventSource<RegressionEvent>>;
}

/**
 * Subscribes every sink to every engine's events, mapped onto AlertEvent.
 * Each event is mapped once and handed to the sinks in order; a sink that
 * throws (it must not) is reported to `onError` and the others still get
 * the event. Returns a function that unsubscribes everything.
 */
export function connectAlertSinks(sources: AlertSources, sinks: readonly AlertEventSink[], onError: (error: unknown) => void = () => undefined): () => void {
  if (sinks.length === 0) return () => undefined;
  const publish = (event: AlertEvent): void => {
    for (const sink of sinks) {
      try {
        sink.onAlertEvent(event);
      } catch (error) {
        onError(error);
      }
    }
  };
  const guarded =
    <E>(map: (event: E) => AlertEvent) =>
    (event: E): void => {
      let mapped: AlertEvent;
      try {
        mapped = map(event);
      } catch (error) {
        onError(error);
        return;
      }
      publish(mapped);
    };
  const unsubscribes: (() => void)[] = [];
  for (const engine of sources.slo ?? []) {
    // Objectives are fixed for the engine's life: resolve each name once.
    const objectives = new Map<string, SloAlertObjective>(engine.objectiveSpecs.map((spec) => [spec.name, sloAlertObjectiveOf(spec)]));
    unsubscribes.push(engine.subscribe(guarded((event: SloAlertEvent) => alertEventFromSlo(event, objectives.get(event.slo)))));
  }
  for (const engine of sources.anomaly ?? []) unsubscribes.push(engine.subscribe(guarded(alertEventFromAnomaly)));
  for (const engine of sources.regression ?? []) unsubscribes.push(engine.subscribe(guarded((event: RegressionEvent) => alertEventFromRegression(event))));
  return () => {
    for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
  };
}
