import { Agent } from 'node:http';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../../../receivers/otlp/otlp-receiver';
import { decodeProtobufRequest, encodeJsonRequest } from '../../../src/otlp/codec';
import type { Signal } from '../../../src/otlp/signal';
import { fakeConsumers, send, testContext } from './helpers/harness';
import type { FakeConsumer, HttpResult, TestContext } from './helpers/harness';
import * as pb from './helpers/protobuf';
import { RawOtlpGrpcClient } from './helpers/grpc-client';
import { status } from '@grpc/grpc-js';

/*
 * Random and mutated bodies, sent through real HTTP to a running receiver:
 * it must answer every one with 200, 400, 413 or 415 (never 500, never a
 * dropped connection), never crash, never leave an unhandled rejection, and
 * still serve a good request at the end. 10 000 bodies per endpoint, eight
 * at a time over keep-alive connections.
 */

const BODIES_PER_ENDPOINT = 10_000;
const CONCURRENCY = 8;
const LIMIT = 32 * 1024;
const ALLOWED = new Set([200, 400, 413, 415]);

// ---------------------------------------------------------------------------
// Seeds: valid requests of each signal, richer than the ones the other tests send.

function richSpan(i: number): Buffer {
  const event = Buffer.concat([pb.fixed64Field(1, 1_700_000_000_000_000_000n), pb.lenField(2, 'retry'), pb.lenField(3, pb.keyValue('attempt', pb.anyInt(i)))]);
  const link = Buffer.concat([pb.lenField(1, pb.id(16, i + 7)), pb.lenField(2, pb.id(8, i + 9)), pb.lenField(3, 'vendor=x')]);
  const status = Buffer.concat([pb.lenField(2, 'boom'), pb.varintField(3, 2)]);
  return Buffer.concat([
    pb.span(i, { attributes: [pb.keyValue('http.route', pb.anyString('/a/:b')), pb.keyValue('tags', pb.anyArray(pb.anyString('x'), pb.anyInt(3)))] }),
    pb.lenField(4, pb.id(8, i + 3)),
    pb.lenField(11, event),
    pb.lenField(13, link),
    pb.lenField(15, status),
    pb.fixed32Field(16, 0x301),
  ]);
}

function histogramMetric(): Buffer {
  const bounds = Buffer.alloc(16);
  bounds.writeDoubleLE(10, 0);
  bounds.writeDoubleLE(100, 8);
  const counts = Buffer.alloc(24);
  counts.writeBigUInt64LE(1n, 0);
  counts.writeBigUInt64LE(2n, 8);
  counts.writeBigUInt64LE(3n, 16);
  const point = Buffer.concat([
    pb.fixed64Field(2, 1_700_000_000_000_000_000n),
    pb.fixed64Field(3, 1_700_000_000_100_000_000n),
    pb.fixed64Field(4, 6n),
    pb.doubleField(5, 321.5),
    pb.lenField(6, counts),
    pb.lenField(7, bounds),
    pb.lenField(9, pb.keyValue('route', pb.anyString('/x'))),
  ]);
  const histogram = Buffer.concat([pb.lenField(1, point), pb.varintField(2, 2)]);
  const sum = Buffer.concat([pb.lenField(1, Buffer.concat([pb.fixed64Field(3, 1n), pb.doubleField(4, 2.5)])), pb.varintField(2, 1), pb.varintField(3, 1)]);
  return Buffer.concat([
    pb.lenField(2, pb.lenField(2, Buffer.concat([pb.lenField(1, 'latency'), pb.lenField(3, 'ms'), pb.lenField(9, histogram)]))),
    pb.lenField(2, pb.lenField(2, Buffer.concat([pb.lenField(1, 'orders'), pb.lenField(7, sum)]))),
  ]);
}

const PROTOBUF_SEEDS: Readonly<Record<Signal, readonly Buffer[]>> = {
  traces: [pb.spansRequest(1), pb.spansRequest(3), pb.traceRequest([richSpan(0), richSpan(1)])],
  metrics: [pb.metricsRequest(1), pb.metricsRequest(4), pb.lenField(1, pb.lenField(1, pb.resource('shop')), histogramMetric())],
  logs: [pb.logsRequest(1), pb.logsRequest(5)],
};

