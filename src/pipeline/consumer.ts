import type { TelemetryBatch } from './telemetry-batch';

/**
 * The next stage of a pipeline (a processor, an exporter, or a fan-out to
 * several exporters). `consume` resolves once the batch is accepted: for an
 * exporter with a sending queue, once it is queued. It rejects with a
 * BackpressureError when the batch cannot be taken now (the receiver answers
 * 503 / UNAVAILABLE with Retry-After), or a PermanentError when it never can
 * (400 / INVALID_ARGUMENT). Any other rejection is an internal error (500 / INTERNAL).
 */
export interface Consumer {
  consume(batch: TelemetryBatch): Promise<void>;
}
