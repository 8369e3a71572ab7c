import { parseLogLevel } from '../src/logging/logger';
import type { LogLevel } from '../src/logging/logger';

/**
 * The agent's environment-driven switches, resolved in one place
 * (OpenTelemetry's OTEL_* variables; SLOWATCH_CONFIG is read by the config loader).
 */
export interface AgentEnvironment {
  /** OTEL_SDK_DISABLED=true turns the agent into a no-op. @default false */
  readonly sdkDisabled: boolean;
  /** OTEL_LOG_LEVEL as given (for the SDK's diagnostics); undefined when unset. */
  readonly otelLogLevel: string | undefined;
  /** Our own lines at or above this level go to stderr. @default 'info' */
  readonly logLevel: LogLevel;
  /** OTEL_TRACES_EXPORTER contains `otlp`: spans also leave over OTLP http/protobuf. @default false */
  readonly otlpTraces: boolean;
  /** OTEL_TRACES_EXPORTER contains `console`: spans are also printed. @default false */
  readonly consoleTraces: boolean;
  /** Exporter names in OTEL_TRACES_EXPORTER that the agent does not support (warned about). */
  readonly unsupportedTraceExporters: readonly string[];
  /**
   * OTEL_LOGS_EXPORTER is set: the SDK configures log export from it. Unset,
   * the agent exports no logs (the SDK's own default would post them to
   * localhost over OTLP, which nobody asked for). @default false
   */
  readonly logsExporterConfigured: boolean;
}

const SUPPORTED_TRACE_EXPORTERS = new Set(['otlp', 'none', 'console']);

function lowerList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
}

export function resolveAgentEnvironment(env: NodeJS.ProcessEnv): AgentEnvironment {
  const traceExporters = lowerList(env.OTEL_TRACES_EXPORTER);
  const otelLogLevel = env.OTEL_LOG_LEVEL?.trim() === '' ? undefined : env.OTEL_LOG_LEVEL;
  return {
    sdkDisabled: (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true',
    otelLogLevel,
    logLevel: parseLogLevel(otelLogLevel) ?? 'info',
    otlpTraces: traceExporters.includes('otlp'),
    consoleTraces: traceExporters.includes('console'),
    unsupportedTraceExporters: traceExporters.filter((e) => !SUPPORTED_TRACE_EXPORTERS.has(e)),
    logsExporterConfigured: lowerList(env.OTEL_LOGS_EXPORTER).length > 0,
  };
}