const JSON_SEEDS: Readonly<Record<Signal, readonly string[]>> = {
  traces: [JSON.stringify(pb.jsonSpansRequest(2)), ...PROTOBUF_SEEDS.traces.map((b) => encodeJsonRequest('traces', decodeProtobufRequest('traces', b)))],
  metrics: [JSON.stringify(pb.jsonMetricsRequest(2)), ...PROTOBUF_SEEDS.metrics.map((b) => encodeJsonRequest('metrics', decodeProtobufRequest('metrics', b)))],
  logs: [JSON.stringify(pb.jsonLogsRequest(2)), ...PROTOBUF_SEEDS.logs.map((b) => encodeJsonRequest('logs', decodeProtobufRequest('logs', b)))],
};

// ---------------------------------------------------------------------------
// Arbitraries

interface FuzzRequest {
  readonly kind: string;
  readonly contentType: string;
  readonly gzip: 'none' | 'gzip' | 'truncated';
  readonly body: Buffer;
}

type Mutation =
  | { readonly op: 'flip'; readonly at: number; readonly bit: number }
  | { readonly op: 'truncate'; readonly at: number }
  | { readonly op: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly op: 'delete'; readonly at: number; readonly length: number }
  | { readonly op: 'set'; readonly at: number; readonly byte: number }
  | { readonly op: 'duplicate'; readonly at: number; readonly length: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), byte: fc.constantFrom(0x00, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x22, 0x0f, 0x0b, 0x5d, 0x7d, 0x22) }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
);

function mutate(seed: Buffer, mutations: readonly Mutation[]): Buffer {
  let bytes = Buffer.from(seed);
  for (const m of mutations) {
    if (bytes.length === 0) break;
    const at = m.at % bytes.length;
    switch (m.op) {
      case 'flip':
        bytes[at] = (bytes[at] ?? 0) ^ (1 << m.bit);
        break;
      case 'truncate':
        bytes = bytes.subarray(0, at);
        break;
      case 'insert':
        bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
        break;
      case 'delete':
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
        break;
      case 'set':
        bytes[at] = m.byte;
        break;
      case 'duplicate':
        bytes = Buffer.concat([bytes.subarray(0, at + m.length), bytes.subarray(at)]);
        break;
    }
  }
  return bytes;
}

/** Replaces the value at one place of a JSON document with a random JSON value. */
function replaceSomewhere(document: unknown, index: number, value: unknown): unknown {
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((child, i) => {
        slots.push({ parent: node, key: i });
        walk(child);
      });
    } else if (typeof node === 'object' && node !== null) {
      for (const [k, child] of Object.entries(node)) {
        slots.push({ parent: node as Record<string, unknown>, key: k });
        walk(child);
      }
    }
  };
  walk(document);
  const slot = slots[index % Math.max(1, slots.length)];
  if (slot === undefined) return value;
  (slot.parent as Record<string | number, unknown>)[slot.key] = value;
  return document;
}

const PROTOBUF_TYPE = 'application/x-protobuf';
const JSON_CONTENT_TYPE = 'application/json';

