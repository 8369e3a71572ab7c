import { describe, expect, it } from 'vitest';
import { agentSettingsFrom } from '../../src/config/agent-settings';
import { builtInConfig, BUILT_IN_DEFAULTS_SOURCE } from '../../src/config/built-in-config';
import { ConfigError } from '../../src/config/config-error';
import { parseConfigText } from '../../src/config/parse-config';

const load = (text: string, env: NodeJS.ProcessEnv = {}) => ({ source: '/etc/slowatch.yaml', config: parseConfigText(text, { file: 'slowatch.yaml', env }) });

describe('agentSettingsFrom', () => {
  it('gives the slo processor settings and the Prometheus endpoint of the built-in defaults', () => {
    const settings = agentSettingsFrom({ source: BUILT_IN_DEFAULTS_SOURCE, config: builtInConfig({ OTEL_EXPORTER_PROMETHEUS_PORT: '9999' }) });
    expect(settings.slo.evaluationIntervalMs).toBe(10_000);
    expect(settings.slo.objectives.map((o) => o.name)).toEqual(['availability', 'latency']);
    expect(settings.prometheus).toEqual({ host: '127.0.0.1', port: 9999 });
    expect(settings.logLevel).toBeUndefined();
  });

  it('finds a named slo processor in a named traces pipeline, and the log level', () => {
    const settings = agentSettingsFrom(
      load(`
processors:
  slo/shop:
    evaluation_interval: 1s
service:
  pipelines:
    traces/shop: { processors: [slo/shop] }
  telemetry: { logs: { level: warn } }
`),
    );
    expect(settings.slo.evaluationIntervalMs).toBe(1_000);
    expect(settings.prometheus).toBeUndefined();
    expect(settings.logLevel).toBe('warn');
  });

  it('refuses a config whose traces pipelines have no slo processor', () => {
    const loaded = load(`
exporters:
  prometheus:
service:
  pipelines:
    metrics: { exporters: [prometheus] }
`);
    expect(() => agentSettingsFrom(loaded)).toThrow(ConfigError);
    expect(() => agentSettingsFrom(loaded)).toThrow(
      'service.pipelines: the agent needs the slo processor in a traces pipeline, e.g. traces: { processors: [slo] }; found none (/etc/slowatch.yaml)',
    );
  });

  it('refuses two slo processors and two prometheus exporters, reporting both', () => {
    const loaded = load(`
processors:
  slo/a:
  slo/b:
exporters:
  prometheus/a:
    endpoint: 127.0.0.1:9001
  prometheus/b:
    endpoint: 127.0.0.1:9002
service:
  pipelines:
    traces/a: { processors: [slo/a] }
    traces/b: { processors: [slo/b, slo/a] }
    metrics: { exporters: [prometheus/a, prometheus/b] }
`);
    expect(() => agentSettingsFrom(loaded)).toThrow(
      [
        'service.pipelines: the agent runs one slo processor, found 2 in the traces pipelines: slo/a, slo/b (/etc/slowatch.yaml)',
        'service.pipelines: the agent serves one Prometheus endpoint, found 2 prometheus exporters in the metrics pipelines: prometheus/a, prometheus/b (/etc/slowatch.yaml)',
      ].join('\n'),
    );
  });

  it('on the built-in defaults, keeps to the slo processor and /metrics: no store, no web server', () => {
    const settings = agentSettingsFrom({ source: BUILT_IN_DEFAULTS_SOURCE, config: builtInConfig({}) });
    // The defaults list storage and web for the gateway; an application does not get a database file without asking.
    expect(settings.storage).toBeUndefined();
    expect(settings.web).toBeUndefined();
    expect(settings.ids).toEqual({ slo: 'slo' });
  });

  it('takes the storage extension listed in service.extensions, with every component id as the file names it', () => {
    const settings = agentSettingsFrom(
      load(`
processors:
  slo/shop:
  baseline/b:
  anomaly/a: { baseline: baseline/b }
  regression:
extensions:
  storage/agent:
    path: /var/lib/shop/slowatch.db
    snapshot_interval: 30s
  web:
  storage/unused:
service:
  extensions: [web, storage/agent]
  pipelines:
    traces: { processors: [slo/shop, baseline/b, anomaly/a, regression] }
`),
    );
    expect(settings.storage).toEqual({
      path: '/var/lib/shop/slowatch.db',
      snapshotIntervalMs: 30_000,
      rollupIntervalMs: 60_000,
      retention: { rollupsMs: 90 * 86_400_000, eventsMs: 90 * 86_400_000 },
    });
    expect(settings.ids).toEqual({ slo: 'slo/shop', baseline: 'baseline/b', anomaly: 'anomaly/a', regression: 'regression', web: 'web', storage: 'storage/agent' });
  });

  it('keeps nothing on disk when a storage extension is defined but not listed in service.extensions', () => {
    const settings = agentSettingsFrom(
      load(`
processors:
  slo:
extensions:
  storage:
service:
  pipelines:
    traces: { processors: [slo] }
`),
    );
    expect(settings.storage).toBeUndefined();
    expect(settings.ids.storage).toBeUndefined();
  });

  it('refuses two storage extensions: one store per agent', () => {
    const loaded = load(`
processors:
  slo:
extensions:
  storage/a: { path: a.db }
  storage/b: { path: b.db }
service:
  extensions: [storage/a, storage/b]
  pipelines:
    traces: { processors: [slo] }
`);
    expect(() => agentSettingsFrom(loaded)).toThrow(
      'service.extensions: the agent keeps one store, found 2 storage extensions: storage/a, storage/b (/etc/slowatch.yaml)',
    );
  });
});
