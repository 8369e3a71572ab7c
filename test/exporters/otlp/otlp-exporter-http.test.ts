import { afterEach, describe, expect, it } from 'vitest';
import { encodeJsonRequest, encodeJsonResponse, encodeJsonStatus, encodeProtobufRequest, encodeProtobufResponse, encodeProtobufStatus } from '../../../src/otlp/codec';
import type { Signal } from '../../../src/otlp/signal';
import { BackpressureError, PermanentError } from '../../../src/pipeline/pipeline-errors';
import { createDefaultConfig, resolveOtlpExporterSettings } from '../../../exporters/otlp/config';
import type { OtlpExporterConfig } from '../../../exporters/otlp/config';
import { EXPORTER_METRIC_NAMES } from '../../../exporters/otlp/exporter-metrics';
import { OtlpExporter } from '../../../exporters/otlp/otlp-exporter';
import { userAgent } from '../../../exporters/otlp/user-agent';
import { anchorRequest, batchNumbersOf, batchOf, FakeHttpServer, sleep, testContext, traceRequest, waitUntil } from './helpers';

const FAST_RETRY = { initial_interval: '20ms', max_interval: '100ms', randomization_factor: 0, multiplier: 2, max_elapsed_time: '5s' };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function setup(config: OtlpExporterConfig = {}, options: { drainTimeoutMs?: number } = {}) {
  const server = new FakeHttpServer();
  const endpoint = await server.listen();
  const test = testContext('otlp/downstream');
  const settings = resolveOtlpExporterSettings({ ...createDefaultConfig(), endpoint, retry_on_failure: FAST_RETRY, ...config });
  const exporter = new OtlpExporter(settings, test.ctx, options);
  await exporter.start();
  cleanup.push(() => server.close(), () => exporter.shutdown());
  return { server, exporter, ...test };
}

