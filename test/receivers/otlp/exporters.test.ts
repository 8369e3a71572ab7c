import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../../../receivers/otlp/otlp-receiver';
import { attributesToRecord, toHex } from '../../../src/otlp/codec';
import type { ExportLogsServiceRequest } from '../../../src/otlp/model/logs';
import type { ExportMetricsServiceRequest } from '../../../src/otlp/model/metrics';
import type { ExportTraceServiceRequest, Span } from '../../../src/otlp/model/trace';
import type { Signal } from '../../../src/otlp/signal';
import { fakeConsumers, testContext } from './helpers/harness';
import type { FakeConsumer, TestContext } from './helpers/harness';

/*
 * The OpenTelemetry JS exporters (same 0.223 / 2.12 line as the agent)
 * exporting to the receiver over every transport: every item arrives, with
 * its ids and attributes, and each exporter reports success.
 */

const resource = resourceFromAttributes({ 'service.name': 'checkout', 'deployment.environment': 'test' });

function makeSpans(count: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('exporter-test', '1.2.3');
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan(`POST /checkout/${i}`, { kind: SpanKind.SERVER, attributes: { 'http.route': '/checkout/:id', 'http.response.status_code': i % 10 === 0 ? 500 : 200, index: i } });
    if (i % 10 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    span.addEvent('step', { n: i });
    span.end();
  }
  return memory.getFinishedSpans();
}

function exportWith<T>(exporter: { export(items: T, done: (result: ExportResult) => void): void }, items: T): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items, resolve));
}

function receivedSpans(consumer: FakeConsumer): Span[] {
  return consumer.batches.flatMap((b) =>
    ((b.request as ExportTraceServiceRequest).resourceSpans ?? []).flatMap((rs) => (rs.scopeSpans ?? []).flatMap((ss) => ss.spans ?? [])),
  );
}

class CollectingReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

async function makeMetrics(): Promise<{ resourceMetrics: ResourceMetrics; points: number }> {
  const reader = new CollectingReader();
  const provider = new MeterProvider({ resource, readers: [reader] });
  const meter = provider.getMeter('exporter-test');
  const counter = meter.createCounter('orders');
  const histogram = meter.createHistogram('latency', { unit: 'ms' });
  const gauge = meter.createGauge('queue.depth');
  for (let i = 0; i < 20; i++) {
    counter.add(1, { shop: `s${i % 4}` }); // 4 points
    histogram.record(i * 10, { route: `/r${i % 3}` }); // 3 points
  }
  gauge.record(5, { queue: 'a' }); // 1 point
  gauge.record(7, { queue: 'b' }); // 1 point
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  return { resourceMetrics, points: 9 };
}

async function makeLogs(count: number): Promise<ReadableLogRecord[]> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: memory })] });
  const logger = provider.getLogger('exporter-test');
  for (let i = 0; i < count; i++) logger.emit({ body: `order ${i} placed`, severityNumber: 9, severityText: 'INFO', attributes: { order: i } });
  await provider.forceFlush(); // the simple processor exports asynchronously
  const records = memory.getFinishedLogRecords();
  expect(records).toHaveLength(count);
  return records;
}

