import { z } from 'zod';
import { describeValue } from '../../src/config/describe-value';
import { parseDuration, tryParseDuration } from '../../src/config/duration';
import { ALWAYS, durationString, emptyMeansDefaults, expects, strictMapping, uniqueNameList } from '../../src/config/schema-helpers';
import { ALERT_SOURCES, isPrometheusLabelName } from '../../src/alerts/alert-event';
import type { AlertSource } from '../../src/alerts/alert-event';
import { parseUrlTemplate } from '../../src/alerts/runbook-url';
import type { RetrySettings } from '../otlp/config';
import { httpUrlProblem } from '../otlp/config';

/*
 * The keys the `alertmanager` and `webhook` exporters share: what to send
 * (events, external_labels, runbook_url), how (headers, timeout), and the
 * bounded queue and retries in between.
 *
 *       events: [slo]                 # slo, anomaly, regression
 *       external_labels: { cluster: eu-1 }
 *       runbook_url: https://runbooks.example.com/{alertname}/{slo}
 *       headers: { authorization: "Bearer ${env:TOKEN}" }
 *       timeout: 10s
 *       sending_queue: { queue_size: 1000 }
 *       retry_on_failure: { enabled: true, initial_interval: 1s, max_interval: 30s, max_elapsed_time: 5m }
 */

export interface AlertDeliveryConfig {
  /** Which engines' events are sent. */
  events?: AlertSource[];
  /** Added to every alert's labels, unless the alert has a label of that name already (as Prometheus does). */
  external_labels?: Record<string, string>;
  /** The `runbook_url` annotation: a URL with `{label}` placeholders; empty: none. */
  runbook_url?: string;
  headers?: Record<string, string>;
  /** Per request. */
  timeout?: string;
  sending_queue?: AlertQueueConfig;
  retry_on_failure?: AlertRetryConfig;
}

export interface AlertQueueConfig {
  /** Alerts waiting to be sent, all notifications together; beyond it the oldest notifications are dropped (and counted). */
  queue_size?: number;
}

export interface AlertRetryConfig {
  enabled?: boolean;
  initial_interval?: string;
  randomization_factor?: number;
  multiplier?: number;
  max_interval?: string;
  /** Give a notification up after this long; 0 retries until shutdown. */
  max_elapsed_time?: string;
}

export interface AlertDeliveryDefaults extends AlertDeliveryConfig {
  events: AlertSource[];
  external_labels: Record<string, string>;
  runbook_url: string;
  headers: Record<string, string>;
  timeout: string;
  sending_queue: Required<AlertQueueConfig>;
  retry_on_failure: Required<AlertRetryConfig>;
}

/** What both exporters run with. */
export interface AlertDeliverySettings {
  readonly events: readonly AlertSource[];
  readonly externalLabels: Readonly<Record<string, string>>;
  /** Absent: no runbook_url annotation. */
  readonly runbookUrl?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Most alerts waiting in the queue. */
  readonly queueSize: number;
  readonly retry: RetrySettings;
}

/**
 * Retries are quicker than the otlp exporter's (1s, not 5s): an alert is
 * worth little late, and a notification is a few hundred bytes. The queue
 * holds 1000 alerts, about 1 MB.
 */
export function createDefaultAlertDeliveryConfig(): AlertDeliveryDefaults {
  return {
    events: ['slo'],
    external_labels: {},
    runbook_url: '',
    headers: {},
    timeout: '10s',
    sending_queue: { queue_size: 1000 },
    retry_on_failure: { enabled: true, initial_interval: '1s', randomization_factor: 0.5, multiplier: 1.5, max_interval: '30s', max_elapsed_time: '5m' },
  };
}

/** Header names are HTTP tokens (RFC 9110). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by the exporter itself. */
const RESERVED_HEADERS: ReadonlySet<string> = new Set(['content-type', 'content-length', 'transfer-encoding', 'host', 'connection']);

export const HTTP_URL_DESCRIPTION = 'an http:// or https:// URL';

