import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { status } from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpGrpcSettings } from '../../../receivers/otlp/config';
import { OtlpReceiver } from '../../../receivers/otlp/otlp-receiver';
import { decodeProtobufStatus } from '../../../src/otlp/codec';
import type { ExportLogsServiceRequest } from '../../../src/otlp/model/logs';
import type { Signal } from '../../../src/otlp/signal';
import { RawOtlpGrpcClient } from './helpers/grpc-client';
import { fakeConsumers, testContext } from './helpers/harness';
import type { FakeConsumer, TestContext } from './helpers/harness';
import * as pb from './helpers/protobuf';

const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

function grpcSettings(overrides: Partial<OtlpGrpcSettings> = {}): OtlpGrpcSettings {
  return { host: '127.0.0.1', port: 0, maxRecvMsgSize: 16 * 1024 * 1024, ...overrides };
}

async function startReceiver(settings = grpcSettings(), signals: readonly Signal[] = SIGNALS) {
  const consumers = fakeConsumers(signals);
  const context = testContext('otlp/grpc');
  const receiver = new OtlpReceiver({ grpc: settings }, consumers, context, { grpcShutdownGraceMs: 2_000 });
  await receiver.start();
  return { receiver, consumers, context, address: `127.0.0.1:${receiver.grpcAddress?.port ?? 0}` };
}

describe('OTLP/gRPC receiver', () => {
  let receiver: OtlpReceiver;
  let consumers: Record<Signal, FakeConsumer>;
  let context: TestContext;
  let client: RawOtlpGrpcClient;
  let gzipClient: RawOtlpGrpcClient;

  beforeAll(async () => {
    let address: string;
    ({ receiver, consumers, context, address } = await startReceiver());
    client = new RawOtlpGrpcClient(address);
    gzipClient = new RawOtlpGrpcClient(address, { gzip: true });
  });
  afterAll(async () => {
    client.close();
    gzipClient.close();
    await receiver.shutdown();
  });
  afterEach(() => {
    for (const consumer of Object.values(consumers)) {
      consumer.batches.length = 0;
      consumer.mode = 'accept';
    }
  });

  it.each(SIGNALS)('accepts %s, plain and gzip-compressed', async (signal) => {
    for (const c of [client, gzipClient]) {
      const result = await c.export(signal, pb.requestOf(signal, 7));
      expect(result).toMatchObject({ code: status.OK });
      expect(result.response?.length).toBe(0); // an empty Export*ServiceResponse
    }
    expect(consumers[signal].batches.map((b) => b.itemCount)).toEqual([7, 7]);
    const names = { traces: 'spans', metrics: 'metric_points', logs: 'log_records' }[signal];
    expect(await context.counter(`slowatch_receiver_accepted_${names}_total`, { receiver: 'otlp/grpc', transport: 'grpc' })).toBe(14);
  });

  it('hands the decoded request to the pipeline', async () => {
    await client.export('logs', pb.logsRequest(2));
    const request = consumers.logs.batches[0]?.request as ExportLogsServiceRequest;
    const records = request.resourceLogs?.[0]?.scopeLogs?.[0]?.logRecords ?? [];
    expect(records.map((r) => r.body?.stringValue)).toEqual(['log line 0', 'log line 1']);
  });

  it.each([
    ['malformed protobuf', Buffer.from([0x0a, 0xff]), 'resourceSpans: truncated varint'],
    ['a trace id of the wrong length', pb.traceRequest([pb.span(0, { traceId: Buffer.alloc(4) })]), 'resourceSpans[0].scopeSpans[0].spans[0].traceId: must be 16 bytes, got 4'],
    ['deeply nested AnyValue', pb.traceRequest([pb.span(0, { attributes: [pb.keyValue('deep', pb.nestedArrayValue(100_000))] })]), 'AnyValue nested deeper than 64 levels'],
  ])('%s → INVALID_ARGUMENT with the decoder message, and the receiver still serves', async (_name, body, message) => {
    const result = await client.export('traces', body);
    expect(result.code).toBe(status.INVALID_ARGUMENT);
    expect(result.details).toContain(message);
    expect(consumers.traces.batches).toHaveLength(0);
    expect((await client.export('traces', pb.spansRequest(1))).code).toBe(status.OK);
  });

  it('accepts a span with 100 000 attributes', async () => {
    const attributes = Array.from({ length: 100_000 }, (_, i) => pb.keyValue(`attr.${i}`, pb.anyInt(i)));
    const result = await client.export('traces', pb.traceRequest([pb.span(0, { attributes })]));
    expect(result.code).toBe(status.OK);
    expect(consumers.traces.items).toBe(1);
  });

  it('back-pressure → UNAVAILABLE with RetryInfo; the refused counter counts the items', async () => {
    consumers.metrics.mode = 'backpressure';
    const result = await client.export('metrics', pb.metricsRequest(9));
    expect(result.code).toBe(status.UNAVAILABLE);
    expect(result.details).toBe('the pipeline cannot take more metrics now (sending queue is full); retry after 7s');
    const details = result.trailers?.get('grpc-status-details-bin')[0];
    expect(Buffer.isBuffer(details)).toBe(true);
    expect(decodeProtobufStatus(details as Buffer)).toMatchObject({ code: status.UNAVAILABLE, retryDelayMs: 7_000 });
    expect(await context.counter('slowatch_receiver_refused_metric_points_total', { transport: 'grpc' })).toBe(9);
    expect(await context.counter('slowatch_receiver_requests_total', { transport: 'grpc', signal: 'metrics', outcome: 'backpressure' })).toBe(1);
  });

  it('a PermanentError → INVALID_ARGUMENT; another error → INTERNAL with a generic message', async () => {
    consumers.traces.mode = 'permanent';
    expect(await client.export('traces', pb.spansRequest(2))).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'span names must not be empty' });
    consumers.traces.mode = 'crash';
    const crashed = await client.export('traces', pb.spansRequest(2));
    expect(crashed).toMatchObject({ code: status.INTERNAL, details: 'internal error while passing traces to the pipeline; the receiver logged the details' });
    expect(context.lines.filter((line) => line.includes('secret detail'))).toHaveLength(1);
  });
});