describe('real OpenTelemetry JS exporters → otlp receiver', () => {
  let receiver: OtlpReceiver;
  let consumers: Record<Signal, FakeConsumer>;
  let context: TestContext;
  let httpBase: string;
  let grpcUrl: string;

  beforeAll(async () => {
    consumers = fakeConsumers();
    context = testContext('otlp');
    receiver = new OtlpReceiver(
      { http: { host: '127.0.0.1', port: 0, maxRequestBodySize: 16 * 1024 * 1024 }, grpc: { host: '127.0.0.1', port: 0, maxRecvMsgSize: 16 * 1024 * 1024 } },
      consumers,
      context,
    );
    await receiver.start();
    httpBase = `http://127.0.0.1:${receiver.httpAddress?.port}`;
    grpcUrl = `http://127.0.0.1:${receiver.grpcAddress?.port}`;
  });
  afterAll(() => receiver.shutdown());
  beforeEach(() => {
    for (const consumer of Object.values(consumers)) consumer.batches.length = 0;
  });

  const traceExporters: readonly [string, () => SpanExporter][] = [
    ['http/protobuf', () => new ProtoTraceExporter({ url: `${httpBase}/v1/traces` })],
    ['http/protobuf + gzip', () => new ProtoTraceExporter({ url: `${httpBase}/v1/traces`, compression: 'gzip' as never })],
    ['http/json', () => new JsonTraceExporter({ url: `${httpBase}/v1/traces` })],
    ['http/json + gzip', () => new JsonTraceExporter({ url: `${httpBase}/v1/traces`, compression: 'gzip' as never })],
    ['grpc', () => new GrpcTraceExporter({ url: grpcUrl })],
    ['grpc + gzip', () => new GrpcTraceExporter({ url: grpcUrl, compression: 'gzip' as never })],
  ];

  it.each(traceExporters)('%s: every span arrives, field for field, and the exporter reports success', async (_name, create) => {
    const exporter = create();
    const spans = makeSpans(250);
    try {
      const result = await exportWith(exporter, spans);
      expect(result.error).toBeUndefined();
      expect(result.code).toBe(ExportResultCode.SUCCESS);
    } finally {
      await exporter.shutdown();
    }
    expect(consumers.traces.items).toBe(250);
    const received = receivedSpans(consumers.traces);
    expect(received).toHaveLength(250);
    const byId = new Map(received.map((s) => [toHex(s.spanId ?? new Uint8Array()), s]));
    for (const sent of spans) {
      const got = byId.get(sent.spanContext().spanId);
      expect(got, sent.name).toBeDefined();
      expect(toHex(got?.traceId ?? new Uint8Array())).toBe(sent.spanContext().traceId);
      expect(got?.name).toBe(sent.name);
      expect(got?.kind).toBe(sent.kind + 1); // API SpanKind SERVER = 1, OTLP SPAN_KIND_SERVER = 2
      expect(attributesToRecord(got?.attributes)).toEqual(sent.attributes);
      expect(got?.events?.map((e) => e.name)).toEqual(['step']);
      expect(got?.status?.code ?? 0).toBe(sent.status.code);
    }
    const first = consumers.traces.batches[0]?.request as ExportTraceServiceRequest;
    expect(attributesToRecord(first.resourceSpans?.[0]?.resource?.attributes)).toMatchObject({ 'service.name': 'checkout' });
  });

  it('metrics over http/protobuf: every data point arrives', async () => {
    const exporter = new OTLPMetricExporter({ url: `${httpBase}/v1/metrics` });
    const { resourceMetrics, points } = await makeMetrics();
    try {
      const result = await exportWith(exporter, resourceMetrics);
      expect(result.code).toBe(ExportResultCode.SUCCESS);
    } finally {
      await exporter.shutdown();
    }
    expect(consumers.metrics.items).toBe(points);
    const request = consumers.metrics.batches[0]?.request as ExportMetricsServiceRequest;
    const names = request.resourceMetrics?.[0]?.scopeMetrics?.[0]?.metrics?.map((m) => m.name);
    expect(names).toEqual(['orders', 'latency', 'queue.depth']);
  });

  it('logs over http/protobuf: every record arrives', async () => {
    const exporter = new OTLPLogExporter({ url: `${httpBase}/v1/logs` });
    const records = await makeLogs(40);
    try {
      const result = await exportWith(exporter, records);
      expect(result.code).toBe(ExportResultCode.SUCCESS);
    } finally {
      await exporter.shutdown();
    }
    expect(consumers.logs.items).toBe(40);
    const request = consumers.logs.batches[0]?.request as ExportLogsServiceRequest;
    const bodies = request.resourceLogs?.[0]?.scopeLogs?.[0]?.logRecords?.map((r) => r.body?.stringValue);
    expect(bodies).toEqual(records.map((r) => r.body));
  });

  it('counts every item as accepted, per transport', async () => {
    const before = {
      http: await context.counter('slowatch_receiver_accepted_spans_total', { transport: 'http' }),
      grpc: await context.counter('slowatch_receiver_accepted_spans_total', { transport: 'grpc' }),
    };
    const spans = makeSpans(30);
    for (const exporter of [new ProtoTraceExporter({ url: `${httpBase}/v1/traces` }), new GrpcTraceExporter({ url: grpcUrl })]) {
      expect((await exportWith<ReadableSpan[]>(exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
      await exporter.shutdown();
    }
    expect(await context.counter('slowatch_receiver_accepted_spans_total', { transport: 'http' })).toBe(before.http + 30);
    expect(await context.counter('slowatch_receiver_accepted_spans_total', { transport: 'grpc' })).toBe(before.grpc + 30);
  });

  it('back-pressure: the exporters see a retryable failure, and the refused counter counts the spans', async () => {
    consumers.traces.mode = 'backpressure';
    consumers.traces.retryAfterSeconds = 1;
    try {
      const refusedBefore = await context.counter('slowatch_receiver_refused_spans_total', { receiver: 'otlp' });
      // A short timeout bounds the exporters' own retries.
      const exporter = new ProtoTraceExporter({ url: `${httpBase}/v1/traces`, timeoutMillis: 1_500 });
      const result = await exportWith(exporter, makeSpans(10));
      await exporter.shutdown();
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(await context.counter('slowatch_receiver_refused_spans_total', { receiver: 'otlp' })).toBeGreaterThanOrEqual(refusedBefore + 10);
      expect(consumers.traces.items).toBe(0);
    } finally {
      consumers.traces.mode = 'accept';
      consumers.traces.retryAfterSeconds = 7;
    }
  });
});
