/**
 * google/rpc/status.proto `Status` and google/protobuf/any.proto `Any`, as
 * used by OTLP/gRPC and OTLP/HTTP error responses; conventions in ./common.ts.
 */
import type { OtlpMessage } from './common';

/** google.rpc.Status */
export interface RpcStatus extends OtlpMessage {
  code?: number;
  message?: string;
  details?: RpcAny[];
}

/** google.protobuf.Any */
export interface RpcAny extends OtlpMessage {
  typeUrl?: string;
  value?: Uint8Array;
}
