import type { ExportLogsServiceRequest } from './model/logs';
import type { ExportMetricsServiceRequest } from './model/metrics';
import type { ExportTraceServiceRequest } from './model/trace';

/**
 * One decoded OTLP export request, whatever its signal. Which member it is
 * follows from the signal it travels with (see `TelemetryBatch`): traces →
 * {@link ExportTraceServiceRequest}, metrics → {@link ExportMetricsServiceRequest},
 * logs → {@link ExportLogsServiceRequest}.
 */
export type ExportRequest = ExportTraceServiceRequest | ExportMetricsServiceRequest | ExportLogsServiceRequest;

export type { ExportLogsServiceRequest, ExportMetricsServiceRequest, ExportTraceServiceRequest };
