/**
 * The codec against the OpenTelemetry JS SDK's own OTLP encodings
 * (@opentelemetry/otlp-transformer): what the decoders read is what the SDK
 * recorded, in both encodings; and the round trips through the codec keep it.
 */
import { describe, expect, it } from 'vitest';
import { ValueType } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import {
  anyValueToJs,
  attributesToRecord,
  countItems,
  decodeJsonRequest,
  decodeProtobufRequest,
  encodeJsonRequest,
  encodeProtobufRequest,
  toHex,
} from '../../src/otlp';
import type { ExportRequest, Metric, NumberDataPoint, Span } from '../../src/otlp';
import type { Signal } from '../../src/otlp/signal';
import { hrTimeToNanos, sdkLogs, sdkMetrics, sdkTraces } from './sdk-fixtures';

const hex = (b: Uint8Array | undefined): string => (b === undefined ? '' : toHex(b));

/** Every check of a round trip: model → protobuf → model, model → JSON → model, canonical bytes stable. */
function expectRoundTrips(signal: Signal, model: ExportRequest): void {
  const pb = encodeProtobufRequest(signal, model);
  const fromPb = decodeProtobufRequest(signal, pb);
  expect(fromPb).toEqual(model);
  // Our encoding is canonical: encoding what it decodes gives the same bytes.
  expect(Buffer.from(encodeProtobufRequest(signal, fromPb)).equals(Buffer.from(pb))).toBe(true);
  const json = encodeJsonRequest(signal, model);
  const fromJson = decodeJsonRequest(signal, json);
  expect(fromJson).toEqual(model);
  expect(encodeJsonRequest(signal, fromJson)).toBe(json);
  // Cross conversions.
  expect(decodeProtobufRequest(signal, encodeProtobufRequest(signal, fromJson))).toEqual(model);
  expect(decodeJsonRequest(signal, encodeJsonRequest(signal, fromPb))).toEqual(model);
}