function requestArb(signal: Signal): fc.Arbitrary<FuzzRequest> {
  const gzipArb = fc.constantFrom<'none' | 'gzip' | 'truncated'>('none', 'none', 'none', 'gzip', 'truncated');
  const randomBytes = fc.record({
    kind: fc.constant('random bytes'),
    contentType: fc.constantFrom(PROTOBUF_TYPE, JSON_CONTENT_TYPE),
    gzip: gzipArb,
    body: fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
  });
  const mutatedProtobuf = fc.record({
    kind: fc.constant('mutated protobuf'),
    contentType: fc.constant(PROTOBUF_TYPE),
    gzip: gzipArb,
    body: fc.tuple(fc.constantFrom(...PROTOBUF_SEEDS[signal]), fc.array(mutationArb, { minLength: 1, maxLength: 6 })).map(([seed, ms]) => mutate(seed, ms)),
  });
  const mutatedJsonText = fc.record({
    kind: fc.constant('mutated JSON text'),
    contentType: fc.constantFrom(JSON_CONTENT_TYPE, 'application/json; charset=utf-8'),
    gzip: gzipArb,
    body: fc.tuple(fc.constantFrom(...JSON_SEEDS[signal]), fc.array(mutationArb, { minLength: 1, maxLength: 4 })).map(([seed, ms]) => mutate(Buffer.from(seed), ms)),
  });
  const mutatedJsonValue = fc.record({
    kind: fc.constant('JSON with a random value somewhere'),
    contentType: fc.constant(JSON_CONTENT_TYPE),
    gzip: gzipArb,
    body: fc
      .tuple(fc.constantFrom(...JSON_SEEDS[signal]), fc.nat(), fc.jsonValue({ maxDepth: 3 }))
      .map(([seed, index, value]) => Buffer.from(JSON.stringify(replaceSomewhere(JSON.parse(seed), index, value)))),
  });
  const randomJson = fc.record({
    kind: fc.constant('random JSON'),
    contentType: fc.constant(JSON_CONTENT_TYPE),
    gzip: gzipArb,
    body: fc.json({ maxDepth: 4 }).map((text) => Buffer.from(text)),
  });
  const wrongType = fc.record({
    kind: fc.constant('wrong content type'),
    contentType: fc.constantFrom('text/plain', 'application/protobuf', 'application/octet-stream', '', 'application/jsonx', 'multipart/form-data'),
    gzip: fc.constant<'none'>('none'),
    body: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  });
  const oversized = fc.record({
    kind: fc.constant('oversized'),
    contentType: fc.constantFrom(PROTOBUF_TYPE, JSON_CONTENT_TYPE),
    gzip: fc.constantFrom<'none' | 'gzip'>('none', 'gzip'),
    body: fc.integer({ min: LIMIT + 1, max: 2 * LIMIT }).map((n) => Buffer.alloc(n, 0x0a)),
  });
  return fc.oneof(
    { arbitrary: randomBytes, weight: 3 },
    { arbitrary: mutatedProtobuf, weight: 6 },
    { arbitrary: mutatedJsonText, weight: 4 },
    { arbitrary: mutatedJsonValue, weight: 4 },
    { arbitrary: randomJson, weight: 2 },
    { arbitrary: wrongType, weight: 1 },
    { arbitrary: oversized, weight: 1 },
  );
}

function encode(request: FuzzRequest): { headers: Record<string, string>; body: Buffer } {
  const headers: Record<string, string> = request.contentType === '' ? {} : { 'content-type': request.contentType };
  if (request.gzip === 'none') return { headers, body: request.body };
  const compressed = gzipSync(request.body);
  headers['content-encoding'] = 'gzip';
  return { headers, body: request.gzip === 'gzip' ? compressed : compressed.subarray(0, Math.max(1, compressed.length - 5)) };
}

// ---------------------------------------------------------------------------

