import { z } from 'zod';
import type { ComponentFactory } from '../../src/config/component-factory';
import { expects, strictMapping } from '../../src/config/schema-helpers';
import { HTTP_URL_DESCRIPTION, alertDeliveryShape, createDefaultAlertDeliveryConfig, httpUrl, resolveAlertDeliverySettings } from '../alertmanager/alert-delivery-config';
import type { AlertDeliveryConfig, AlertDeliveryDefaults, AlertDeliverySettings } from '../alertmanager/alert-delivery-config';

/*
 * The `webhook` exporter's configuration:
 *
 *   exporters:
 *     webhook:
 *       url: https://hooks.slack.com/services/T000/B000/XXXX   # required
 *       format: slack                  # json (default) or slack ({"text": …})
 *       events: [slo, anomaly, regression]
 *       external_labels: { cluster: eu-1 }
 *       runbook_url: https://runbooks.example.com/{alertname}/{slo}
 *       headers: { authorization: "Bearer ${env:TOKEN}" }
 *       timeout: 10s
 *       sending_queue: { queue_size: 1000 }
 *       retry_on_failure: { enabled: true, initial_interval: 1s, max_interval: 30s, max_elapsed_time: 5m }
 *
 * One POST per transition (fired, resolved); no re-sends, which would repeat
 * the same chat message every minute.
 */

export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export interface WebhookExporterConfig extends AlertDeliveryConfig {
  url?: string;
  format?: WebhookFormat;
}

export interface WebhookExporterSettings extends AlertDeliverySettings {
  readonly url: string;
  readonly format: WebhookFormat;
}

export type WebhookExporterDefaults = AlertDeliveryDefaults & { format: WebhookFormat };

/** Everything but `url`, which has no default. */
export function createDefaultConfig(): WebhookExporterDefaults {
  return { format: 'json', ...createDefaultAlertDeliveryConfig() };
}

export const webhookExporterConfigSchema: z.ZodType<WebhookExporterConfig> = strictMapping(
  {
    url: httpUrl(`${HTTP_URL_DESCRIPTION}, e.g. https://hooks.example.com/alerts`),
    format: z.enum(WEBHOOK_FORMATS, { error: expects(`one of ${WEBHOOK_FORMATS.join(', ')}`) }).optional(),
    ...alertDeliveryShape,
  },
  'a mapping with url, format, events, external_labels, runbook_url, headers, timeout, sending_queue and retry_on_failure',
);

export function resolveWebhookExporterSettings(config: WebhookExporterConfig): WebhookExporterSettings {
  if (config.url === undefined) throw new Error(`url is required: ${HTTP_URL_DESCRIPTION}`);
  return { url: config.url, format: config.format ?? createDefaultConfig().format, ...resolveAlertDeliverySettings(config) };
}

export const webhookExporterFactory: ComponentFactory<WebhookExporterConfig, WebhookExporterSettings> = {
  kind: 'exporter',
  type: 'webhook',
  // As the alertmanager exporter: alerts come from the engines, telemetry passes to nowhere.
  signals: ['traces', 'metrics', 'logs'],
  schema: webhookExporterConfigSchema,
  createDefaultConfig,
  resolve: (config) => resolveWebhookExporterSettings(config),
};
