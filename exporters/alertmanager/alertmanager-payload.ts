import type { OutgoingAlert } from './alert-notifier';

/**
 * One alert of Alertmanager's v2 API (`POST /api/v2/alerts`, the
 * `postableAlert` of its OpenAPI spec): labels and annotations as string
 * maps, times as RFC 3339 date-times, generatorURL optional.
 */
export interface PostableAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

export function postableAlert(alert: OutgoingAlert): PostableAlert {
  return {
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: new Date(alert.startsAtMs).toISOString(),
    ...(alert.endsAtMs !== undefined && { endsAt: new Date(alert.endsAtMs).toISOString() }),
    ...(alert.generatorUrl !== undefined && { generatorURL: alert.generatorUrl }),
  };
}

/** The request body: a JSON array of postable alerts. */
export function encodeAlertmanagerAlerts(alerts: readonly OutgoingAlert[]): Buffer {
  return Buffer.from(JSON.stringify(alerts.map(postableAlert)), 'utf8');
}