describe('OTLP/gRPC receiver limits and lifecycle', () => {
  it('refuses a message over max_recv_msg_size with RESOURCE_EXHAUSTED, compressed or not', async () => {
    const { receiver, address, consumers } = await startReceiver(grpcSettings({ maxRecvMsgSize: 64 * 1024 }));
    const client = new RawOtlpGrpcClient(address);
    const gzipClient = new RawOtlpGrpcClient(address, { gzip: true });
    try {
      const big = pb.traceRequest(Array.from({ length: 2_000 }, (_, i) => pb.span(i)));
      expect(big.length).toBeGreaterThan(64 * 1024);
      expect((await client.export('traces', big)).code).toBe(status.RESOURCE_EXHAUSTED);
      // Compresses well below the limit, decompresses above it.
      const result = await gzipClient.export('traces', Buffer.concat([pb.spansRequest(1), pb.lenField(99, Buffer.alloc(8 * 1024 * 1024))]));
      expect(result.code).toBe(status.RESOURCE_EXHAUSTED);
      expect((await client.export('traces', pb.spansRequest(3))).code).toBe(status.OK);
      expect(consumers.traces.items).toBe(3);
    } finally {
      client.close();
      gzipClient.close();
      await receiver.shutdown();
    }
  });

  it('answers UNIMPLEMENTED for a signal no pipeline takes', async () => {
    const { receiver, address } = await startReceiver(grpcSettings(), ['logs']);
    const client = new RawOtlpGrpcClient(address);
    try {
      expect(await client.export('traces', pb.spansRequest(1))).toMatchObject({ code: status.UNIMPLEMENTED, details: 'no traces pipeline uses receiver otlp/grpc' });
      expect((await client.export('logs', pb.logsRequest(1))).code).toBe(status.OK);
    } finally {
      client.close();
      await receiver.shutdown();
    }
  });

  it('refuses to start on a port in use, with one line', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const receiver = new OtlpReceiver({ grpc: grpcSettings({ port }) }, fakeConsumers(), testContext());
      await expect(receiver.start()).rejects.toThrow(new Error(`receiver otlp: OTLP/gRPC: cannot listen on 127.0.0.1:${port}: EADDRINUSE`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('closes the gRPC server again when HTTP cannot start', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const receiver = new OtlpReceiver(
        { grpc: grpcSettings(), http: { host: '127.0.0.1', port, maxRequestBodySize: 1024 } },
        fakeConsumers(),
        testContext(),
      );
      await expect(receiver.start()).rejects.toThrow(`receiver otlp: OTLP/HTTP: cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
      expect(receiver.grpcAddress).toBeUndefined();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('lets a call in flight finish at shutdown', async () => {
    const { receiver, address, consumers } = await startReceiver();
    consumers.traces.delayMs = 300;
    const client = new RawOtlpGrpcClient(address);
    try {
      const inFlight = client.export('traces', pb.spansRequest(5));
      await consumers.traces.waitForStarted();
      const stopping = receiver.shutdown();
      expect((await inFlight).code).toBe(status.OK);
      await stopping;
      expect(consumers.traces.items).toBe(5);
      expect((await client.export('traces', pb.spansRequest(1))).code).toBe(status.UNAVAILABLE);
    } finally {
      client.close();
    }
  });
});
