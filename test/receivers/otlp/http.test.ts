import { Agent } from 'node:http';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpHttpSettings } from '../../../receivers/otlp/config';
import { OtlpReceiver } from '../../../receivers/otlp/otlp-receiver';
import type { ExportTraceServiceRequest } from '../../../src/otlp/model/trace';
import type { Signal } from '../../../src/otlp/signal';
import { fakeConsumers, JSON_TYPE, PROTOBUF, send, statusOf, testContext } from './helpers/harness';
import type { FakeConsumer, HttpResult, TestContext } from './helpers/harness';
import * as pb from './helpers/protobuf';

const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

function httpSettings(overrides: Partial<OtlpHttpSettings> = {}): OtlpHttpSettings {
  return { host: '127.0.0.1', port: 0, maxRequestBodySize: 16 * 1024 * 1024, ...overrides };
}

async function startReceiver(
  settings: OtlpHttpSettings = httpSettings(),
  signals: readonly Signal[] = SIGNALS,
): Promise<{ receiver: OtlpReceiver; url: string; consumers: Record<Signal, FakeConsumer>; context: TestContext }> {
  const consumers = fakeConsumers(signals);
  const context = testContext('otlp');
  const receiver = new OtlpReceiver({ http: settings }, consumers, context, { httpTimeouts: { shutdownGraceMs: 2_000 } });
  await receiver.start();
  const port = receiver.httpAddress?.port ?? 0;
  return { receiver, url: `http://127.0.0.1:${port}`, consumers, context };
}

function expectStatus(result: HttpResult, status: number, code: number, message: RegExp | string): void {
  expect({ status: result.status, body: result.body.toString('utf8').slice(0, 400) }).toMatchObject({ status });
  const decoded = statusOf(result);
  expect(decoded.code).toBe(code);
  if (typeof message === 'string') expect(decoded.message).toContain(message);
  else expect(decoded.message).toMatch(message);
}

