import type { ExportTraceServiceRequest, Span } from '../../../src/otlp/model/trace';
import type { KeyValue } from '../../../src/otlp/model/common';
import type { TelemetryBatch } from '../../../src/pipeline/telemetry-batch';

export interface SpanSpec {
  route: string;
  ms: number;
  /** 16 bytes; default derived from `id`. */
  traceId?: Uint8Array;
  id?: number;
  kind?: number;
  status?: number;
  code?: number;
  attributes?: KeyValue[];
}

export function traceIdOf(n: number): Uint8Array {
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(32, '0'), 'hex'));
}

/** One request of HTTP server spans of `service`, ending at `endMs`. */
export function otlpRequest(service: string, specs: readonly SpanSpec[], endMs = Date.UTC(2026, 10, 2)): ExportTraceServiceRequest {
  const end = BigInt(endMs) * 1_000_000n;
  const spans: Span[] = specs.map((s, i) => ({
    traceId: s.traceId ?? traceIdOf(s.id ?? i + 1),
    spanId: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, i % 256]),
    name: `GET ${s.route}`,
    kind: s.kind ?? 2,
    startTimeUnixNano: end - BigInt(Math.round(s.ms * 1e6)),
    endTimeUnixNano: end,
    ...(s.code !== undefined && { status: { code: s.code } }),
    attributes: [
      { key: 'http.request.method', value: { stringValue: 'GET' } },
      { key: 'http.route', value: { stringValue: s.route } },
      { key: 'http.response.status_code', value: { intValue: BigInt(s.status ?? 200) } },
      ...(s.attributes ?? []),
    ],
  }));
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [{ scope: { name: 'test' }, spans }],
      },
    ],
  };
}

export function batchOf(request: ExportTraceServiceRequest): TelemetryBatch {
  const itemCount = (request.resourceSpans ?? []).reduce((n, r) => n + (r.scopeSpans ?? []).reduce((m, s) => m + (s.spans?.length ?? 0), 0), 0);
  return { signal: 'traces', request, itemCount };
}
