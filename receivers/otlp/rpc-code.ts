/**
 * google.rpc.Code values used in OTLP error responses: the gRPC status of an
 * OTLP/gRPC call, and the `code` of the google.rpc.Status body of an OTLP/HTTP
 * error. Same numbers as @grpc/grpc-js's `status`.
 */
export const RpcCode = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;
export type RpcCode = (typeof RpcCode)[keyof typeof RpcCode];