/** An http(s) URL (a query string is allowed: webhook services put tokens there). */
export function httpUrl(description: string) {
  return z.string({ error: expects(description) }).superRefine((text, ctx) => {
    const problem = text.includes('://') ? httpUrlProblem(text.replace(/[?#].*$/, '')) : `the scheme is missing, e.g. http://${text}`;
    if (problem !== undefined) ctx.addIssue({ code: 'custom', input: text, message: `must be ${description}, got ${describeValue(text)}: ${problem}` });
  });
}

/** A URL template with `{label}` placeholders; '' means none. */
export function urlTemplate(what: string) {
  return z.string({ error: expects(`${what}: a URL with {label} placeholders, e.g. https://runbooks.example.com/{slo}`) }).superRefine((text, ctx) => {
    if (text === '') return;
    const parsed = parseUrlTemplate(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', input: text, message: `must be ${what} with {label} placeholders, got ${describeValue(text)}: ${parsed.reason}` });
  });
}

const labelMap = z
  .record(z.string(), z.string({ error: expects('a string (quote numbers: "1")') }), { error: expects('a mapping of label names to values') })
  .superRefine((labels, ctx) => {
    for (const name of Object.keys(labels)) {
      if (!isPrometheusLabelName(name)) ctx.addIssue({ code: 'custom', input: name, path: [name], message: 'is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)' });
    }
  });

const headerMap = z
  .record(z.string(), z.string({ error: expects('a string (quote numbers: "1")') }), { error: expects('a mapping of header names to values') })
  .superRefine((headers, ctx) => {
    for (const name of Object.keys(headers)) {
      if (!HEADER_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', input: name, path: [name], message: `is not a valid header name (letters, digits and !#$%&'*+.^_\`|~-)` });
      } else if (RESERVED_HEADERS.has(name.toLowerCase())) {
        ctx.addIssue({ code: 'custom', input: name, path: [name], message: 'is set by the exporter itself and cannot be configured' });
      }
    }
  });

const queueSchema = strictMapping(
  { queue_size: z.number({ error: expects('an integer from 1 to 100000') }).int().min(1).max(100_000).optional() },
  'a mapping with queue_size',
);

const positiveDuration = () => durationString({ description: 'a duration > 0', accepts: (ms) => ms > 0 });

const retrySchema = strictMapping(
  {
    enabled: z.boolean({ error: expects('true or false') }).optional(),
    initial_interval: positiveDuration().optional(),
    randomization_factor: z.number({ error: expects('a number from 0 to 1') }).min(0).max(1).optional(),
    multiplier: z.number({ error: expects('a number >= 1') }).min(1).max(1000).optional(),
    max_interval: positiveDuration().optional(),
    max_elapsed_time: durationString({ description: 'a duration (0 retries until shutdown)' }).optional(),
  },
  'a mapping with enabled, initial_interval, randomization_factor, multiplier, max_interval and max_elapsed_time',
).superRefine((retry, ctx) => {
  if (typeof retry !== 'object' || retry === null) return;
  const initial = durationMs(retry.initial_interval);
  const maxText = retry.max_interval ?? createDefaultAlertDeliveryConfig().retry_on_failure.max_interval;
  const max = durationMs(maxText);
  if (initial !== undefined && max !== undefined && initial > max) {
    ctx.addIssue({ code: 'custom', input: retry.initial_interval, path: ['initial_interval'], message: `must not be longer than max_interval (${maxText}), got ${describeValue(retry.initial_interval)}` });
  }
}, ALWAYS);

function durationMs(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const parsed = tryParseDuration(text);
  return parsed.ok ? parsed.ms : undefined;
}

/** The shared keys' schemas, spread into each exporter's strictMapping. */
export const alertDeliveryShape = {
  events: uniqueNameList(ALERT_SOURCES as unknown as [AlertSource, ...AlertSource[]], 'event sources (slo, anomaly, regression)', false).optional(),
  external_labels: emptyMeansDefaults(labelMap).optional(),
  runbook_url: urlTemplate('runbook_url').optional(),
  headers: emptyMeansDefaults(headerMap).optional(),
  timeout: positiveDuration().optional(),
  sending_queue: emptyMeansDefaults(queueSchema).optional(),
  retry_on_failure: emptyMeansDefaults(retrySchema).optional(),
};

/** The shared keys → settings; `config` has passed the schema. */
export function resolveAlertDeliverySettings(config: AlertDeliveryConfig): AlertDeliverySettings {
  const defaults = createDefaultAlertDeliveryConfig();
  const retry = { ...defaults.retry_on_failure, ...config.retry_on_failure };
  const runbookUrl = config.runbook_url ?? defaults.runbook_url;
  return {
    events: [...(config.events ?? defaults.events)],
    externalLabels: { ...(config.external_labels ?? defaults.external_labels) },
    ...(runbookUrl !== '' && { runbookUrl }),
    headers: { ...(config.headers ?? defaults.headers) },
    timeoutMs: parseDuration(config.timeout ?? defaults.timeout),
    queueSize: config.sending_queue?.queue_size ?? defaults.sending_queue.queue_size,
    retry: {
      enabled: retry.enabled,
      initialIntervalMs: parseDuration(retry.initial_interval),
      randomizationFactor: retry.randomization_factor,
      multiplier: retry.multiplier,
      maxIntervalMs: parseDuration(retry.max_interval),
      maxElapsedTimeMs: parseDuration(retry.max_elapsed_time),
    },
  };
}
