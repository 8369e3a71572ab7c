import type { z } from 'zod';
import type { ComponentFactory } from '../../src/config/component-factory';
import { parseDuration } from '../../src/config/duration';
import { durationString, strictMapping } from '../../src/config/schema-helpers';
import { HTTP_URL_DESCRIPTION, alertDeliveryShape, createDefaultAlertDeliveryConfig, httpUrl, resolveAlertDeliverySettings, urlTemplate } from './alert-delivery-config';
import type { AlertDeliveryConfig, AlertDeliveryDefaults, AlertDeliverySettings } from './alert-delivery-config';

/*
 * The `alertmanager` exporter's configuration:
 *
 *   exporters:
 *     alertmanager:
 *       endpoint: http://127.0.0.1:9093        # /api/v2/alerts is appended
 *       resend_interval: 1m                    # re-send firing alerts this often
 *       events: [slo]                          # and anomaly, regression
 *       external_labels: { cluster: eu-1 }
 *       runbook_url: https://runbooks.example.com/{alertname}/{slo}
 *       generator_url: https://grafana.example.com/d/slo?var-slo={slo}
 *       headers: { authorization: "Bearer ${env:TOKEN}" }
 *       timeout: 10s
 *       sending_queue: { queue_size: 1000 }
 *       retry_on_failure: { enabled: true, initial_interval: 1s, max_interval: 30s, max_elapsed_time: 5m }
 *
 * Alertmanager resolves an alert by itself at its endsAt: firing alerts
 * carry endsAt = now + 3 × resend_interval and are re-sent every
 * resend_interval, so a lost re-send or two does not resolve them, and an
 * alert whose sender died resolves within three intervals. Prometheus does
 * the same (4 × its resend delay).
 */

export interface AlertmanagerExporterConfig extends AlertDeliveryConfig {
  /** Alertmanager's base URL; the v2 API path `/api/v2/alerts` is appended to its path. */
  endpoint?: string;
  resend_interval?: string;
  /** Each alert's generatorURL: a URL with `{label}` placeholders; empty: none. */
  generator_url?: string;
}

export interface AlertmanagerExporterSettings extends AlertDeliverySettings {
  /** Where alerts are POSTed: `<endpoint>/api/v2/alerts`. */
  readonly url: string;
  readonly resendIntervalMs: number;
  /** Absent: alerts carry no generatorURL. */
  readonly generatorUrl?: string;
}

export const DEFAULT_ALERTMANAGER_ENDPOINT = 'http://127.0.0.1:9093';
export const ALERTMANAGER_ALERTS_PATH = '/api/v2/alerts';

export type AlertmanagerExporterDefaults = AlertDeliveryDefaults & Required<Pick<AlertmanagerExporterConfig, 'endpoint' | 'resend_interval' | 'generator_url'>>;

/** The exporter's defaults; an empty `alertmanager:` means exactly this. */
export function createDefaultConfig(): AlertmanagerExporterDefaults {
  return { endpoint: DEFAULT_ALERTMANAGER_ENDPOINT, resend_interval: '1m', generator_url: '', ...createDefaultAlertDeliveryConfig() };
}

export const alertmanagerExporterConfigSchema: z.ZodType<AlertmanagerExporterConfig> = strictMapping(
  {
    endpoint: httpUrl(`${HTTP_URL_DESCRIPTION}, e.g. http://127.0.0.1:9093`).optional(),
    resend_interval: durationString({ description: 'a duration >= 1s', accepts: (ms) => ms >= 1000 }).optional(),
    generator_url: urlTemplate('generator_url').optional(),
    ...alertDeliveryShape,
  },
  'a mapping with endpoint, resend_interval, events, external_labels, runbook_url, generator_url, headers, timeout, sending_queue and retry_on_failure',
);

/** `http://am:9093` → `http://am:9093/api/v2/alerts`; `http://h/am/` → `http://h/am/api/v2/alerts`. */
export function alertsUrl(endpoint: string): string {
  const url = new URL(endpoint);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${ALERTMANAGER_ALERTS_PATH}`;
  return url.toString();
}

export function resolveAlertmanagerExporterSettings(config: AlertmanagerExporterConfig): AlertmanagerExporterSettings {
  const defaults = createDefaultConfig();
  const generatorUrl = config.generator_url ?? defaults.generator_url;
  return {
    url: alertsUrl(config.endpoint ?? defaults.endpoint),
    resendIntervalMs: parseDuration(config.resend_interval ?? defaults.resend_interval),
    ...(generatorUrl !== '' && { generatorUrl }),
    ...resolveAlertDeliverySettings(config),
  };
}

export const alertmanagerExporterFactory: ComponentFactory<AlertmanagerExporterConfig, AlertmanagerExporterSettings> = {
  kind: 'exporter',
  type: 'alertmanager',
  // Alerts come from the engines, not from the pipeline: the exporter may sit
  // in any pipeline (a traces pipeline with the slo processor, typically)
  // and lets the telemetry it is handed pass to nowhere.
  signals: ['traces', 'metrics', 'logs'],
  schema: alertmanagerExporterConfigSchema,
  createDefaultConfig,
  resolve: (config) => resolveAlertmanagerExporterSettings(config),
};
