import { anyValueToJs } from '../../src/otlp/attributes';
import { toHex } from '../../src/otlp/codec/bytes';
import type { KeyValue, Resource } from '../../src/otlp/model/common';
import type { ExportTraceServiceRequest } from '../../src/otlp/model/trace';
import { RECOMMEND_ATTRIBUTE_KEYS } from '../../src/recommend/trace-span-attributes';
import type { TraceSpan } from '../../src/recommend/trace-span';
import { boundedLabelValue } from '../../src/engine/label-value';

/** Milliseconds of a nanosecond timestamp, keeping microseconds (exact BigInt division first). */
function toMs(nanos: bigint | undefined): number {
  return Number((nanos ?? 0n) / 1000n) / 1000;
}

function serviceOf(resource: Resource | undefined): string {
  for (const kv of resource?.attributes ?? []) {
    // Bounded as every engine bounds it: it names recommendations and joins them to SLO and key labels.
    if (kv.key === 'service.name') return boundedLabelValue(kv.value?.stringValue ?? '');
  }
  return '';
}

/** The analyzers' attributes (see RECOMMEND_ATTRIBUTE_KEYS) of one span, converted once. */
function pickAttributes(attributes: readonly KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (attributes === undefined) return out;
  for (let i = 0; i < attributes.length; i++) {
    const kv = attributes[i] as KeyValue;
    const key = kv.key;
    if (key !== undefined && RECOMMEND_ATTRIBUTE_KEYS.has(key)) out[key] = anyValueToJs(kv.value);
  }
  return out;
}

/**
 * Every span of a decoded OTLP trace request as a TraceSpan: the same record
 * the agent builds from an SDK span (lower-case hex ids, milliseconds, OTLP
 * kinds and statuses, the analyzers' attributes only), so the same traces
 * give the same findings through the agent and the gateway. service.name is
 * read once per resource. Spans without a trace id cannot be assembled and
 * are skipped.
 */
export function forEachTraceSpan(request: ExportTraceServiceRequest, visit: (span: TraceSpan) => void): void {
  for (const resourceSpans of request.resourceSpans ?? []) {
    const service = serviceOf(resourceSpans.resource);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const traceId = span.traceId;
        if (traceId === undefined || traceId.length === 0) continue;
        const parent = span.parentSpanId;
        visit({
          traceId: toHex(traceId),
          spanId: span.spanId === undefined ? '' : toHex(span.spanId),
          parentSpanId: parent === undefined || parent.length === 0 ? '' : toHex(parent),
          service,
          name: span.name ?? '',
          kind: span.kind ?? 0,
          startTimeMs: toMs(span.startTimeUnixNano),
          endTimeMs: toMs(span.endTimeUnixNano),
          statusCode: span.status?.code ?? 0,
          attributes: pickAttributes(span.attributes),
        });
      }
    }
  }
}
