/**
 * Telemetry made by the OpenTelemetry JS SDK itself (sdk-trace-base,
 * sdk-metrics, sdk-logs) and encoded by its own OTLP serializers
 * (@opentelemetry/otlp-transformer): an encoder independent of slowatch's
 * codec, to test the decoders against.
 */
import { context, trace, TraceFlags, ValueType } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { TraceState } from '@opentelemetry/core';
import {
  JsonLogsSerializer,
  JsonMetricsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufMetricsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export function hrTimeToNanos(t: HrTime): bigint {
  return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
}

const decoder = new TextDecoder();

export interface SdkTraces {
  spans: ReadableSpan[];
  protobuf: Uint8Array;
  json: string;
}

/**
 * Spans under two resources and three scopes, with attributes of every type
 * the API allows, events, links, statuses, every kind, a remote parent with a
 * trace state, and limits low enough to drop attributes, events and links.
 */
export function sdkTraces(): SdkTraces {
  const spans: ReadableSpan[] = [];
  const make = (resourceAttributes: Record<string, string | number | boolean | string[]>): BasicTracerProvider => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes(resourceAttributes),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
      spanLimits: { attributeCountLimit: 12, eventCountLimit: 3, linkCountLimit: 2 },
    });
    // Collect on every end.
    const original = exporter.export.bind(exporter);
    exporter.export = (batch, done) => {
      spans.push(...batch);
      original(batch, done);
    };
    return provider;
  };
  const a = make({ 'service.name': 'shop', 'service.version': '1.2.3', 'host.cpus': 8, 'host.arm': false, 'deployment.tags': ['eu', 'blue'] });
  const b = make({ 'service.name': 'billing', 'tenant.weight': 0.25 });

  const remoteParent = trace.setSpanContext(context.active(), {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: new TraceState('vendor=a1,other=b2'),
  });

  const http = a.getTracer('@opentelemetry/instrumentation-http', '0.223.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
  const root = http.startSpan(
    'GET /api/cart',
    {
      kind: 1, // SERVER
      startTime: [1_760_000_000, 123_456_789],
      attributes: {
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        'app.ratio': 0.75,
        'app.negative': -42,
        'app.big': 2 ** 40,
        'app.flag': true,
        'app.off': false,
        'app.empty': '',
        'app.unicode': 'héllo wörld ✓ 𝄞',
        'app.strings': ['a', 'b', ''],
        'app.numbers': [1, 2.5, -3],
        'app.bools': [true, false],
      },
      links: [
        {
          context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, traceState: new TraceState('k=v') },
          attributes: { 'link.kind': 'follows', 'link.n': 3 },
        },
        { context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 0 } },
        { context: { traceId: '11111111111111111111111111111111', spanId: '2222222222222222', traceFlags: 0 } },
      ],
    },
    remoteParent,
  );
  root.setAttribute('late.1', 'x'); // beyond the limit of 12: dropped
  root.setAttribute('late.2', 'y');
  root.addEvent('cache.miss', { key: 'cart:42', 'size.bytes': 512 }, [1_760_000_000, 200_000_000]);
  root.addEvent('retry', [1_760_000_000, 300_000_000]);
  root.addEvent('e3');
  root.addEvent('e4'); // beyond the limit of 3: dropped
  root.setStatus({ code: 2, message: 'payment failed' });

  const child = http.startSpan('SELECT carts', { kind: 2 /* CLIENT */, attributes: { 'db.system': 'postgresql' } }, trace.setSpan(context.active(), root));
  child.setStatus({ code: 1 });
  child.end([1_760_000_000, 900_000_000]);
  root.end([1_760_000_001, 0]);

  const kafka = a.getTracer('kafkajs', '2.0.0');
  for (const kind of [0, 3, 4]) {
    kafka.startSpan(`kind ${kind}`, { kind, startTime: [1_760_000_002, kind] }).end([1_760_000_002, 1000 + kind]);
  }

  const billing = b.getTracer('billing-lib');
  const s = billing.startSpan('charge', { attributes: { 'amount.cents': 1999, currency: 'EUR' } });
  s.end();

  const protobuf = ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array;
  const json = decoder.decode(JsonTraceSerializer.serializeRequest(spans));
  return { spans, protobuf, json };
}

