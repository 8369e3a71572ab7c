import type { AlertEvent } from './alert-event';

/**
 * A component that takes alert events (the `alertmanager` and `webhook`
 * exporters). The service hands it every event of every slo, anomaly and
 * regression engine, mapped with alertEventFromSlo / alertEventFromAnomaly /
 * alertEventFromRegression (see connectAlertSinks). The sink picks the
 * sources it was configured for.
 *
 * `onAlertEvent` is called on the engines' evaluation path: it must return
 * at once (queue, never wait on the network) and never throw.
 */
export interface AlertEventSink {
  onAlertEvent(event: AlertEvent): void;
}

export function isAlertEventSink<T extends object>(component: T): component is T & AlertEventSink {
  return typeof (component as Partial<AlertEventSink>).onAlertEvent === 'function';
}