describe('OTLP/HTTP receiver', () => {
  let receiver: OtlpReceiver;
  let url: string;
  let consumers: Record<Signal, FakeConsumer>;
  let context: TestContext;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });

  beforeAll(async () => {
    ({ receiver, url, consumers, context } = await startReceiver());
  });
  afterAll(async () => {
    agent.destroy();
    await receiver.shutdown();
  });
  afterEach(() => {
    for (const consumer of Object.values(consumers)) {
      consumer.batches.length = 0;
      consumer.mode = 'accept';
    }
  });

  const goodRequest = async (): Promise<void> => {
    const result = await send(`${url}/v1/traces`, { headers: PROTOBUF, body: pb.spansRequest(2), agent });
    expect(result.status).toBe(200);
  };

  describe.each(SIGNALS)('%s', (signal) => {
    it.each([
      ['protobuf', 'identity'],
      ['protobuf', 'gzip'],
      ['json', 'identity'],
      ['json', 'gzip'],
    ] as const)('accepts %s (%s) and answers in the same format', async (format, encoding) => {
      const raw = format === 'protobuf' ? pb.requestOf(signal, 5) : Buffer.from(JSON.stringify(pb.jsonRequestOf(signal, 5)));
      const body = encoding === 'gzip' ? gzipSync(raw) : raw;
      const headers = {
        'content-type': format === 'protobuf' ? 'application/x-protobuf' : 'application/json; charset=utf-8',
        ...(encoding === 'gzip' && { 'content-encoding': 'gzip' }),
      };
      const result = await send(`${url}/v1/${signal}`, { headers, body, agent });
      expect(result.status).toBe(200);
      if (format === 'protobuf') {
        expect(result.headers['content-type']).toBe('application/x-protobuf');
        expect(result.body.length).toBe(0); // an empty Export*ServiceResponse: no partial_success
      } else {
        expect(result.headers['content-type']).toBe('application/json');
        expect(JSON.parse(result.body.toString('utf8'))).toEqual({});
      }
      expect(consumers[signal].batches).toHaveLength(1);
      expect(consumers[signal].batches[0]).toMatchObject({ signal, itemCount: 5 });
    });
  });

  it('hands the decoded request to the pipeline', async () => {
    await send(`${url}/v1/traces`, { headers: PROTOBUF, body: pb.spansRequest(3), agent });
    const request = consumers.traces.batches[0]?.request as ExportTraceServiceRequest;
    const spans = request.resourceSpans?.[0]?.scopeSpans?.[0]?.spans ?? [];
    expect(spans.map((s) => s.name)).toEqual(['GET /item/0', 'GET /item/1', 'GET /item/2']);
    expect(Buffer.from(spans[1]?.traceId ?? []).toString('hex')).toBe(pb.id(16, 1).toString('hex'));
  });

  it('counts accepted items per signal and transport', async () => {
    const before = await context.counter('slowatch_receiver_accepted_metric_points_total', { receiver: 'otlp', transport: 'http' });
    await send(`${url}/v1/metrics`, { headers: PROTOBUF, body: pb.metricsRequest(6), agent });
    await send(`${url}/v1/metrics`, { headers: JSON_TYPE, body: JSON.stringify(pb.jsonMetricsRequest(4)), agent });
    expect(await context.counter('slowatch_receiver_accepted_metric_points_total', { receiver: 'otlp', transport: 'http' })).toBe(before + 10);
    expect(await context.metricNames()).toEqual(
      expect.arrayContaining([
        'slowatch_receiver_accepted_spans_total',
        'slowatch_receiver_refused_spans_total',
        'slowatch_receiver_accepted_metric_points_total',
        'slowatch_receiver_refused_metric_points_total',
        'slowatch_receiver_accepted_log_records_total',
        'slowatch_receiver_refused_log_records_total',
        'slowatch_receiver_requests_total',
      ]),
    );
  });

  it('accepts a deflate (zlib) body and a query string', async () => {
    const result = await send(`${url}/v1/logs?source=test`, { headers: { ...PROTOBUF, 'content-encoding': 'deflate' }, body: deflateSync(pb.logsRequest(4)), agent });
    expect(result.status).toBe(200);
    expect(consumers.logs.items).toBe(4);
  });

  it('answers an empty request 200 without bothering the pipeline', async () => {
    const result = await send(`${url}/v1/logs`, { headers: PROTOBUF, body: Buffer.alloc(0), agent });
    expect(result.status).toBe(200);
    expect(consumers.logs.batches).toHaveLength(0);
  });

  describe('bad input', () => {
    const deepJson = (): string => {
      let value = '{"stringValue":"leaf"}';
      for (let i = 0; i < 10_000; i++) value = `{"arrayValue":{"values":[${value}]}}`;
      const request = pb.jsonSpansRequest(1, { attributes: [{ key: 'deep', value: '__DEEP__' }] });
      return JSON.stringify(request).replace('"__DEEP__"', value);
    };

    const CASES: readonly {
      readonly name: string;
      readonly path?: string;
      readonly method?: string;
      readonly headers?: Record<string, string>;
      readonly body?: () => Buffer | string;
      readonly status: number;
      readonly code: number;
      readonly message: RegExp | string;
      readonly extraHeaders?: Record<string, string>;
    }[] = [
      { name: 'malformed protobuf', headers: PROTOBUF, body: () => Buffer.from([0x0a, 0xff]), status: 400, code: 3, message: 'resourceSpans: truncated varint' },
      { name: 'protobuf with an invalid wire type', headers: PROTOBUF, body: () => Buffer.from([0x0f, 0x01]), status: 400, code: 3, message: /wire type|offset/ },
      {
        name: 'truncated gzip',
        headers: { ...PROTOBUF, 'content-encoding': 'gzip' },
        body: () => gzipSync(pb.spansRequest(50)).subarray(0, 60),
        status: 400,
        code: 3,
        message: 'the gzip body is truncated',
      },
      { name: 'gzip header on a plain body', headers: { ...PROTOBUF, 'content-encoding': 'gzip' }, body: () => pb.spansRequest(1), status: 400, code: 3, message: 'the body is not valid gzip data' },
      { name: 'invalid JSON', headers: JSON_TYPE, body: () => '{"resourceSpans": [', status: 400, code: 3, message: 'invalid JSON' },
      { name: 'JSON of the wrong shape', headers: JSON_TYPE, body: () => '[1, 2]', status: 400, code: 3, message: 'expected an object, got an array' },
      { name: 'wrong content type', headers: { 'content-type': 'text/plain' }, body: () => 'hello', status: 415, code: 3, message: 'unsupported media type: Content-Type "text/plain"; use application/x-protobuf or application/json' },
      { name: 'no content type', body: () => pb.spansRequest(1), status: 415, code: 3, message: 'unsupported media type: no Content-Type' },
      { name: 'unsupported Content-Encoding', headers: { ...PROTOBUF, 'content-encoding': 'br' }, body: () => pb.spansRequest(1), status: 400, code: 3, message: 'unsupported Content-Encoding "br"; use gzip, deflate or identity' },
      {
        name: 'trace id of the wrong length (protobuf)',
        headers: PROTOBUF,
        body: () => pb.traceRequest([pb.span(0, { traceId: Buffer.alloc(15, 7) })]),
        status: 400,
        code: 3,
        message: 'resourceSpans[0].scopeSpans[0].spans[0].traceId: must be 16 bytes, got 15',
      },
      {
        name: 'trace id of the wrong length (JSON)',
        headers: JSON_TYPE,
        body: () => JSON.stringify(pb.jsonSpansRequest(1, { traceId: '0123456789abcdef' })),
        status: 400,
        code: 3,
        message: 'resourceSpans[0].scopeSpans[0].spans[0].traceId: must be 16 bytes, got 8',
      },
      {
        name: 'deeply nested AnyValue (protobuf)',
        headers: PROTOBUF,
        body: () => pb.traceRequest([pb.span(0, { attributes: [pb.keyValue('deep', pb.nestedArrayValue(100_000))] })]),
        status: 400,
        code: 3,
        message: /AnyValue nested deeper than 64 levels$/,
      },
      { name: 'deeply nested AnyValue (JSON)', headers: JSON_TYPE, body: deepJson, status: 400, code: 3, message: /AnyValue nested deeper than 64 levels$/ },
      {
        name: 'wrong method',
        method: 'GET',
        headers: PROTOBUF,
        status: 405,
        code: 12,
        message: 'method GET is not allowed on /v1/traces; use POST',
        extraHeaders: { allow: 'POST' },
      },
      { name: 'wrong method, no content type (answered in JSON)', method: 'PUT', body: () => 'x', status: 405, code: 12, message: 'method PUT is not allowed' },
      { name: 'unknown path', path: '/v1/profiles', headers: PROTOBUF, body: () => pb.spansRequest(1), status: 404, code: 5, message: 'unknown path "/v1/profiles"; OTLP/HTTP accepts POST /v1/traces, /v1/metrics and /v1/logs' },
      { name: 'path with a trailing slash', path: '/v1/traces/', headers: JSON_TYPE, body: () => '{}', status: 404, code: 5, message: 'unknown path "/v1/traces/"' },
    ];

    it.each(CASES)('$name → $status, and the receiver still serves', async (testCase) => {
      const result = await send(`${url}${testCase.path ?? '/v1/traces'}`, {
        method: testCase.method ?? 'POST',
        headers: testCase.headers ?? {},
        ...(testCase.body !== undefined && { body: testCase.body() }),
        agent,
      });
      expectStatus(result, testCase.status, testCase.code, testCase.message);
      for (const [name, value] of Object.entries(testCase.extraHeaders ?? {})) expect(result.headers[name]).toBe(value);
      const format = testCase.headers?.['content-type'] === 'application/x-protobuf' && testCase.status !== 415 ? 'application/x-protobuf' : 'application/json';
      expect(result.headers['content-type']).toBe(format);
      expect(consumers.traces.batches).toHaveLength(0);
      await goodRequest();
    });

    it('accepts a span with 100 000 attributes within the size limit', async () => {
      const attributes = Array.from({ length: 100_000 }, (_, i) => pb.keyValue(`attr.${i}`, pb.anyInt(i)));
      const body = pb.traceRequest([pb.span(0, { attributes })]);
      expect(body.length).toBeLessThan(16 * 1024 * 1024);
      const result = await send(`${url}/v1/traces`, { headers: PROTOBUF, body, agent });
      expect(result.status).toBe(200);
      const request = consumers.traces.batches[0]?.request as ExportTraceServiceRequest;
      expect(request.resourceSpans?.[0]?.scopeSpans?.[0]?.spans?.[0]?.attributes).toHaveLength(100_000);
    });

    it('counts undecodable requests by outcome, and logs each kind of failure once', async () => {
      const attributes = { receiver: 'otlp', transport: 'http', signal: 'logs' };
      const before = await context.counter('slowatch_receiver_requests_total', { ...attributes, outcome: 'invalid' });
      for (let i = 0; i < 5; i++) {
        const result = await send(`${url}/v1/logs`, { headers: PROTOBUF, body: Buffer.from([0xff, 0xff, 0xff]), agent });
        expect(result.status).toBe(400);
      }
      expect(await context.counter('slowatch_receiver_requests_total', { ...attributes, outcome: 'invalid' })).toBe(before + 5);
      const lines = context.lines.filter((line) => line.includes('decoding a logs request'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: receiver otlp: OTLP\/HTTP: decoding a logs request failed; further failures are counted, not logged: /);
      expect(receiver.failures.failures('http', 'decoding a logs request')).toBe(5);
    });
  });

  describe('the pipeline refuses', () => {
    it('back-pressure: 503 with Retry-After and a Status saying so; the refused counter counts the items', async () => {
      consumers.traces.mode = 'backpressure';
      const refusedBefore = await context.counter('slowatch_receiver_refused_spans_total', { receiver: 'otlp', transport: 'http' });
      const acceptedBefore = await context.counter('slowatch_receiver_accepted_spans_total', { receiver: 'otlp', transport: 'http' });
      for (const [headers, body] of [
        [PROTOBUF, pb.spansRequest(8)],
        [JSON_TYPE, JSON.stringify(pb.jsonSpansRequest(4))],
      ] as const) {
        const result = await send(`${url}/v1/traces`, { headers, body, agent });
        expectStatus(result, 503, 14, 'the pipeline cannot take more traces now (sending queue is full); retry after 7s');
        expect(result.headers['retry-after']).toBe('7');
      }
      expect(await context.counter('slowatch_receiver_refused_spans_total', { receiver: 'otlp', transport: 'http' })).toBe(refusedBefore + 12);
      expect(await context.counter('slowatch_receiver_accepted_spans_total', { receiver: 'otlp', transport: 'http' })).toBe(acceptedBefore);
      expect(await context.counter('slowatch_receiver_requests_total', { transport: 'http', signal: 'traces', outcome: 'backpressure' })).toBe(2);
    });

    it('a PermanentError: 400 with its message, items refused', async () => {
      consumers.logs.mode = 'permanent';
      const before = await context.counter('slowatch_receiver_refused_log_records_total', { transport: 'http' });
      const result = await send(`${url}/v1/logs`, { headers: PROTOBUF, body: pb.logsRequest(3), agent });
      expectStatus(result, 400, 3, 'span names must not be empty');
      expect(await context.counter('slowatch_receiver_refused_log_records_total', { transport: 'http' })).toBe(before + 3);
    });

    it('any other error: 500 with a generic message; the detail is logged once', async () => {
      consumers.metrics.mode = 'crash';
      for (let i = 0; i < 3; i++) {
        const result = await send(`${url}/v1/metrics`, { headers: JSON_TYPE, body: JSON.stringify(pb.jsonMetricsRequest(2)), agent });
        expectStatus(result, 500, 13, 'internal error while passing metrics to the pipeline; the receiver logged the details');
        expect(statusOf(result).message).not.toContain('secret');
      }
      const lines = context.lines.filter((line) => line.includes('exporter exploded'));
      expect(lines).toEqual(['error: receiver otlp: OTLP/HTTP: passing metrics to the pipeline failed; further failures are counted, not logged: exporter exploded: secret detail']);
    });
  });
});

