/**
 * The few facts about one finished span that the SLO engine reads.
 *
 * Adapters (the agent's SpanProcessor, the gateway's OTLP decoder) fill one
 * reused instance per span instead of allocating, so the hot path stays
 * allocation-light (bench:processors measures about 48 B per span, V8's boxed
 * doubles for times). Attribute maps are read, never copied.
 */
export type AttributeMap = Readonly<Record<string, unknown>>;

/** OpenTelemetry span kinds, numbered as in the OTLP protobuf (SPAN_KIND_*). */
export const OtlpSpanKind = {
  UNSPECIFIED: 0,
  INTERNAL: 1,
  SERVER: 2,
  CLIENT: 3,
  PRODUCER: 4,
  CONSUMER: 5,
} as const;

/** OTLP status codes (STATUS_CODE_*). */
export const OtlpStatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export class SpanSample {
  /**
   * Resource attribute service.name; '' when absent. The readers that fill it cut it to
   * MAX_LABEL_VALUE_LENGTH (label-value.ts) once per resource: it becomes a series label in every engine.
   */
  service = '';
  /** OTLP numbering (OtlpSpanKind). */
  kind: number = OtlpSpanKind.UNSPECIFIED;
  name = '';
  /** OTLP numbering (OtlpStatusCode). */
  statusCode: number = OtlpStatusCode.UNSET;
  durationMs = 0;
  endTimeMs = 0;
  attributes: AttributeMap = EMPTY_ATTRIBUTES;
  resourceAttributes: AttributeMap = EMPTY_ATTRIBUTES;

  /** A span attribute, else a resource attribute, else undefined. */
  attribute(key: string): unknown {
    const value = this.attributes[key];
    return value !== undefined ? value : this.resourceAttributes[key];
  }
}

export const EMPTY_ATTRIBUTES: AttributeMap = Object.freeze({});

/** An engine the adapters feed samples to (the SLO, baseline and regression engines). */
export interface SpanSampleRecorder<S extends SpanSample = SpanSample> {
  /** Reads `sample` during the call only: the adapter refills the same object for the next span. */
  record(sample: S): void;
}

/**
 * An attribute value as a label or selector string: strings as they are,
 * numbers and booleans printed, arrays joined with commas, anything else ''.
 */
export function attributeValueToString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return value.map(attributeValueToString).join(',');
  return '';
}
