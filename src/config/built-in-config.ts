import { resolveConfigDataOrThrow } from './resolve-config';
import type { SlowatchConfig } from './slowatch-config';

/** `LoadedConfig.source` when no file was found. */
export const BUILT_IN_DEFAULTS_SOURCE = '<built-in defaults>';

/**
 * The configuration slowatch runs with when there is no file, as the data a
 * YAML file would parse to. The repository's otel-config.yaml documents
 * exactly this (a test keeps the two equal): an `slo` processor with its
 * default objectives on traces, and the Prometheus endpoint for the metrics.
 * Empty component values mean each component's createDefaultConfig().
 */
export function createBuiltInConfigData(): Record<string, unknown> {
  return {
    processors: { slo: null },
    exporters: { prometheus: null },
    service: {
      pipelines: {
        // No receiver yet: in the agent, the OpenTelemetry SDK in the process is the source of spans.
        traces: { receivers: [], processors: ['slo'], exporters: [] },
        metrics: { receivers: [], processors: [], exporters: ['prometheus'] },
      },
    },
  };
}

/** The built-in configuration, resolved like a file would be (the environment still supplies OTEL_* fallbacks). */
export function builtInConfig(env: NodeJS.ProcessEnv): SlowatchConfig {
  return resolveConfigDataOrThrow(createBuiltInConfigData(), { file: BUILT_IN_DEFAULTS_SOURCE, env });
}
