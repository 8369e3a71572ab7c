/**
 * The OTLP codec: protobuf and OTLP/JSON for export requests, export
 * responses and google.rpc.Status (./api.ts), its errors and limits, and the
 * attribute helpers. The model's types are in ../model.
 */
export {
  countItems,
  dataPointCount,
  decodeJsonRequest,
  decodeJsonResponse,
  decodeJsonStatus,
  decodeProtobufRequest,
  decodeProtobufResponse,
  decodeProtobufStatus,
  encodeJsonRequest,
  encodeJsonResponse,
  encodeJsonStatus,
  encodeProtobufRequest,
  encodeProtobufResponse,
  encodeProtobufStatus,
} from './api';
export type { PartialSuccess, StatusInfo } from './api';
export { OtlpDecodeError, OtlpEncodeError } from './errors';
export { DEFAULT_MAX_ANY_VALUE_DEPTH, MAX_ANY_VALUE_DEPTH_CEILING } from './limits';
export type { DecodeOptions } from './limits';
export { fromHex, toHex } from './bytes';
export { anyValueToJs, attributesToRecord } from '../attributes';
