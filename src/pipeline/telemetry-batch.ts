import type { Signal } from '../otlp/signal';
import type { ExportRequest } from '../otlp/export-request';

/**
 * What flows through a pipeline: one decoded OTLP export request of one
 * signal. `itemCount` (spans, metric data points or log records) is counted
 * once at the receiver; components that drop or split items build a new batch.
 */
export interface TelemetryBatch {
  readonly signal: Signal;
  readonly request: ExportRequest;
  readonly itemCount: number;
}