describe('traces from the SDK', () => {
  const fixture = sdkTraces();

  it('decode to the same model from protobuf and from JSON', () => {
    const fromPb = decodeProtobufRequest('traces', fixture.protobuf);
    const fromJson = decodeJsonRequest('traces', fixture.json);
    expect(fromJson).toEqual(fromPb);
    expect(countItems('traces', fromPb)).toBe(fixture.spans.length);
  });

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`decode (${encoding}) to exactly the SDK's values`, () => {
      const req = encoding === 'protobuf' ? decodeProtobufRequest('traces', fixture.protobuf) : decodeJsonRequest('traces', fixture.json);
      const decoded = new Map<string, { span: Span; resource: Record<string, unknown>; scope: { name?: string; version?: string }; schemaUrl?: string }>();
      expect(req.resourceSpans).toHaveLength(2);
      for (const rs of req.resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) {
          for (const span of ss.spans ?? []) {
            decoded.set(hex(span.spanId), { span, resource: attributesToRecord(rs.resource?.attributes), scope: ss.scope ?? {}, schemaUrl: ss.schemaUrl });
          }
        }
      }
      expect(decoded.size).toBe(fixture.spans.length);
      for (const sdk of fixture.spans) {
        const ctx = sdk.spanContext();
        const got = decoded.get(ctx.spanId);
        expect(got, `span ${sdk.name}`).toBeDefined();
        const { span, resource, scope, schemaUrl } = got!;
        expect(hex(span.traceId)).toBe(ctx.traceId);
        expect(hex(span.spanId)).toBe(ctx.spanId);
        expect(hex(span.parentSpanId)).toBe(sdk.parentSpanContext?.spanId ?? '');
        expect(span.traceState ?? '').toBe(ctx.traceState?.serialize() ?? '');
        expect(span.name).toBe(sdk.name);
        expect(span.kind).toBe(sdk.kind + 1); // the API's SpanKind starts at INTERNAL = 0, OTLP's at UNSPECIFIED = 0
        expect(span.startTimeUnixNano).toBe(hrTimeToNanos(sdk.startTime));
        expect(span.endTimeUnixNano).toBe(hrTimeToNanos(sdk.endTime));
        expect(attributesToRecord(span.attributes)).toEqual(sdk.attributes);
        expect(span.droppedAttributesCount ?? 0).toBe(sdk.droppedAttributesCount);
        expect(span.droppedEventsCount ?? 0).toBe(sdk.droppedEventsCount);
        expect(span.droppedLinksCount ?? 0).toBe(sdk.droppedLinksCount);
        expect((span.flags ?? 0) & 0xff).toBe(ctx.traceFlags);
        expect((span.flags ?? 0) & 0x100).toBe(0x100); // the SDK always says whether the parent is remote
        expect(((span.flags ?? 0) & 0x200) !== 0).toBe(sdk.parentSpanContext?.isRemote === true);
        expect(span.status?.code ?? 0).toBe(sdk.status.code);
        expect(span.status?.message ?? '').toBe(sdk.status.message ?? '');
        expect(span.events ?? []).toHaveLength(sdk.events.length);
        sdk.events.forEach((e, i) => {
          const ev = span.events![i]!;
          expect(ev.name).toBe(e.name);
          expect(ev.timeUnixNano).toBe(hrTimeToNanos(e.time));
          expect(attributesToRecord(ev.attributes)).toEqual(e.attributes ?? {});
        });
        expect(span.links ?? []).toHaveLength(sdk.links.length);
        sdk.links.forEach((l, i) => {
          const link = span.links![i]!;
          expect(hex(link.traceId)).toBe(l.context.traceId);
          expect(hex(link.spanId)).toBe(l.context.spanId);
          expect(link.traceState ?? '').toBe(l.context.traceState?.serialize() ?? '');
          expect(attributesToRecord(link.attributes)).toEqual(l.attributes ?? {});
        });
        expect(resource).toEqual(sdk.resource.attributes);
        expect(scope.name).toBe(sdk.instrumentationScope.name);
        expect(scope.version ?? '').toBe(sdk.instrumentationScope.version ?? '');
        expect(schemaUrl ?? '').toBe(sdk.instrumentationScope.schemaUrl ?? '');
      }
    });
  }

  it('survive every round trip', () => {
    expectRoundTrips('traces', decodeProtobufRequest('traces', fixture.protobuf));
  });

  it("re-encode the SDK's protobuf without losing anything (decode ∘ encode ∘ decode = decode)", () => {
    // The SDK writes some zero-valued fields (dropped counts) that proto3 need not
    // write, so its bytes are not byte-identical to our canonical output; the content is.
    const decoded = decodeProtobufRequest('traces', fixture.protobuf);
    const again = encodeProtobufRequest('traces', decoded);
    expect(decodeProtobufRequest('traces', again)).toEqual(decoded);
    expect(again.length).toBeLessThanOrEqual(fixture.protobuf.length);
  });
});

function nanos(t: [number, number]): bigint {
  return hrTimeToNanos(t);
}