describe('OTLP/HTTP receiver limits', () => {
  const LIMIT = 64 * 1024;
  let receiver: OtlpReceiver;
  let url: string;
  let consumers: Record<Signal, FakeConsumer>;

  beforeAll(async () => {
    ({ receiver, url, consumers } = await startReceiver(httpSettings({ maxRequestBodySize: LIMIT })));
  });
  afterAll(() => receiver.shutdown());

  const stillServes = async (): Promise<void> => {
    const result = await send(`${url}/v1/traces`, { headers: PROTOBUF, body: pb.spansRequest(2) });
    expect(result.status).toBe(200);
  };

  it('refuses a body whose Content-Length is over the limit before reading it (413)', async () => {
    const result = await send(`${url}/v1/traces`, { headers: PROTOBUF, body: Buffer.alloc(LIMIT + 1) });
    expectStatus(result, 413, 8, 'request body of 65537 bytes (Content-Length) is larger than max_request_body_size (64KiB)');
    expect(result.headers.connection).toBe('close');
    await stillServes();
  });

  it('refuses a chunked body once it passes the limit (413)', async () => {
    const result = await send(`${url}/v1/traces`, { headers: PROTOBUF, body: Buffer.alloc(8 * LIMIT), chunked: true });
    expectStatus(result, 413, 8, 'request body is larger than max_request_body_size (64KiB)');
    await stillServes();
  });

  it('stops inflating a gzip bomb at the limit (413)', async () => {
    const bomb = gzipSync(Buffer.alloc(32 * 1024 * 1024)); // 512 times the limit
    expect(bomb.length).toBeLessThan(LIMIT);
    const started = Date.now();
    const result = await send(`${url}/v1/traces`, { headers: { ...PROTOBUF, 'content-encoding': 'gzip' }, body: bomb });
    expectStatus(result, 413, 8, 'request body is larger than max_request_body_size (64KiB) after decompression');
    expect(Date.now() - started).toBeLessThan(2_000);
    await stillServes();
  });

  it('takes a body right at the limit', async () => {
    // A valid request padded with an unknown field up to exactly the limit.
    const request = pb.spansRequest(1);
    const overhead = request.length + 1 + 3; // tag of field 99 is 2 bytes; a 3-byte length
    const padding = pb.lenField(99, Buffer.alloc(LIMIT - overhead - 1));
    const body = Buffer.concat([request, padding]);
    expect(body.length).toBe(LIMIT);
    const result = await send(`${url}/v1/traces`, { headers: PROTOBUF, body });
    expect(result.status).toBe(200);
    expect(consumers.traces.items).toBeGreaterThan(0);
  });
});

