import { resolveConfigDataOrThrow } from './resolve-config';
import type { SlowatchConfig } from './slowatch-config';

/** `LoadedConfig.source` when no file was found. */
export const BUILT_IN_DEFAULTS_SOURCE = '<built-in defaults>';

/**
 * The configuration slowatch runs with when there is no file, as the data a
 * YAML file would parse to. The repository's otel-config.yaml documents
 * exactly this (a test keeps the two equal): the OTLP receiver on loopback
 * (HTTP 4318, gRPC 4317) feeding every processor with its defaults (slo,
 * baseline, anomaly, regression and recommend on traces; recommend on
 * metrics too, for the runtime signals), the Prometheus endpoint for the
 * metrics, the health check, the report pages and API (web, 127.0.0.1:8888)
 * and the store behind them (storage, ./data/slowatch.db). Nothing is
 * forwarded: there is no downstream to assume on a fresh machine. Empty
 * component values mean each component's createDefaultConfig().
 * The agent on these defaults runs the slo processor and /metrics only (see
 * agentSettingsFrom): the rest is opt-in through a file.
 */
export function createBuiltInConfigData(): Record<string, unknown> {
  return {
    receivers: { otlp: { protocols: { http: null, grpc: null } } },
    processors: { slo: null, baseline: null, anomaly: null, regression: null, recommend: null },
    exporters: { prometheus: null },
    extensions: { health_check: null, web: null, storage: null },
    service: {
      extensions: ['health_check', 'web', 'storage'],
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['slo', 'baseline', 'anomaly', 'regression', 'recommend'], exporters: [] },
        'metrics/runtime': { receivers: ['otlp'], processors: ['recommend'], exporters: [] },
        metrics: { receivers: [], processors: [], exporters: ['prometheus'] },
      },
    },
  };
}

/** The built-in configuration, resolved like a file would be (the environment still supplies OTEL_* fallbacks). */
export function builtInConfig(env: NodeJS.ProcessEnv): SlowatchConfig {
  return resolveConfigDataOrThrow(createBuiltInConfigData(), { file: BUILT_IN_DEFAULTS_SOURCE, env });
}
