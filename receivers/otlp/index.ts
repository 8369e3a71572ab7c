export { OtlpReceiver } from './otlp-receiver';
export type { OtlpReceiverOptions } from './otlp-receiver';
export {
  otlpReceiverFactory,
  createDefaultConfig,
  createDefaultGrpcConfig,
  createDefaultHttpConfig,
  resolveOtlpReceiverSettings,
  DEFAULT_OTLP_GRPC_ENDPOINT,
  DEFAULT_OTLP_HTTP_ENDPOINT,
} from './config';
export type {
  OtlpReceiverConfig,
  OtlpReceiverSettings,
  OtlpGrpcSettings,
  OtlpHttpSettings,
  OtlpServerSettings,
  TlsSettings,
  BearerAuthSettings,
} from './config';
export { RECEIVER_REQUESTS_METRIC, receiverMetricNames } from './receiver-metrics';
export type { RefusedConnectionReason, RequestOutcome, Transport } from './receiver-metrics';
export { OTLP_HTTP_PATHS, DEFAULT_HTTP_TIMEOUTS } from './http-server';
export type { HttpTimeouts } from './http-server';
export { OTLP_GRPC_METHODS } from '../../src/otlp/transport';
export type { PartialSuccess } from './codec';
export { otlpReceiverRuntime } from './runtime';
