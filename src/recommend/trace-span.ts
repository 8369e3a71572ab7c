import type { AttributeMap } from '../engine/span-sample';

/**
 * One span of an assembled trace, as the trace analyzers read it: a compact
 * record the adapters (the agent's SpanProcessor, the gateway's OTLP reader)
 * build once per span, holding no reference to a decoded request's buffers.
 * Ids are lower-case hex, so the agent and the gateway produce the same ones.
 */
export interface TraceSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  /** Resource attribute service.name; '' when absent. */
  readonly service: string;
  readonly name: string;
  /** OTLP numbering (OtlpSpanKind). */
  readonly kind: number;
  readonly startTimeMs: number;
  readonly endTimeMs: number;
  /** OTLP numbering (OtlpStatusCode). */
  readonly statusCode: number;
  /** The span's own attributes (not the resource's). */
  readonly attributes: AttributeMap;
}

/**
 * What one analyzer found in one trace. Findings of the same `type` and
 * `groupKey` across traces become one recommendation (its fingerprint);
 * the aggregation, severity and impact over many traces are not the
 * analyzer's business.
 */
export interface TraceFinding {
  /** The analyzer's type id, part of the contract (`n_plus_one_db`, …). */
  readonly type: string;
  /** Service of the span the finding is about (the parent of the repeated calls, say). */
  readonly service: string;
  /** Operation of that span, named as the SLO engine names operations. */
  readonly operation: string;
  /**
   * What makes two findings the same problem, beyond type, service and
   * operation: the normalised statement, the host and route template, …
   */
  readonly groupKey: string;
  readonly traceId: string;
  /** Wall-clock time a fix would save in this trace, in milliseconds (≥ 0). */
  readonly impactMs: number;
  /** Figures and examples for the evidence, flat and JSON-serialisable. */
  readonly evidence: Readonly<Record<string, string | number | readonly string[]>>;
}