/** Writes raw bytes on a new connection; resolves with everything the server sent once it closes the connection. */
function rawExchange(port: number, data: string, timeoutMs = 10_000): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset after the answer is fine
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closedAfterMs: Date.now() - started });
    });
    socket.write(data);
  });
}

describe('OTLP/HTTP receiver against misbehaving clients', () => {
  it('answers 413 to a huge Content-Length at once, without reading the body, and closes', async () => {
    const { receiver } = await startReceiver(httpSettings({ maxRequestBodySize: 1024 * 1024 }));
    try {
      const port = receiver.httpAddress?.port ?? 0;
      const head = `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 10000000000\r\n\r\n`;
      const { text, closedAfterMs } = await rawExchange(port, head + 'x'.repeat(1000));
      expect(text).toMatch(/^HTTP\/1\.1 413 /);
      expect(text.toLowerCase()).toContain('connection: close');
      expect(closedAfterMs).toBeLessThan(10_000);
    } finally {
      await receiver.shutdown();
    }
  });

  it('drops a client that stalls in the middle of its body (requestTimeout)', async () => {
    const consumers = fakeConsumers();
    const receiver = new OtlpReceiver({ http: httpSettings() }, consumers, testContext(), { httpTimeouts: { requestMs: 500, headersMs: 500 } });
    await receiver.start();
    try {
      const port = receiver.httpAddress?.port ?? 0;
      const head = `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 100\r\n\r\n`;
      const { text, closedAfterMs } = await rawExchange(port, head + 'x'.repeat(10));
      expect(text).toMatch(/^HTTP\/1\.1 408 /);
      expect(closedAfterMs).toBeLessThan(10_000);
      const stalledHeaders = await rawExchange(port, 'POST /v1/traces HTTP/1.1\r\nHost: x\r\n');
      expect(stalledHeaders.closedAfterMs).toBeLessThan(10_000);
      expect(consumers.traces.batches).toHaveLength(0);
      const port2 = receiver.httpAddress?.port ?? 0;
      expect((await send(`http://127.0.0.1:${port2}/v1/traces`, { headers: PROTOBUF, body: pb.spansRequest(1) })).status).toBe(200);
    } finally {
      await receiver.shutdown();
    }
  });

  it('survives garbage that is not HTTP', async () => {
    const { receiver, url } = await startReceiver();
    try {
      const { text } = await rawExchange(receiver.httpAddress?.port ?? 0, '\x00\x01\x02 not http at all\r\n\r\n');
      expect(text).toMatch(/^HTTP\/1\.1 400 /);
      expect((await send(`${url}/v1/traces`, { headers: PROTOBUF, body: pb.spansRequest(1) })).status).toBe(200);
    } finally {
      await receiver.shutdown();
    }
  });
});