describe('otlp exporter over HTTP', () => {
  it.each([
    ['http/protobuf', 'gzip'],
    ['http/protobuf', 'none'],
    ['http/json', 'gzip'],
    ['http/json', 'none'],
  ] as const)('%s with compression %s delivers every signal exactly as encoded', async (protocol, compression) => {
    const { server, exporter, metric } = await setup({ protocol, compression, headers: { authorization: 'Bearer s3cret', 'x-tenant': 'a' } });
    const signals: Signal[] = ['traces', 'metrics', 'logs'];
    for (const signal of signals) await exporter.consume(batchOf(signal, anchorRequest(signal)));
    await waitUntil(() => server.received.length === 3);
    for (const signal of signals) {
      const got = server.received.find((r) => r.signal === signal);
      expect(got?.url).toBe(`/v1/${signal}`);
      const sent = anchorRequest(signal);
      const expected = protocol === 'http/json' ? Buffer.from(encodeJsonRequest(signal, sent)) : Buffer.from(encodeProtobufRequest(signal, sent));
      expect(got?.body.equals(expected)).toBe(true);
      expect(got?.request).toEqual(sent);
      expect(got?.headers['content-type']).toBe(protocol === 'http/json' ? 'application/json' : 'application/x-protobuf');
      expect(got?.headers['content-encoding']).toBe(compression === 'gzip' ? 'gzip' : undefined);
      if (compression === 'gzip') expect(got?.raw.length).not.toBe(got?.body.length);
      expect(got?.headers.authorization).toBe('Bearer s3cret');
      expect(got?.headers['x-tenant']).toBe('a');
      expect(got?.headers['user-agent']).toBe(userAgent());
    }
    expect(userAgent()).toMatch(/^slowatch\/\d+\.\d+\.\d+/);
    await waitUntil(() => exporter.metrics.totals.sent.logs > 0);
    expect(exporter.metrics.totals.sent).toEqual({ traces: 1, metrics: 4, logs: 1 });
    expect(await metric(EXPORTER_METRIC_NAMES.sent('traces'))).toBe(1);
    expect(await metric('slowatch_exporter_sent_metric_points_total')).toBe(4);
    expect(await metric('slowatch_exporter_sent_log_records_total')).toBe(1);
  });

  it('posts to per-signal endpoints when given', async () => {
    const server = new FakeHttpServer();
    const base = await server.listen();
    const settings = resolveOtlpExporterSettings({ ...createDefaultConfig(), endpoint: `${base}/otlp`, traces_endpoint: `${base}/custom/v1/traces` });
    const exporter = new OtlpExporter(settings, testContext().ctx);
    await exporter.start();
    cleanup.push(() => server.close(), () => exporter.shutdown());
    await exporter.consume(batchOf('traces', traceRequest(1)));
    await exporter.consume(batchOf('logs', anchorRequest('logs')));
    await waitUntil(() => server.received.length === 2);
    expect(server.received.map((r) => r.url).sort()).toEqual(['/custom/v1/traces', '/otlp/v1/logs']);
  });

  it('retries 503 honouring Retry-After, and 429', async () => {
    const { server, exporter, logs } = await setup();
    server.respond = (_request, attempt) =>
      attempt === 0 ? { status: 503, headers: { 'Retry-After': '1' } } : attempt === 1 ? { status: 429 } : { status: 200 };
    await exporter.consume(batchOf('traces', traceRequest(1)));
    await waitUntil(() => server.accepted().length === 1, 5000);
    const [first, second, third] = server.received;
    expect(server.received).toHaveLength(3);
    // Retry-After: 1 beats the 20 ms backoff; the 429 without it waits the backoff only.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect((third?.at ?? 0) - (second?.at ?? 0)).toBeLessThan(900);
    expect(third?.request).toEqual(traceRequest(1));
    await waitUntil(() => exporter.metrics.totals.sent.traces === 3);
    expect(exporter.metrics.totals.sendFailed.traces).toBe(0);
    expect(logs).toEqual([]);
  });

  it('takes the retry delay from a RetryInfo in the error body when there is no Retry-After', async () => {
    const { server, exporter } = await setup();
    server.respond = (_request, attempt) =>
      attempt === 0 ? { status: 503, headers: { 'content-type': 'application/json' }, body: encodeJsonStatus(14, 'busy', 600) } : { status: 200 };
    await exporter.consume(batchOf('traces', traceRequest(1)));
    await waitUntil(() => server.accepted().length === 1);
    expect((server.received[1]?.at ?? 0) - (server.received[0]?.at ?? 0)).toBeGreaterThanOrEqual(550);
  });

  it('does not retry 400: counts the items as failed and logs once with the downstream message', async () => {
    const { server, exporter, logs, metric } = await setup();
    server.respond = () => ({ status: 400, headers: { 'content-type': 'application/x-protobuf' }, body: encodeProtobufStatus(3, 'span 7 has a bad trace id') });
    for (let i = 0; i < 3; i++) await exporter.consume(batchOf('traces', traceRequest(i)));
    await waitUntil(() => exporter.metrics.totals.sendFailed.traces === 9);
    await sleep(100);
    expect(server.received).toHaveLength(3);
    expect(await metric('slowatch_exporter_send_failed_spans_total')).toBe(9);
    expect(await metric('slowatch_exporter_sent_spans_total')).toBeUndefined(); // never added to
    expect(logs).toEqual([
      'error: exporter otlp/downstream: sending spans (HTTP 400, not retryable) failed; further failures are counted, not logged: HTTP 400: span 7 has a bad trace id',
    ]);
  });

  it('counts the rejected items of a partial success and logs its message once', async () => {
    const { server, exporter, logs } = await setup({ protocol: 'http/json' });
    server.respond = () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: encodeJsonResponse('traces', { rejected: 2, errorMessage: 'spans too old' }),
    });
    await exporter.consume(batchOf('traces', traceRequest(1, 5)));
    await exporter.consume(batchOf('traces', traceRequest(2, 5)));
    await waitUntil(() => exporter.metrics.totals.sendFailed.traces === 4);
    expect(exporter.metrics.totals.sent.traces).toBe(6);
    expect(logs).toEqual(['warn: exporter otlp/downstream: the downstream rejected 2 of 5 spans (partial success): spans too old; further ones are counted, not logged']);
  });

  it('reads a protobuf partial success', async () => {
    const { server, exporter } = await setup();
    server.respond = () => ({
      status: 200,
      headers: { 'content-type': 'application/x-protobuf' },
      body: encodeProtobufResponse('logs', { rejected: 1, errorMessage: 'no body' }),
    });
    await exporter.consume(batchOf('logs', anchorRequest('logs')));
    await waitUntil(() => exporter.metrics.totals.sendFailed.logs === 1);
    expect(exporter.metrics.totals.sent.logs).toBe(0);
  });

  it('logs a partial success without rejections as a warning, counting every item as sent', async () => {
    const { server, exporter, logs } = await setup();
    server.respond = () => ({
      status: 200,
      headers: { 'content-type': 'application/x-protobuf' },
      body: encodeProtobufResponse('traces', { rejected: 0, errorMessage: 'attribute limit reached' }),
    });
    await exporter.consume(batchOf('traces', traceRequest(1)));
    await waitUntil(() => exporter.metrics.totals.sent.traces === 3);
    expect(exporter.metrics.totals.sendFailed.traces).toBe(0);
    expect(logs).toEqual([
      'warn: exporter otlp/downstream: the downstream accepted all 3 spans with a warning (partial success): attribute limit reached; further ones are counted, not logged',
    ]);
  });

  it('times out a request that gets no answer and retries it', async () => {
    const { server, exporter } = await setup({ timeout: '200ms' });
    server.respond = (_request, attempt) => (attempt === 0 ? { status: 200, hang: true } : { status: 200 });
    const started = Date.now();
    await exporter.consume(batchOf('traces', traceRequest(1)));
    await waitUntil(() => server.accepted().length === 1);
    expect(server.received).toHaveLength(2);
    expect(server.received[1]!.at - started).toBeGreaterThanOrEqual(190);
    await waitUntil(() => exporter.metrics.totals.sent.traces === 3);
  });

  it('gives a batch up after max_elapsed_time, logging once', async () => {
    const { server, exporter, logs } = await setup({ retry_on_failure: { ...FAST_RETRY, max_elapsed_time: '300ms' } });
    server.respond = () => ({ status: 502 });
    await exporter.consume(batchOf('traces', traceRequest(1)));
    await exporter.consume(batchOf('traces', traceRequest(2)));
    await waitUntil(() => exporter.metrics.totals.sendFailed.traces === 6, 3000);
    expect(server.received.length).toBeGreaterThanOrEqual(4);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^error: exporter otlp\/downstream: sending spans \(gave up after retrying for max_elapsed_time 300 ms\) failed; .*last error: HTTP 502$/);
  });

  it('downstream outage: every batch within the queue bound arrives exactly once; a full queue refuses with BackpressureError', async () => {
    const QUEUE_SIZE = 10;
    const CONSUMERS = 2;
    const OUTAGE_MS = 3000;
    const { server, exporter, metric } = await setup({
      sending_queue: { num_consumers: CONSUMERS, queue_size: QUEUE_SIZE },
      retry_on_failure: { initial_interval: '100ms', max_interval: '400ms', randomization_factor: 0.5, multiplier: 1.5, max_elapsed_time: '10s' },
    });
    // The outage lasts until the test ends it (after at least OUTAGE_MS), not for a wall-clock time:
    // a loaded CI machine must not turn the filling phase into a race with the recovery.
    let down = true;
    server.respond = (_request) => (down ? { status: 503 } : { status: 200 });
    const outageStarted = Date.now();

    const accepted: number[] = [];
    const refused: BackpressureError[] = [];
    for (let n = 0; n < 30; n++) {
      try {
        await exporter.consume(batchOf('traces', traceRequest(n, 4)));
        accepted.push(n);
      } catch (error) {
        expect(error).toBeInstanceOf(BackpressureError);
        refused.push(error as BackpressureError);
      }
      await sleep(20);
    }
    // The queue holds QUEUE_SIZE; the consumers hold one more each while they retry.
    expect(accepted).toHaveLength(QUEUE_SIZE + CONSUMERS);
    expect(refused).toHaveLength(30 - QUEUE_SIZE - CONSUMERS);
    for (const error of refused) expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(exporter.queueSize).toBe(QUEUE_SIZE);
    expect(await metric('slowatch_exporter_queue_size')).toBe(QUEUE_SIZE);
    expect(await metric('slowatch_exporter_queue_capacity')).toBe(QUEUE_SIZE);
    expect(await metric(EXPORTER_METRIC_NAMES.enqueueFailed('traces'))).toBe(refused.length * 4);
    expect(server.accepted()).toHaveLength(0); // all of this happened during the outage
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)));
    down = false;

    await waitUntil(() => server.accepted().length === accepted.length, 6000, 'every queued batch delivered');
    await sleep(200);
    const delivered = server.accepted().flatMap((r) => batchNumbersOf(r.request));
    expect(delivered.sort((a, b) => a - b)).toEqual(accepted);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(exporter.metrics.totals.sent.traces).toBe(accepted.length * 4);
    expect(exporter.metrics.totals.sendFailed.traces).toBe(0);
    expect(exporter.queueSize).toBe(0);
    // After the outage the queue takes batches again.
    await exporter.consume(batchOf('traces', traceRequest(99)));
    await waitUntil(() => server.accepted().length === accepted.length + 1);
  }, 10_000);

  it('shutdown drains the queue, then refuses new batches', async () => {
    const { server, exporter } = await setup({ sending_queue: { num_consumers: 1, queue_size: 50 } });
    server.respond = () => ({ status: 200, delayMs: 30 });
    for (let n = 0; n < 10; n++) await exporter.consume(batchOf('traces', traceRequest(n)));
    expect(exporter.queueSize).toBeGreaterThan(5);
    await exporter.shutdown();
    expect(server.accepted()).toHaveLength(10);
    expect(exporter.metrics.totals.sent.traces).toBe(30);
    await expect(exporter.consume(batchOf('traces', traceRequest(11)))).rejects.toBeInstanceOf(BackpressureError);
  });

  it('shutdown gives up after its drain time, counting what is left as failed and logging once', async () => {
    const { server, exporter, logs } = await setup({ sending_queue: { num_consumers: 2, queue_size: 50 } }, { drainTimeoutMs: 400 });
    server.respond = () => ({ status: 503 });
    for (let n = 0; n < 8; n++) await exporter.consume(batchOf('traces', traceRequest(n)));
    const started = Date.now();
    await exporter.shutdown();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(exporter.metrics.totals.sendFailed.traces).toBe(24);
    expect(exporter.metrics.totals.sent.traces).toBe(0);
    expect(logs).toEqual(['error: exporter otlp/downstream: shutdown gave up 8 batches (24 items) not sent within 400 ms']);
  });

  it('shutdown aborts a request in flight at the drain deadline', async () => {
    const { server, exporter } = await setup({ timeout: '30s' }, { drainTimeoutMs: 300 });
    server.respond = () => ({ status: 200, hang: true });
    await exporter.consume(batchOf('traces', traceRequest(1)));
    await waitUntil(() => server.received.length === 1);
    const started = Date.now();
    await exporter.shutdown();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(exporter.metrics.totals.sendFailed.traces).toBe(3);
  });

  describe('without a sending queue', () => {
    it('sends before consume resolves', async () => {
      const { server, exporter } = await setup({ sending_queue: { enabled: false } });
      await exporter.consume(batchOf('traces', traceRequest(1)));
      expect(server.accepted()).toHaveLength(1);
      expect(exporter.metrics.totals.sent.traces).toBe(3);
    });

    it('maps a retryable failure to BackpressureError with the downstream Retry-After', async () => {
      const { server, exporter } = await setup({ sending_queue: { enabled: false } });
      server.respond = () => ({ status: 503, headers: { 'Retry-After': '7' } });
      const error = await exporter.consume(batchOf('traces', traceRequest(1))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BackpressureError);
      expect((error as BackpressureError).retryAfterSeconds).toBe(7);
      expect(server.received).toHaveLength(1);
    });

    it('maps a permanent failure to PermanentError', async () => {
      const { server, exporter } = await setup({ sending_queue: { enabled: false } });
      server.respond = () => ({ status: 413, body: 'too large' });
      await expect(exporter.consume(batchOf('traces', traceRequest(1)))).rejects.toThrow(new PermanentError('the downstream rejected the data: HTTP 413: too large'));
      expect(exporter.metrics.totals.sendFailed.traces).toBe(3);
    });
  });

  it('treats a refused connection as retryable', async () => {
    const server = new FakeHttpServer();
    const endpoint = await server.listen();
    await server.close(); // nothing listens there any more
    const test = testContext();
    const settings = resolveOtlpExporterSettings({ ...createDefaultConfig(), endpoint, sending_queue: { enabled: false } });
    const exporter = new OtlpExporter(settings, test.ctx);
    await exporter.start();
    cleanup.push(() => exporter.shutdown());
    const error = await exporter.consume(batchOf('traces', traceRequest(1))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackpressureError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('fails to start with one line when a TLS file cannot be read', async () => {
    const settings = resolveOtlpExporterSettings({ ...createDefaultConfig(), endpoint: 'https://127.0.0.1:1', tls: { ca_file: '/nonexistent/ca.pem' } });
    const exporter = new OtlpExporter(settings, testContext().ctx);
    await expect(exporter.start()).rejects.toThrow(/^tls\.ca_file "\/nonexistent\/ca\.pem" cannot be read: ENOENT/);
  });
});
