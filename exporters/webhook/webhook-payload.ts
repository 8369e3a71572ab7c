import type { AlertSource, AlertState } from '../../src/alerts/alert-event';
import type { OutgoingAlert } from '../alertmanager/alert-notifier';

/**
 * The `json` format: the alerts of one notification, shaped after
 * Alertmanager's own webhook payload (status, alerts with status, labels,
 * annotations, startsAt, endsAt, generatorURL) so receivers written for
 * that read it too, plus `source` (slo, anomaly, regression).
 */
export interface WebhookPayload {
  /** `firing` when any alert fires, else `resolved`. */
  readonly status: AlertState;
  readonly alerts: readonly WebhookAlert[];
}

export interface WebhookAlert {
  readonly status: AlertState;
  readonly source: AlertSource;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  /** Resolved alerts, and firing ones that end on their own (deploy regressions). */
  readonly endsAt?: string;
  readonly generatorURL?: string;
}

export function webhookPayload(alerts: readonly OutgoingAlert[]): WebhookPayload {
  return {
    status: alerts.some((a) => a.state === 'firing') ? 'firing' : 'resolved',
    alerts: alerts.map((alert) => ({
      status: alert.state,
      source: alert.source,
      labels: alert.labels,
      annotations: alert.annotations,
      startsAt: new Date(alert.startsAtMs).toISOString(),
      ...(alert.endsAtMs !== undefined && { endsAt: new Date(alert.endsAtMs).toISOString() }),
      ...(alert.generatorUrl !== undefined && { generatorURL: alert.generatorUrl }),
    })),
  };
}

export function encodeWebhookJson(alerts: readonly OutgoingAlert[]): Buffer {
  return Buffer.from(JSON.stringify(webhookPayload(alerts)), 'utf8');
}

/**
 * The `slack` format: Slack's incoming-webhook body `{"text": …}` (also
 * read by Mattermost and Rocket.Chat), one block of lines per alert:
 *
 *   *[FIRING] SLO checkout-availability of checkout is burning its error budget too fast (page)*
 *   SLO checkout-availability of checkout (objective 99.9% over 30d): burn rate 14.4× over 1h …
 *   <https://runbooks.example.com/…|Runbook>
 *
 * `&`, `<` and `>` are escaped as Slack's message formatting requires.
 */
export function slackText(alerts: readonly OutgoingAlert[]): string {
  return alerts
    .map((alert) => {
      const lines = [`*[${alert.state.toUpperCase()}] ${escapeSlack(alert.annotations.summary ?? alert.labels.alertname ?? 'alert')}*`];
      if (alert.annotations.description !== undefined) lines.push(escapeSlack(alert.annotations.description));
      const runbook = alert.annotations.runbook_url;
      if (runbook !== undefined && runbook !== '') lines.push(`<${escapeSlack(runbook)}|Runbook>`);
      return lines.join('\n');
    })
    .join('\n\n');
}

export function encodeSlackText(alerts: readonly OutgoingAlert[]): Buffer {
  return Buffer.from(JSON.stringify({ text: slackText(alerts) }), 'utf8');
}

function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
