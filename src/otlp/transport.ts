import type { Signal } from './signal';

/**
 * The OTLP/gRPC service method of each signal:
 * `opentelemetry.proto.collector.<signal>.v1.<Service>/Export`, as the
 * collector/*_service.proto files define them. Receivers serve these paths,
 * exporters call them.
 */
export const OTLP_GRPC_METHODS: Readonly<Record<Signal, string>> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
};

/** Bytes for the wire, whether an encoder gives text (JSON) or bytes (protobuf); no copy for bytes. */
export function toBuffer(encoded: string | Uint8Array): Buffer {
  if (typeof encoded === 'string') return Buffer.from(encoded, 'utf8');
  return Buffer.isBuffer(encoded) ? encoded : Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}