describe('metrics from the SDK', async () => {
  const fixture = await sdkMetrics();

  it('decode to the same model from protobuf and from JSON', () => {
    const fromPb = decodeProtobufRequest('metrics', fixture.protobuf);
    const fromJson = decodeJsonRequest('metrics', fixture.json);
    expect(fromJson).toEqual(fromPb);
    let points = 0;
    for (const sm of fixture.resourceMetrics.scopeMetrics) for (const m of sm.metrics) points += m.dataPoints.length;
    expect(countItems('metrics', fromPb)).toBe(points);
  });

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`decode (${encoding}) to exactly the SDK's values`, () => {
      const req = encoding === 'protobuf' ? decodeProtobufRequest('metrics', fixture.protobuf) : decodeJsonRequest('metrics', fixture.json);
      expect(req.resourceMetrics).toHaveLength(1);
      const rm = req.resourceMetrics![0]!;
      expect(attributesToRecord(rm.resource?.attributes)).toEqual(fixture.resourceMetrics.resource.attributes);
      const sdkScopes = fixture.resourceMetrics.scopeMetrics;
      expect(rm.scopeMetrics).toHaveLength(sdkScopes.length);
      const kinds = new Set<string>();
      sdkScopes.forEach((sdkScope, si) => {
        const scope = rm.scopeMetrics![si]!;
        expect(scope.scope?.name).toBe(sdkScope.scope.name);
        expect(scope.scope?.version ?? '').toBe(sdkScope.scope.version ?? '');
        expect(scope.schemaUrl ?? '').toBe(sdkScope.scope.schemaUrl ?? '');
        expect(scope.metrics).toHaveLength(sdkScope.metrics.length);
        sdkScope.metrics.forEach((sdkMetric, mi) => {
          const metric: Metric = scope.metrics![mi]!;
          expect(metric.name).toBe(sdkMetric.descriptor.name);
          expect(metric.unit ?? '').toBe(sdkMetric.descriptor.unit);
          expect(metric.description ?? '').toBe(sdkMetric.descriptor.description);
          const temporality = sdkMetric.aggregationTemporality === AggregationTemporality.DELTA ? 1 : 2; // OTLP DELTA = 1, CUMULATIVE = 2
          switch (sdkMetric.dataPointType) {
            case DataPointType.SUM: {
              kinds.add(sdkMetric.isMonotonic ? 'monotonic sum' : 'sum');
              expect(metric.sum?.aggregationTemporality).toBe(temporality);
              expect(metric.sum?.isMonotonic ?? false).toBe(sdkMetric.isMonotonic);
              expectNumberPoints(metric.sum?.dataPoints, sdkMetric.dataPoints, sdkMetric.descriptor.valueType);
              break;
            }
            case DataPointType.GAUGE: {
              kinds.add(sdkMetric.descriptor.name === 'heap.used' ? 'observable gauge' : 'gauge');
              expectNumberPoints(metric.gauge?.dataPoints, sdkMetric.dataPoints, sdkMetric.descriptor.valueType);
              break;
            }
            case DataPointType.HISTOGRAM: {
              kinds.add('histogram');
              expect(metric.histogram?.aggregationTemporality).toBe(temporality);
              const points = metric.histogram?.dataPoints ?? [];
              expect(points).toHaveLength(sdkMetric.dataPoints.length);
              sdkMetric.dataPoints.forEach((p, i) => {
                const got = points[i]!;
                const v = p.value;
                expect(attributesToRecord(got.attributes)).toEqual(p.attributes);
                expect(got.startTimeUnixNano).toBe(nanos(p.startTime));
                expect(got.timeUnixNano).toBe(nanos(p.endTime));
                expect(got.count).toBe(BigInt(v.count));
                expect(got.sum).toBe(v.sum);
                expect(got.min).toBe(v.min);
                expect(got.max).toBe(v.max);
                expect(got.explicitBounds).toEqual(v.buckets.boundaries);
                expect(got.bucketCounts).toEqual(v.buckets.counts.map(BigInt));
              });
              break;
            }
            case DataPointType.EXPONENTIAL_HISTOGRAM: {
              kinds.add('exponential histogram');
              expect(metric.exponentialHistogram?.aggregationTemporality).toBe(temporality);
              const points = metric.exponentialHistogram?.dataPoints ?? [];
              expect(points).toHaveLength(sdkMetric.dataPoints.length);
              sdkMetric.dataPoints.forEach((p, i) => {
                const got = points[i]!;
                const v = p.value;
                expect(got.count).toBe(BigInt(v.count));
                expect(got.sum).toBe(v.sum);
                expect(got.min).toBe(v.min);
                expect(got.max).toBe(v.max);
                expect(got.scale ?? 0).toBe(v.scale);
                expect(got.zeroCount ?? 0n).toBe(BigInt(v.zeroCount));
                expect(got.positive?.offset ?? 0).toBe(v.positive.offset);
                expect(got.positive?.bucketCounts ?? []).toEqual(v.positive.bucketCounts.map(BigInt));
                expect(got.negative?.offset ?? 0).toBe(v.negative.offset);
                expect(got.negative?.bucketCounts ?? []).toEqual(v.negative.bucketCounts.map(BigInt));
                expect(got.timeUnixNano).toBe(nanos(p.endTime));
              });
              break;
            }
          }
        });
      });
      expect([...kinds].sort()).toEqual(['exponential histogram', 'gauge', 'histogram', 'monotonic sum', 'observable gauge', 'sum']);
    });
  }

  it('survive every round trip', () => {
    expectRoundTrips('metrics', decodeProtobufRequest('metrics', fixture.protobuf));
  });
});

