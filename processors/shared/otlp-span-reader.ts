import type { SpanSample } from '../../src/engine/span-sample';
import type { Resource } from '../../src/otlp/model/common';
import type { Span } from '../../src/otlp/model/trace';

/** Nanoseconds per millisecond, for OTLP's nanosecond timestamps. */
const NS_PER_MS = 1_000_000;

/**
 * Fills one reused sample from decoded OTLP spans, for the gateway's
 * processors: what the spans of a ResourceSpans share is read once, in
 * useResource, and each span then costs only its own fields.
 */
export interface OtlpSpanReader<S extends SpanSample> {
  /** Reads the resource of the spans that follow (service.name at least). */
  useResource(resource: Resource | undefined): void;
  /** The sample for `span`: the same object every call, valid until the next call. */
  read(span: Span): S;
}

/**
 * The fields every reader fills alike: kind and status in OTLP's numbering
 * (the engines'), the name and the duration in milliseconds. Not the end
 * time: only the SLO reads it (see readOtlpSpanEndTimeMs), and its BigInt
 * division is per-span work the other engines would pay for nothing.
 */
export function readOtlpSpanFields(sample: SpanSample, span: Span): void {
  const start = span.startTimeUnixNano ?? 0n;
  const end = span.endTimeUnixNano ?? 0n;
  sample.kind = span.kind ?? 0;
  sample.name = span.name ?? '';
  sample.statusCode = span.status?.code ?? 0;
  sample.durationMs = end > start ? Number(end - start) / NS_PER_MS : 0;
}

/**
 * The span's end time in Unix milliseconds, keeping microseconds: dividing
 * the BigInt first keeps it exact, where Number() of nanoseconds since the
 * epoch would round (beyond 2^53).
 */
export function readOtlpSpanEndTimeMs(span: Span): number {
  return Number((span.endTimeUnixNano ?? 0n) / 1000n) / 1000;
}
