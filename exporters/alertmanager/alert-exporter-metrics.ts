import type { Attributes, Counter, Meter } from '@opentelemetry/api';

/**
 * The alert exporters' own metrics, in the family of the other exporters'
 * (slowatch_exporter_*), labelled `exporter` = component id, counted in alerts
 * (a notification carries one or more).
 */
export const ALERT_EXPORTER_METRIC_NAMES = {
  /** Alerts the receiver accepted (2xx). */
  sent: 'slowatch_exporter_sent_alerts_total',
  /** Alerts not delivered: rejected (4xx), given up after retries, or abandoned at shutdown. */
  sendFailed: 'slowatch_exporter_send_failed_alerts_total',
  /** Alerts dropped before a send was tried: the queue was full (oldest dropped first) or the exporter was stopping. */
  enqueueFailed: 'slowatch_exporter_enqueue_failed_alerts_total',
} as const;

/** Counters of one alert exporter; `totals` keeps them in memory too, for tests and shutdown lines. */
export class AlertExporterMetrics {
  readonly totals = { sent: 0, sendFailed: 0, enqueueFailed: 0 };
  private readonly attributes: Attributes;
  private readonly sentCounter: Counter;
  private readonly sendFailedCounter: Counter;
  private readonly enqueueFailedCounter: Counter;

  constructor(meter: Meter, exporterId: string) {
    this.attributes = { exporter: exporterId };
    this.sentCounter = meter.createCounter(ALERT_EXPORTER_METRIC_NAMES.sent, { description: 'Number of alerts successfully sent to the destination.' });
    this.sendFailedCounter = meter.createCounter(ALERT_EXPORTER_METRIC_NAMES.sendFailed, { description: 'Number of alerts the exporter failed to send to the destination.' });
    this.enqueueFailedCounter = meter.createCounter(ALERT_EXPORTER_METRIC_NAMES.enqueueFailed, {
      description: 'Number of alerts dropped before sending because the queue was full or the exporter was stopping.',
    });
  }

  sent(alerts: number): void {
    this.add('sent', this.sentCounter, alerts);
  }

  sendFailed(alerts: number): void {
    this.add('sendFailed', this.sendFailedCounter, alerts);
  }

  enqueueFailed(alerts: number): void {
    this.add('enqueueFailed', this.enqueueFailedCounter, alerts);
  }

  private add(total: keyof AlertExporterMetrics['totals'], counter: Counter, alerts: number): void {
    if (alerts <= 0) return;
    this.totals[total] += alerts;
    counter.add(alerts, this.attributes);
  }
}