function expectNumberPoints(
  got: NumberDataPoint[] | undefined,
  sdkPoints: readonly { attributes: object; startTime: [number, number]; endTime: [number, number]; value: unknown }[],
  valueType: ValueType,
): void {
  expect(got ?? []).toHaveLength(sdkPoints.length);
  sdkPoints.forEach((p, i) => {
    const point = got![i]!;
    expect(attributesToRecord(point.attributes)).toEqual(p.attributes);
    expect(point.startTimeUnixNano).toBe(nanos(p.startTime));
    expect(point.timeUnixNano).toBe(nanos(p.endTime));
    if (valueType === ValueType.INT) {
      expect(point.asInt).toBe(BigInt(p.value as number));
      expect(point.asDouble).toBeUndefined();
    } else {
      expect(point.asDouble).toBe(p.value);
      expect(point.asInt).toBeUndefined();
    }
  });
}

describe('logs from the SDK', () => {
  const fixture = sdkLogs();

  it('decode to the same model from protobuf and from JSON', () => {
    const fromPb = decodeProtobufRequest('logs', fixture.protobuf);
    const fromJson = decodeJsonRequest('logs', fixture.json);
    expect(fromJson).toEqual(fromPb);
    expect(countItems('logs', fromPb)).toBe(fixture.records.length);
  });

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`decode (${encoding}) to exactly the SDK's values`, () => {
      const req = encoding === 'protobuf' ? decodeProtobufRequest('logs', fixture.protobuf) : decodeJsonRequest('logs', fixture.json);
      const records = (req.resourceLogs ?? []).flatMap((rl) => (rl.scopeLogs ?? []).flatMap((sl) => (sl.logRecords ?? []).map((r) => ({ r, sl, rl }))));
      expect(records).toHaveLength(fixture.records.length);
      fixture.records.forEach((sdk, i) => {
        const { r, sl, rl } = records[i]!;
        expect(r.timeUnixNano).toBe(hrTimeToNanos(sdk.hrTime));
        expect(r.observedTimeUnixNano).toBe(hrTimeToNanos(sdk.hrTimeObserved));
        expect(r.severityNumber ?? 0).toBe(sdk.severityNumber ?? 0);
        expect(r.severityText ?? '').toBe(sdk.severityText ?? '');
        expect(r.eventName ?? '').toBe(sdk.eventName ?? '');
        expect(normalizeBody(anyValueToJs(r.body))).toEqual(normalizeBody(sdk.body));
        expect(attributesToRecord(r.attributes)).toEqual(sdk.attributes);
        expect(hex(r.traceId)).toBe(sdk.spanContext?.traceId ?? '');
        expect(hex(r.spanId)).toBe(sdk.spanContext?.spanId ?? '');
        expect(r.flags ?? 0).toBe(sdk.spanContext?.traceFlags ?? 0);
        expect(sl.scope?.name).toBe(sdk.instrumentationScope.name);
        expect(attributesToRecord(rl.resource?.attributes)).toEqual(sdk.resource.attributes);
      });
    });
  }

  it('carry a bytes body as bytes (base64 in JSON)', () => {
    const req = decodeJsonRequest('logs', fixture.json);
    const bodies = (req.resourceLogs ?? []).flatMap((rl) => (rl.scopeLogs ?? []).flatMap((sl) => (sl.logRecords ?? []).map((r) => r.body)));
    expect(bodies.map((b) => b?.bytesValue).filter((b) => b !== undefined)).toEqual([new Uint8Array([0, 1, 2, 254, 255])]);
  });

  it('survive every round trip', () => {
    expectRoundTrips('logs', decodeProtobufRequest('logs', fixture.protobuf));
  });
});

/** The SDK keeps `null` inside maps; OTLP carries it as the empty AnyValue, which anyValueToJs gives as undefined. */
function normalizeBody(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Uint8Array) return Array.from(v);
  if (Array.isArray(v)) return v.map(normalizeBody);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = normalizeBody(x);
    return out;
  }
  return v;
}
