import type { TraceIdSource } from '../baseline/exemplar-set';
import { SpanSample } from './span-sample';

/**
 * The SLO engine's SpanSample plus the one extra fact the baseline engine
 * reads: the trace id, kept (copied) only for the few slowest spans of an
 * interval as evidence. Adapters fill one reused instance per span.
 */
export class BaselineSpanSample extends SpanSample {
  /** OTLP's 16 bytes or the SDK's 32 hex characters; undefined when unknown. */
  traceId: TraceIdSource = undefined;
}
