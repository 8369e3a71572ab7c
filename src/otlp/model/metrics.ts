/**
 * metrics/v1/metrics.proto and collector/metrics/v1/metrics_service.proto as
 * plain objects; conventions in ./common.ts.
 */
import type { InstrumentationScope, KeyValue, OtlpMessage, Resource } from './common';

/** metrics.proto `AggregationTemporality`. */
export const AggregationTemporality = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
} as const;
export type AggregationTemporality = (typeof AggregationTemporality)[keyof typeof AggregationTemporality];

/** metrics.proto `DataPointFlags` (bit masks for the data points' `flags`). */
export const DataPointFlags = {
  DATA_POINT_FLAGS_DO_NOT_USE: 0,
  DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK: 1,
} as const;

/** collector/metrics/v1/metrics_service.proto `ExportMetricsServiceRequest`. */
export interface ExportMetricsServiceRequest extends OtlpMessage {
  resourceMetrics?: ResourceMetrics[];
}

/** metrics.proto `ResourceMetrics`. */
export interface ResourceMetrics extends OtlpMessage {
  resource?: Resource;
  scopeMetrics?: ScopeMetrics[];
  schemaUrl?: string;
}

/** metrics.proto `ScopeMetrics`. */
export interface ScopeMetrics extends OtlpMessage {
  scope?: InstrumentationScope;
  metrics?: Metric[];
  schemaUrl?: string;
}

/** metrics.proto `Metric`: `gauge`, `sum`, `histogram`, `exponentialHistogram` and `summary` are a oneof. */
export interface Metric extends OtlpMessage {
  name?: string;
  description?: string;
  unit?: string;
  gauge?: Gauge;
  sum?: Sum;
  histogram?: Histogram;
  exponentialHistogram?: ExponentialHistogram;
  summary?: Summary;
  metadata?: KeyValue[];
}

/** metrics.proto `Gauge`. */
export interface Gauge extends OtlpMessage {
  dataPoints?: NumberDataPoint[];
}

/** metrics.proto `Sum`. */
export interface Sum extends OtlpMessage {
  dataPoints?: NumberDataPoint[];
  /** {@link AggregationTemporality} */
  aggregationTemporality?: number;
  isMonotonic?: boolean;
}

/** metrics.proto `Histogram`. */
export interface Histogram extends OtlpMessage {
  dataPoints?: HistogramDataPoint[];
  /** {@link AggregationTemporality} */
  aggregationTemporality?: number;
}

/** metrics.proto `ExponentialHistogram`. */
export interface ExponentialHistogram extends OtlpMessage {
  dataPoints?: ExponentialHistogramDataPoint[];
  /** {@link AggregationTemporality} */
  aggregationTemporality?: number;
}

/** metrics.proto `Summary`. */
export interface Summary extends OtlpMessage {
  dataPoints?: SummaryDataPoint[];
}

/** metrics.proto `NumberDataPoint`: `asDouble` and `asInt` are a oneof. */
export interface NumberDataPoint extends OtlpMessage {
  attributes?: KeyValue[];
  startTimeUnixNano?: bigint;
  timeUnixNano?: bigint;
  asDouble?: number;
  /** sfixed64 */
  asInt?: bigint;
  exemplars?: Exemplar[];
  /** {@link DataPointFlags} */
  flags?: number;
}

/** metrics.proto `HistogramDataPoint`: `sum`, `min`, `max` are proto3 `optional` (present when not undefined). */
export interface HistogramDataPoint extends OtlpMessage {
  attributes?: KeyValue[];
  startTimeUnixNano?: bigint;
  timeUnixNano?: bigint;
  count?: bigint;
  sum?: number;
  bucketCounts?: bigint[];
  explicitBounds?: number[];
  exemplars?: Exemplar[];
  flags?: number;
  min?: number;
  max?: number;
}

/** metrics.proto `ExponentialHistogramDataPoint`: `sum`, `min`, `max` are proto3 `optional`. */
export interface ExponentialHistogramDataPoint extends OtlpMessage {
  attributes?: KeyValue[];
  startTimeUnixNano?: bigint;
  timeUnixNano?: bigint;
  count?: bigint;
  sum?: number;
  /** sint32 */
  scale?: number;
  zeroCount?: bigint;
  positive?: ExponentialHistogramBuckets;
  negative?: ExponentialHistogramBuckets;
  flags?: number;
  exemplars?: Exemplar[];
  min?: number;
  max?: number;
  zeroThreshold?: number;
}

/** metrics.proto `ExponentialHistogramDataPoint.Buckets`. */
export interface ExponentialHistogramBuckets extends OtlpMessage {
  /** sint32 */
  offset?: number;
  bucketCounts?: bigint[];
}

/** metrics.proto `SummaryDataPoint`. */
export interface SummaryDataPoint extends OtlpMessage {
  attributes?: KeyValue[];
  startTimeUnixNano?: bigint;
  timeUnixNano?: bigint;
  count?: bigint;
  sum?: number;
  quantileValues?: ValueAtQuantile[];
  flags?: number;
}

/** metrics.proto `SummaryDataPoint.ValueAtQuantile`. */
export interface ValueAtQuantile extends OtlpMessage {
  quantile?: number;
  value?: number;
}

/** metrics.proto `Exemplar`: `asDouble` and `asInt` are a oneof. */
export interface Exemplar extends OtlpMessage {
  filteredAttributes?: KeyValue[];
  timeUnixNano?: bigint;
  asDouble?: number;
  asInt?: bigint;
  /** 8 bytes when present and non-empty. */
  spanId?: Uint8Array;
  /** 16 bytes when present and non-empty. */
  traceId?: Uint8Array;
}

/** metrics_service.proto `ExportMetricsServiceResponse`. */
export interface ExportMetricsServiceResponse extends OtlpMessage {
  partialSuccess?: ExportMetricsPartialSuccess;
}

/** metrics_service.proto `ExportMetricsPartialSuccess`. */
export interface ExportMetricsPartialSuccess extends OtlpMessage {
  rejectedDataPoints?: bigint;
  errorMessage?: string;
}