describe('fuzzing the OTLP/HTTP endpoints', () => {
  let receiver: OtlpReceiver;
  let consumers: Record<Signal, FakeConsumer>;
  let context: TestContext;
  let base: string;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    consumers = fakeConsumers();
    context = testContext('otlp');
    receiver = new OtlpReceiver({ http: { host: '127.0.0.1', port: 0, maxRequestBodySize: LIMIT } }, consumers, context);
    await receiver.start();
    base = `http://127.0.0.1:${receiver.httpAddress?.port}`;
  });
  afterAll(async () => {
    agent.destroy();
    await receiver.shutdown();
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
  });

  it.each(['traces', 'metrics', 'logs'] as const)(
    `/v1/%s: ${BODIES_PER_ENDPOINT} random and mutated bodies get only 200/400/413/415`,
    async (signal) => {
      const statuses = new Map<number, number>();
      const kinds = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fc.array(requestArb(signal), { minLength: CONCURRENCY, maxLength: CONCURRENCY }), async (requests) => {
          const results = await Promise.all(
            requests.map(async (request): Promise<HttpResult | Error> => {
              const { headers, body } = encode(request);
              return send(`${base}/v1/${signal}`, { headers, body, agent }).catch((error: Error) => error);
            }),
          );
          results.forEach((result, i) => {
            const request = requests[i] as FuzzRequest;
            if (result instanceof Error) throw new Error(`${request.kind}: the request failed: ${result.message}`);
            if (!ALLOWED.has(result.status)) throw new Error(`${request.kind}: status ${result.status}: ${result.body.toString('utf8').slice(0, 300)}`);
            if (result.status !== 200) {
              const type = result.headers['content-type'] ?? '';
              expect(['application/json', 'application/x-protobuf']).toContain(type);
            }
            statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
            kinds.set(request.kind, (kinds.get(request.kind) ?? 0) + 1);
          });
        }),
        { numRuns: BODIES_PER_ENDPOINT / CONCURRENCY, seed: 20_251_121 + signal.length },
      );
      const total = [...statuses.values()].reduce((a, b) => a + b, 0);
      expect(total).toBe(BODIES_PER_ENDPOINT);
      // The mix reaches every answer, so the fuzz is not stuck on one path.
      for (const status of ALLOWED) expect(statuses.get(status) ?? 0, `answers ${status}`).toBeGreaterThan(0);
      expect(unhandled).toEqual([]);

      // Still healthy, and what was accepted is what the pipeline got.
      const good = await send(`${base}/v1/${signal}`, { headers: { 'content-type': PROTOBUF_TYPE }, body: pb.requestOf(signal, 3), agent });
      expect(good.status).toBe(200);
      const noun = { traces: 'spans', metrics: 'metric_points', logs: 'log_records' }[signal];
      expect(await context.counter(`slowatch_receiver_accepted_${noun}_total`, { transport: 'http' })).toBe(consumers[signal].items);
      expect(await context.counter('slowatch_receiver_requests_total', { signal, outcome: 'internal_error' })).toBe(0);
    },
    120_000,
  );
});

describe('fuzzing the OTLP/gRPC endpoints', () => {
  const ALLOWED_GRPC = new Set([status.OK, status.INVALID_ARGUMENT, status.RESOURCE_EXHAUSTED]);
  let receiver: OtlpReceiver;
  let consumers: Record<Signal, FakeConsumer>;
  let client: RawOtlpGrpcClient;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    consumers = fakeConsumers();
    receiver = new OtlpReceiver({ grpc: { host: '127.0.0.1', port: 0, maxRecvMsgSize: LIMIT } }, consumers, testContext('otlp'));
    await receiver.start();
    client = new RawOtlpGrpcClient(`127.0.0.1:${receiver.grpcAddress?.port}`);
  });
  afterAll(async () => {
    client.close();
    await receiver.shutdown();
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
  });

  const grpcBodyArb = (signal: Signal): fc.Arbitrary<Buffer> =>
    fc.oneof(
      { arbitrary: fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)), weight: 3 },
      {
        arbitrary: fc.tuple(fc.constantFrom(...PROTOBUF_SEEDS[signal]), fc.array(mutationArb, { minLength: 1, maxLength: 6 })).map(([seed, ms]) => mutate(seed, ms)),
        weight: 6,
      },
      { arbitrary: fc.integer({ min: LIMIT + 1, max: 2 * LIMIT }).map((n) => Buffer.alloc(n, 0x0a)), weight: 1 },
    );

  it.each(['traces', 'metrics', 'logs'] as const)(
    `%s Export: ${BODIES_PER_ENDPOINT} random and mutated messages get only OK/INVALID_ARGUMENT/RESOURCE_EXHAUSTED`,
    async (signal) => {
      const codes = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(fc.array(grpcBodyArb(signal), { minLength: CONCURRENCY, maxLength: CONCURRENCY }), async (bodies) => {
          const results = await Promise.all(bodies.map((body) => client.export(signal, body)));
          for (const result of results) {
            codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
            if (!ALLOWED_GRPC.has(result.code)) return false;
          }
          return true;
        }),
        { numRuns: BODIES_PER_ENDPOINT / CONCURRENCY },
      );
      expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(BODIES_PER_ENDPOINT);
      // Still serving after all of that.
      expect((await client.export(signal, PROTOBUF_SEEDS[signal][0]!)).code).toBe(status.OK);
      expect(unhandled).toEqual([]);
    },
    120_000,
  );
});
