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
  /**
   * OTEL_METRICS_EXPORTER contains `otlp`: metrics (runtime metrics and
   * slowatch's own) also leave over OTLP http/protobuf, every
   * OTEL_METRIC_EXPORT_INTERVAL (default 60 s); /metrics is always served. @default false
   */
  readonly otlpMetrics: boolean;
  /** OTEL_METRIC_EXPORT_INTERVAL in milliseconds. @default 60000 */
  readonly metricExportIntervalMs: number;
  /** Exporter names in OTEL_TRACES_EXPORTER that the agent does not support (warned about). */
  readonly unsupportedTraceExporters: readonly string[];
  /**
   * OTEL_LOGS_EXPORTER is set: the SDK configures log export from it. Unset,
   * the agent exports no logs (the SDK's own default would post them to
   * localhost over OTLP, which nobody asked for). @default false
   */
  readonly logsExporterConfigured: boolean;
  /**
   * The service this process is, as the SDK's resource will say it:
   * OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES, else
   * the SDK's default. Runtime signals are attributed to it until a span
   * tells the resource's own value. @default 'unknown_service:node'
   */
  readonly serviceName: string;
}

const SUPPORTED_TRACE_EXPORTERS = new Set(['otlp', 'none', 'console']);

function lowerList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
}

/** service.name from OTEL_RESOURCE_ATTRIBUTES (`k=v,k=v`, values percent-encoded). */
function serviceNameFromResourceAttributes(value: string | undefined): string | undefined {
  for (const pair of (value ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === 'service.name') {
      try {
        return decodeURIComponent(pair.slice(at + 1).trim());
      } catch {
        return pair.slice(at + 1).trim();
      }
    }
  }
  return undefined;
}

function positiveInteger(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && value.trim() !== '' && Number.isInteger(n) && n > 0 ? n : undefined;
}

export function resolveAgentEnvironment(env: NodeJS.ProcessEnv): AgentEnvironment {
  const traceExporters = lowerList(env.OTEL_TRACES_EXPORTER);
  const otelLogLevel = env.OTEL_LOG_LEVEL?.trim() === '' ? undefined : env.OTEL_LOG_LEVEL;
  return {
    sdkDisabled: (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true',
    otelLogLevel,
    logLevel: parseLogLevel(otelLogLevel) ?? 'info',
    otlpTraces: traceExporters.includes('otlp'),
    otlpMetrics: lowerList(env.OTEL_METRICS_EXPORTER).includes('otlp'),
    metricExportIntervalMs: positiveInteger(env.OTEL_METRIC_EXPORT_INTERVAL) ?? 60_000,
    consoleTraces: traceExporters.includes('console'),
    unsupportedTraceExporters: traceExporters.filter((e) => !SUPPORTED_TRACE_EXPORTERS.has(e)),
    logsExporterConfigured: lowerList(env.OTEL_LOGS_EXPORTER).length > 0,
    serviceName: env.OTEL_SERVICE_NAME?.trim() || serviceNameFromResourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES) || 'unknown_service:node',
  };
}
