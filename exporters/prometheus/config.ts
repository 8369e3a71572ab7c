import { z } from 'zod';
import type { ComponentFactory } from '../../src/config/component-factory';
import { ConfigError } from '../../src/config/config-error';
import { describeValue } from '../../src/config/describe-value';
import { expects, strictMapping } from '../../src/config/schema-helpers';

/*
 * The `prometheus` exporter's configuration: where /metrics is served.
 *
 *   exporters:
 *     prometheus:
 *       endpoint: 127.0.0.1:9464     # or [::1]:9464; port 0 picks a free port
 *
 * `endpoint` is the Collector's key. When it is absent, the OpenTelemetry
 * variables OTEL_EXPORTER_PROMETHEUS_HOST / _PORT apply, then the defaults.
 */

export interface PrometheusExporterConfig {
  /** `host:port`; IPv6 hosts in brackets: `[::1]:9464`. */
  endpoint?: string;
}

export interface PrometheusExporterOptions {
  /** Without brackets: `::1`, not `[::1]`. */
  readonly host: string;
  readonly port: number;
}

/** The OpenTelemetry SDK's defaults for the Prometheus exporter (loopback only: /metrics is not exposed by accident). */
export const DEFAULT_PROMETHEUS_HOST = '127.0.0.1';
export const DEFAULT_PROMETHEUS_PORT = 9464;

/** Nothing set: the endpoint comes from the environment or the defaults above, in resolvePrometheusExporterOptions. */
export function createDefaultConfig(): PrometheusExporterConfig {
  return {};
}

const ENDPOINT_DESCRIPTION = 'host:port with a port from 0 to 65535, e.g. 127.0.0.1:9464, 0.0.0.0:9464 or [::1]:9464';

export type EndpointParseResult =
  | { readonly ok: true; readonly host: string; readonly port: number }
  | { readonly ok: false; readonly reason: string };

/**
 * `host:port`, `[v6]:port`. An unbracketed IPv6 address is split at its last
 * colon (`::1:9464` → `::1`, 9464), so `${env:HOST}:${env:PORT}` keeps working
 * when HOST is an IPv6 address.
 */
export function parseEndpoint(text: string): EndpointParseResult {
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(text);
  const colon = text.lastIndexOf(':');
  if (!bracketed && colon < 0) return { ok: false, reason: 'the ":port" is missing' };
  const host = bracketed ? (bracketed[1] ?? '') : text.slice(0, colon);
  const portText = bracketed ? (bracketed[2] ?? '') : text.slice(colon + 1);
  if (host === '') return { ok: false, reason: 'the host is missing (0.0.0.0 listens on every interface)' };
  if (host.includes('[') || host.includes(']')) return { ok: false, reason: 'IPv6 hosts go in brackets followed by the port: [::1]:9464' };
  const port = parsePort(portText);
  if (port === undefined) return { ok: false, reason: `the port ${describeValue(portText)} is not a whole number from 0 to 65535` };
  return { ok: true, host, port };
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

export const prometheusExporterConfigSchema: z.ZodType<PrometheusExporterConfig> = strictMapping(
  {
    endpoint: z.string({ error: expects(ENDPOINT_DESCRIPTION) }).superRefine((text, ctx) => {
      const parsed = parseEndpoint(text);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', input: text, message: `must be ${ENDPOINT_DESCRIPTION}, got ${describeValue(text)}: ${parsed.reason}` });
    }).optional(),
  },
  'a mapping with endpoint',
);

/**
 * Where to serve /metrics: the config's endpoint, else OTEL_EXPORTER_PROMETHEUS_HOST
 * and OTEL_EXPORTER_PROMETHEUS_PORT, else 127.0.0.1:9464. This is the only
 * place that order is decided. Empty variables count as unset (OpenTelemetry's
 * rule). Throws ConfigError naming the variable when the port variable is not a port.
 */
export function resolvePrometheusExporterOptions(
  config: PrometheusExporterConfig | undefined,
  env: NodeJS.ProcessEnv,
): PrometheusExporterOptions {
  if (config?.endpoint !== undefined) {
    const parsed = parseEndpoint(config.endpoint);
    if (!parsed.ok) {
      throw new ConfigError([{ path: 'endpoint', message: `must be ${ENDPOINT_DESCRIPTION}, got ${describeValue(config.endpoint)}: ${parsed.reason}`, file: '<options>' }]);
    }
    return { host: parsed.host, port: parsed.port };
  }
  const envHost = env.OTEL_EXPORTER_PROMETHEUS_HOST;
  const envPort = env.OTEL_EXPORTER_PROMETHEUS_PORT;
  let port = DEFAULT_PROMETHEUS_PORT;
  if (envPort !== undefined && envPort !== '') {
    const parsed = parsePort(envPort);
    if (parsed === undefined) {
      throw new ConfigError([
        {
          path: 'OTEL_EXPORTER_PROMETHEUS_PORT',
          message: `environment variable must be a port from 0 to 65535, got ${describeValue(env.OTEL_EXPORTER_PROMETHEUS_PORT)}`,
          file: '<environment>',
        },
      ]);
    }
    port = parsed;
  }
  const host = envHost !== undefined && envHost !== '' ? envHost.replace(/^\[(.*)\]$/, '$1') : DEFAULT_PROMETHEUS_HOST;
  return { host, port };
}

export const prometheusExporterFactory: ComponentFactory<PrometheusExporterConfig, PrometheusExporterOptions> = {
  kind: 'exporter',
  type: 'prometheus',
  signals: ['metrics'],
  schema: prometheusExporterConfigSchema,
  createDefaultConfig,
  resolve: (config, context) => resolvePrometheusExporterOptions(config, context.env),
};
