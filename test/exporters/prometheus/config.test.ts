import { describe, expect, it } from 'vitest';
import {
  createDefaultConfig,
  DEFAULT_PROMETHEUS_HOST,
  DEFAULT_PROMETHEUS_PORT,
  parseEndpoint,
  prometheusExporterConfigSchema,
  resolvePrometheusExporterOptions,
} from '../../../exporters/prometheus/config';
import { ConfigError } from '../../../src/config/config-error';

describe('prometheus exporter config', () => {
  it('defaults to 127.0.0.1:9464 with nothing set', () => {
    expect(createDefaultConfig()).toEqual({});
    expect([DEFAULT_PROMETHEUS_HOST, DEFAULT_PROMETHEUS_PORT]).toEqual(['127.0.0.1', 9464]);
    expect(resolvePrometheusExporterOptions(undefined, {})).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(resolvePrometheusExporterOptions(createDefaultConfig(), {})).toEqual({ host: '127.0.0.1', port: 9464 });
  });

  it('takes the endpoint first, then OTEL_EXPORTER_PROMETHEUS_HOST/PORT, then the defaults', () => {
    const env = { OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0', OTEL_EXPORTER_PROMETHEUS_PORT: '9100' };
    expect(resolvePrometheusExporterOptions({ endpoint: 'localhost:8889' }, env)).toEqual({ host: 'localhost', port: 8889 });
    expect(resolvePrometheusExporterOptions({}, env)).toEqual({ host: '0.0.0.0', port: 9100 });
    expect(resolvePrometheusExporterOptions({}, { OTEL_EXPORTER_PROMETHEUS_PORT: '9100' })).toEqual({ host: '127.0.0.1', port: 9100 });
    expect(resolvePrometheusExporterOptions({}, { OTEL_EXPORTER_PROMETHEUS_HOST: '[::1]' })).toEqual({ host: '::1', port: 9464 });
    // Empty variables count as unset (OpenTelemetry's rule).
    expect(resolvePrometheusExporterOptions({}, { OTEL_EXPORTER_PROMETHEUS_HOST: '', OTEL_EXPORTER_PROMETHEUS_PORT: '' })).toEqual({
      host: '127.0.0.1',
      port: 9464,
    });
  });

  it.each(['http', '65536', '-1', '9464.5', ' 9464'])('a bad OTEL_EXPORTER_PROMETHEUS_PORT %j is an error naming the variable', (port) => {
    const run = () => resolvePrometheusExporterOptions(undefined, { OTEL_EXPORTER_PROMETHEUS_PORT: port });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(
      `OTEL_EXPORTER_PROMETHEUS_PORT: environment variable must be a port from 0 to 65535, got ${JSON.stringify(port)} (<environment>)`,
    );
  });

  it.each([
    ['127.0.0.1:9464', '127.0.0.1', 9464],
    ['0.0.0.0:0', '0.0.0.0', 0],
    ['localhost:65535', 'localhost', 65535],
    ['[::1]:9464', '::1', 9464],
    ['[::]:9464', '::', 9464],
    ['::1:9464', '::1', 9464],
  ])('endpoint %s', (endpoint, host, port) => {
    expect(parseEndpoint(endpoint)).toEqual({ ok: true, host, port });
    expect(prometheusExporterConfigSchema.safeParse({ endpoint }).success).toBe(true);
  });

  it.each([
    ['localhost', 'the ":port" is missing'],
    [':9464', 'the host is missing (0.0.0.0 listens on every interface)'],
    ['[::1]', 'IPv6 hosts go in brackets followed by the port: [::1]:9464'],
    ['[::1:9464', 'IPv6 hosts go in brackets followed by the port: [::1]:9464'],
    ['host:', 'the port "" is not a whole number from 0 to 65535'],
    ['host:99999', 'the port "99999" is not a whole number from 0 to 65535'],
    ['host:http', 'the port "http" is not a whole number from 0 to 65535'],
  ])('rejects endpoint %j: %s', (endpoint, reason) => {
    expect(parseEndpoint(endpoint)).toEqual({ ok: false, reason });
  });

  it('is strict about keys', () => {
    const result = prometheusExporterConfigSchema.safeParse({ endpoint: '127.0.0.1:9464', namespace: 'x' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('unknown key; valid keys: endpoint');
  });
});
