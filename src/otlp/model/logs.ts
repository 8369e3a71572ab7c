/**
 * logs/v1/logs.proto and collector/logs/v1/logs_service.proto as plain
 * objects; conventions in ./common.ts.
 */
import type { AnyValue, InstrumentationScope, KeyValue, OtlpMessage, Resource } from './common';

/** logs.proto `SeverityNumber` (0 = unspecified, 1–24 = TRACE … FATAL4). */
export const SeverityNumber = {
  SEVERITY_NUMBER_UNSPECIFIED: 0,
  SEVERITY_NUMBER_TRACE: 1,
  SEVERITY_NUMBER_TRACE2: 2,
  SEVERITY_NUMBER_TRACE3: 3,
  SEVERITY_NUMBER_TRACE4: 4,
  SEVERITY_NUMBER_DEBUG: 5,
  SEVERITY_NUMBER_DEBUG2: 6,
  SEVERITY_NUMBER_DEBUG3: 7,
  SEVERITY_NUMBER_DEBUG4: 8,
  SEVERITY_NUMBER_INFO: 9,
  SEVERITY_NUMBER_INFO2: 10,
  SEVERITY_NUMBER_INFO3: 11,
  SEVERITY_NUMBER_INFO4: 12,
  SEVERITY_NUMBER_WARN: 13,
  SEVERITY_NUMBER_WARN2: 14,
  SEVERITY_NUMBER_WARN3: 15,
  SEVERITY_NUMBER_WARN4: 16,
  SEVERITY_NUMBER_ERROR: 17,
  SEVERITY_NUMBER_ERROR2: 18,
  SEVERITY_NUMBER_ERROR3: 19,
  SEVERITY_NUMBER_ERROR4: 20,
  SEVERITY_NUMBER_FATAL: 21,
  SEVERITY_NUMBER_FATAL2: 22,
  SEVERITY_NUMBER_FATAL3: 23,
  SEVERITY_NUMBER_FATAL4: 24,
} as const;
export type SeverityNumber = (typeof SeverityNumber)[keyof typeof SeverityNumber];

/** collector/logs/v1/logs_service.proto `ExportLogsServiceRequest`. */
export interface ExportLogsServiceRequest extends OtlpMessage {
  resourceLogs?: ResourceLogs[];
}

/** logs.proto `ResourceLogs`. */
export interface ResourceLogs extends OtlpMessage {
  resource?: Resource;
  scopeLogs?: ScopeLogs[];
  schemaUrl?: string;
}

/** logs.proto `ScopeLogs`. */
export interface ScopeLogs extends OtlpMessage {
  scope?: InstrumentationScope;
  logRecords?: LogRecord[];
  schemaUrl?: string;
}

/** logs.proto `LogRecord`. */
export interface LogRecord extends OtlpMessage {
  timeUnixNano?: bigint;
  observedTimeUnixNano?: bigint;
  /** {@link SeverityNumber} */
  severityNumber?: number;
  severityText?: string;
  body?: AnyValue;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  /** fixed32; low 8 bits are the W3C trace flags. */
  flags?: number;
  /** 16 bytes when present and non-empty. */
  traceId?: Uint8Array;
  /** 8 bytes when present and non-empty. */
  spanId?: Uint8Array;
  eventName?: string;
}

/** logs_service.proto `ExportLogsServiceResponse`. */
export interface ExportLogsServiceResponse extends OtlpMessage {
  partialSuccess?: ExportLogsPartialSuccess;
}

/** logs_service.proto `ExportLogsPartialSuccess`. */
export interface ExportLogsPartialSuccess extends OtlpMessage {
  rejectedLogRecords?: bigint;
  errorMessage?: string;
}
