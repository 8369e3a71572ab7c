import { resolveConfigDataOrThrow } from './resolve-config';
import type { SlowatchConfig } from './slowatch-config';

/** `LoadedConfig.source` when no file was found. */
export const BUILT_IN_DEFAULTS_SOURCE = '<built-in defaults>';

/**
 * The configuration slowatch runs with when there is no file, as the data a
 * YAML file would parse to. The repository's otel-config.yaml documents
 * exactly this (a test keeps the two equal): the OTLP receiver on loopback
 * (HTTP 4318, gRPC 4317) feeding an `slo` processor with its default
 * objectives, the Prometheus endpoint for the metrics and the health check.
 * Nothing is forwarded: there is no downstream to assume on a fresh machine.
 * Empty component values mean each component's createDefaultConfig().
 * The agent runs the same file, minus receivers and extensions (its
 * OpenTelemetry SDK is the source of spans).
 */
export function createBuiltInConfigData(): Record<string, unknown> {
  return {
    receivers: { otlp: { protocols: { http: null, grpc: null } } },
    processors: { slo: null },
    exporters: { prometheus: null },
    extensions: { health_check: null },
    service: {
      extensions: ['health_check'],
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['slo'], exporters: [] },
        metrics: { receivers: [], processors: [], exporters: ['prometheus'] },
      },
    },
  };
}

/** The built-in configuration, resolved like a file would be (the environment still supplies OTEL_* fallbacks). */
export function builtInConfig(env: NodeJS.ProcessEnv): SlowatchConfig {
  return resolveConfigDataOrThrow(createBuiltInConfigData(), { file: BUILT_IN_DEFAULTS_SOURCE, env });
}
