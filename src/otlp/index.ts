/**
 * slowatch's OTLP codec: the OTLP data model as plain objects (./model),
 * protobuf and OTLP/JSON decoders and encoders for export requests, responses
 * and google.rpc.Status (./codec).
 */
export * from './model';
export * from './codec';
export type { ExportRequest } from './export-request';
export type { Signal } from './signal';
export { SIGNALS, ITEM_NOUN } from './signal';
