import { parseLogLevel } from '../src/logging/logger';
import type { LogLevel } from '../src/logging/logger';

/**
 * The agent's environment-driven switches, resolved in one place
 * (OpenTelemetry's OTEL_* variables plus SLOWATCH_CONFIG, which the config loader reads).
 */
export interface AgentEnvironment {
  /** OTEL_SDK_DISABLED=true turns the agent into a no-op. @default false */
  readonly sdkDisabled: boolean;
  /** OTEL_LOG_LEVEL; our own lines at or above it go to stderr. @default 'info' */
  readonly logLevel: LogLevel;
  /** OTEL_TRACES_EXPORTER contains `otlp`: spans also leave over OTLP http/protobuf. @default false */
  readonly otlpTraces: boolean;
  /** Exporter names in OTEL_TRACES_EXPORTER that the agent does not support (warned about). */
  readonly unsupportedTraceExporters: readonly string[];
}

const SUPPORTED_TRACE_EXPORTERS = new Set(['otlp', 'none', 'console']);

export function resolveAgentEnvironment(env: NodeJS.ProcessEnv): AgentEnvironment {
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  return {
    sdkDisabled: (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true',
    logLevel: parseLogLevel(env.OTEL_LOG_LEVEL) ?? 'info',
    otlpTraces: exporters.includes('otlp'),
    unsupportedTraceExporters: exporters.filter((e) => !SUPPORTED_TRACE_EXPORTERS.has(e)),
  };
}