class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface SdkMetrics {
  resourceMetrics: ResourceMetrics;
  protobuf: Uint8Array;
  json: string;
}

/** Metrics of every kind the SDK makes: sums (monotonic or not, int or double), gauges, explicit and exponential histograms. */
export async function sdkMetrics(): Promise<SdkMetrics> {
  const reader = new CollectingReader();
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop', 'service.instance.id': 'i-1' }),
    readers: [reader],
    views: [{ instrumentName: 'latency.exp', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 20 } } }],
  });
  const meter = provider.getMeter('shop-meter', '1.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
  const other = provider.getMeter('runtime');

  const requests = meter.createCounter('http.requests', { description: 'Requests served', unit: '{request}', valueType: ValueType.INT });
  requests.add(3, { route: '/a', code: 200 });
  requests.add(1, { route: '/b', code: 500 });
  const bytes = meter.createCounter('http.bytes', { unit: 'By' });
  bytes.add(1.5, { dir: 'in' });
  const active = meter.createUpDownCounter('http.active', { valueType: ValueType.INT });
  active.add(5);
  active.add(-7);
  const temp = meter.createGauge('room.temperature', { unit: 'Cel' });
  temp.record(21.5, { room: 'kitchen' });
  temp.record(-3.25, { room: 'freezer' });
  const latency = meter.createHistogram('latency', { unit: 'ms', advice: { explicitBucketBoundaries: [0, 5, 10, 25, 50, 100] } });
  for (const v of [1, 7, 7, 30, 120, 0, 4.5]) latency.record(v, { route: '/a' });
  const exp = meter.createHistogram('latency.exp', { unit: 's' });
  for (const v of [0.001, 0.002, 0.25, 3, 0, -1.5, -0.01]) exp.record(v);
  const heap = other.createObservableGauge('heap.used', { valueType: ValueType.INT });
  heap.addCallback((r) => r.observe(123456789, { space: 'old' }));
  const cpu = other.createObservableCounter('cpu.time', { unit: 's' });
  cpu.addCallback((r) => r.observe(12.75));

  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw new AggregateError(errors, 'metric collection failed');
  await provider.shutdown();
  const protobuf = ProtobufMetricsSerializer.serializeRequest(resourceMetrics) as Uint8Array;
  const json = decoder.decode(JsonMetricsSerializer.serializeRequest(resourceMetrics));
  return { resourceMetrics, protobuf, json };
}

export interface SdkLogs {
  records: ReadableLogRecord[];
  protobuf: Uint8Array;
  json: string;
}

/** Log records with string, map, array and bytes bodies, attributes, severities, event names and trace context. */
export function sdkLogs(): SdkLogs {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('app-logger', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
  const withSpan = trace.setSpanContext(context.active(), {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    traceFlags: TraceFlags.SAMPLED,
  });
  logger.emit({
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: 'cart checked out',
    attributes: { 'user.id': 'u-1', items: 3, total: 59.9, vip: true, tags: ['a', 'b'] },
    timestamp: [1_760_000_000, 5],
    observedTimestamp: [1_760_000_000, 6],
    context: withSpan,
  });
  logger.emit({
    severityNumber: SeverityNumber.ERROR2,
    body: { message: 'boom', code: 500, nested: { deep: [1, 'two', false, { k: null }] } },
    eventName: 'app.failure',
  });
  logger.emit({ body: ['x', 1, 2.5], severityNumber: SeverityNumber.FATAL4 });
  logger.emit({ body: new Uint8Array([0, 1, 2, 254, 255]), severityText: 'debug-bytes' });
  const other = provider.getLogger('second');
  other.emit({ body: '', attributes: { empty: '' } });
  const records = exporter.getFinishedLogRecords();
  const protobuf = ProtobufLogsSerializer.serializeRequest(records) as Uint8Array;
  const json = decoder.decode(JsonLogsSerializer.serializeRequest(records));
  return { records, protobuf, json };
}

