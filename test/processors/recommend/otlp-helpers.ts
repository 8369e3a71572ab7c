import type { Logger } from '../../../src/logging/logger';
import type { KeyValue } from '../../../src/otlp/model/common';
import type { ExportMetricsServiceRequest, Metric } from '../../../src/otlp/model/metrics';
import type { ExportTraceServiceRequest, Span } from '../../../src/otlp/model/trace';
import type { TelemetryBatch } from '../../../src/pipeline/telemetry-batch';

/*
 * OTLP requests as a service's SDK would send them to the gateway: traces
 * with a loop of queries under one server span (N+1), and the Node.js
 * runtime metrics of @opentelemetry/instrumentation-runtime-node 0.36.
 */

export const T0 = Date.UTC(2026, 10, 2, 9);
export const NANOS_PER_MS = 1_000_000n;

export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, error?: unknown) => lines.push(`${level}: ${message}${error instanceof Error ? `: ${error.message}` : ''}`);
  return { lines, error: push('error'), warn: push('warn'), info: push('info'), debug: push('debug') };
}

/** `bytes` bytes, big-endian `n` in the last ones (a trace id is 16 bytes, a span id 8). */
export function idBytes(n: number, bytes: number): Uint8Array {
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(bytes * 2, '0'), 'hex'));
}

export const hexOf = (id: Uint8Array): string => Buffer.from(id).toString('hex');

const str = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });

export interface NPlusOneTraceSpec {
  /** Distinguishes the trace (its id is derived from it). */
  readonly trace: number;
  /** When the server span starts. */
  readonly startMs: number;
  /** Queries in the loop. @default 8 */
  readonly queries?: number;
  /** Duration of each query. @default 10 */
  readonly queryMs?: number;
}

/** The trace id of `nPlusOneTrace({ trace })`, in hex. */
export const traceIdHex = (trace: number): string => hexOf(idBytes(trace, 16));

/**
 * `GET /orders/:id` loading each item with its own query: one SERVER span
 * (1 ms of own time before and after) and `queries` sequential CLIENT spans
 * `SELECT … WHERE id = <n>` on postgresql. Span ids: trace × 100 + 0 for the
 * server span, + i + 1 for the queries.
 */
export function nPlusOneTrace(spec: NPlusOneTraceSpec): Span[] {
  const queries = spec.queries ?? 8;
  const queryMs = spec.queryMs ?? 10;
  const traceId = idBytes(spec.trace, 16);
  const start = BigInt(spec.startMs) * NANOS_PER_MS;
  const at = (ms: number): bigint => start + BigInt(Math.round(ms * 1000)) * 1000n;
  const rootId = idBytes(spec.trace * 100, 8);
  const spans: Span[] = [
    {
      traceId,
      spanId: rootId,
      name: 'GET /orders/:id',
      kind: 2,
      startTimeUnixNano: start,
      endTimeUnixNano: at(queries * queryMs + 2),
      status: {},
      attributes: [str('http.request.method', 'GET'), str('http.route', '/orders/:id'), { key: 'http.response.status_code', value: { intValue: 200n } }, str('user.id', 'u-1')],
    },
  ];
  for (let i = 0; i < queries; i++) {
    spans.push({
      traceId,
      spanId: idBytes(spec.trace * 100 + i + 1, 8),
      parentSpanId: rootId,
      name: 'SELECT shop.items',
      kind: 3,
      startTimeUnixNano: at(1 + i * queryMs),
      endTimeUnixNano: at(1 + (i + 1) * queryMs),
      attributes: [str('db.system', 'postgresql'), str('db.statement', `SELECT * FROM items WHERE id = ${1000 + i}`), str('db.name', 'shop')],
    });
  }
  return spans;
}

export function traceRequest(service: string, spans: Span[]): ExportTraceServiceRequest {
  return { resourceSpans: [{ resource: { attributes: [str('service.name', service)] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] };
}

export function traceBatch(request: ExportTraceServiceRequest): TelemetryBatch {
  const itemCount = (request.resourceSpans ?? []).reduce((n, r) => n + (r.scopeSpans ?? []).reduce((m, s) => m + (s.spans?.length ?? 0), 0), 0);
  return { signal: 'traces', request, itemCount };
}

export function metricsRequest(service: string, metrics: Metric[], instance?: string): ExportMetricsServiceRequest {
  const attributes = [str('service.name', service)];
  if (instance !== undefined) attributes.push(str('service.instance.id', instance));
  return { resourceMetrics: [{ resource: { attributes }, scopeMetrics: [{ scope: { name: '@opentelemetry/instrumentation-runtime-node' }, metrics }] }] };
}

export function metricsBatch(request: ExportMetricsServiceRequest): TelemetryBatch {
  return { signal: 'metrics', request, itemCount: (request.resourceMetrics ?? []).reduce((n, r) => n + (r.scopeMetrics ?? []).reduce((m, s) => m + (s.metrics?.length ?? 0), 0), 0) };
}

const nanos = (ms: number): bigint => BigInt(ms) * NANOS_PER_MS;

/** `nodejs.eventloop.delay.p99`: a gauge in seconds, one point per collection. */
export function eventLoopP99(points: readonly (readonly [timeMs: number, seconds: number])[]): Metric {
  return { name: 'nodejs.eventloop.delay.p99', unit: 's', gauge: { dataPoints: points.map(([timeMs, seconds]) => ({ timeUnixNano: nanos(timeMs), asDouble: seconds })) } };
}

/** `v8js.memory.heap.used`: a gauge in bytes, one point per heap space. */
export function heapUsed(timeMs: number, bytesBySpace: Readonly<Record<string, number>>): Metric {
  return {
    name: 'v8js.memory.heap.used',
    unit: 'By',
    gauge: {
      dataPoints: Object.entries(bytesBySpace).map(([space, bytes]) => ({ timeUnixNano: nanos(timeMs), asInt: BigInt(bytes), attributes: [str('v8js.heap.space.name', space)] })),
    },
  };
}

/** `v8js.gc.duration`: a histogram in seconds, one point per GC type. */
export function gcDuration(temporality: 'cumulative' | 'delta', points: readonly { timeMs: number; startMs: number; type: string; sumSeconds: number }[]): Metric {
  return {
    name: 'v8js.gc.duration',
    unit: 's',
    histogram: {
      aggregationTemporality: temporality === 'delta' ? 1 : 2,
      dataPoints: points.map((p) => ({
        startTimeUnixNano: nanos(p.startMs),
        timeUnixNano: nanos(p.timeMs),
        count: 1n,
        sum: p.sumSeconds,
        bucketCounts: [1n],
        explicitBounds: [],
        attributes: [str('v8js.gc.type', p.type)],
      })),
    },
  };
}