describe('OTLP/HTTP receiver lifecycle', () => {
  it('answers 404 for a signal no pipeline takes', async () => {
    const { receiver, url, context } = await startReceiver(httpSettings(), ['traces']);
    try {
      const result = await send(`${url}/v1/metrics`, { headers: PROTOBUF, body: pb.metricsRequest(1) });
      expectStatus(result, 404, 5, 'no metrics pipeline uses receiver otlp');
      expect(await context.counter('slowatch_receiver_requests_total', { signal: 'metrics', outcome: 'unsupported' })).toBe(1);
      expect((await send(`${url}/v1/traces`, { headers: PROTOBUF, body: pb.spansRequest(1) })).status).toBe(200);
    } finally {
      await receiver.shutdown();
    }
  });

  it('refuses to start on a port in use, with one line', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const receiver = new OtlpReceiver({ http: httpSettings({ port }) }, fakeConsumers(), testContext());
      await expect(receiver.start()).rejects.toThrow(new Error(`receiver otlp: OTLP/HTTP: cannot listen on 127.0.0.1:${port}: EADDRINUSE`));
      await receiver.shutdown();
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('lets a request in flight finish at shutdown, then stops accepting', async () => {
    const { receiver, url, consumers } = await startReceiver();
    consumers.traces.delayMs = 300;
    const inFlight = send(`${url}/v1/traces`, { headers: PROTOBUF, body: pb.spansRequest(4) });
    await consumers.traces.waitForStarted();
    const stopping = receiver.shutdown();
    const result = await inFlight;
    expect(result.status).toBe(200);
    expect(result.headers.connection).toBe('close');
    expect(consumers.traces.items).toBe(4);
    await stopping;
    await expect(send(`${url}/v1/traces`, { headers: PROTOBUF, body: pb.spansRequest(1) })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('bounds shutdown when a request never finishes', async () => {
    const consumers = fakeConsumers();
    consumers.traces.delayMs = 60_000;
    const receiver = new OtlpReceiver({ http: httpSettings() }, consumers, testContext(), { httpTimeouts: { shutdownGraceMs: 200 } });
    await receiver.start();
    const stuck = send(`http://127.0.0.1:${receiver.httpAddress?.port}/v1/traces`, { headers: PROTOBUF, body: pb.spansRequest(1) }).catch((error: Error) => error);
    await consumers.traces.waitForStarted();
    const started = Date.now();
    await receiver.shutdown();
    // Bounded by the 200 ms grace, not by the consumer's 60 s: generous for a loaded machine.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await stuck).toBeInstanceOf(Error);
  });
});
