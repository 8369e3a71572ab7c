import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeProtobufRequest, encodeProtobufResponse, encodeProtobufStatus } from '../../../src/otlp/codec';
import type { Signal } from '../../../src/otlp/signal';
import { BackpressureError, PermanentError } from '../../../src/pipeline/pipeline-errors';
import { createDefaultConfig, resolveOtlpExporterSettings } from '../../../exporters/otlp/config';
import type { OtlpExporterConfig } from '../../../exporters/otlp/config';
import { OtlpExporter } from '../../../exporters/otlp/otlp-exporter';
import { userAgent } from '../../../exporters/otlp/user-agent';
import { anchorRequest, batchNumbersOf, batchOf, ByteCountingProxy, FakeGrpcServer, sleep, testContext, traceRequest, waitUntil } from './helpers';

const FAST_RETRY = { initial_interval: '20ms', max_interval: '100ms', randomization_factor: 0, multiplier: 2, max_elapsed_time: '5s' };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function setup(config: OtlpExporterConfig = {}) {
  const server = new FakeGrpcServer();
  const endpoint = await server.listen();
  const test = testContext('otlp/grpc');
  const settings = resolveOtlpExporterSettings({
    ...createDefaultConfig(),
    protocol: 'grpc',
    endpoint,
    tls: { insecure: true },
    retry_on_failure: FAST_RETRY,
    ...config,
  });
  const exporter = new OtlpExporter(settings, test.ctx);
  await exporter.start();
  cleanup.push(() => server.close(), () => exporter.shutdown());
  return { server, exporter, ...test };
}

describe('otlp exporter over gRPC', () => {
  it.each(['gzip', 'none'] as const)('delivers every signal byte for byte (compression %s) with the configured metadata', async (compression) => {
    const { server, exporter } = await setup({ compression, headers: { Authorization: 'Bearer s3cret' } });
    const signals: Signal[] = ['traces', 'metrics', 'logs'];
    for (const signal of signals) await exporter.consume(batchOf(signal, anchorRequest(signal)));
    await waitUntil(() => server.received.length === 3);
    for (const signal of signals) {
      const got = server.received.find((r) => r.signal === signal);
      expect(got?.body.equals(Buffer.from(encodeProtobufRequest(signal, anchorRequest(signal))))).toBe(true);
      expect(got?.request).toEqual(anchorRequest(signal));
      expect(got?.metadata.get('authorization')).toEqual(['Bearer s3cret']);
      expect(String(got?.metadata.get('user-agent')[0])).toContain(userAgent());
    }
    await waitUntil(() => exporter.metrics.totals.sent.logs === 1);
    expect(exporter.metrics.totals.sent).toEqual({ traces: 1, metrics: 4, logs: 1 });
  });

  it('compresses with gzip on the wire when asked', async () => {
    const server = new FakeGrpcServer();
    const target = await server.listen();
    const wireBytes: Record<string, number> = {};
    for (const compression of ['gzip', 'none'] as const) {
      const proxy = new ByteCountingProxy(target);
      const endpoint = await proxy.listen();
      const settings = resolveOtlpExporterSettings({ ...createDefaultConfig(), protocol: 'grpc', endpoint, compression, tls: { insecure: true } });
      const exporter = new OtlpExporter(settings, testContext().ctx);
      await exporter.start();
      await exporter.consume(batchOf('traces', traceRequest(1, 500)));
      await waitUntil(() => exporter.metrics.totals.sent.traces === 500);
      await exporter.shutdown();
      await proxy.close();
      wireBytes[compression] = proxy.bytesFromClient;
    }
    await server.close();
    expect(server.received).toHaveLength(2);
    expect(server.received[0]?.body.equals(server.received[1]!.body)).toBe(true);
    expect(wireBytes.gzip).toBeLessThan((wireBytes.none ?? 0) / 3);
  });

  it('retries UNAVAILABLE and DEADLINE_EXCEEDED', async () => {
    const { server, exporter, logs } = await setup({ timeout: '300ms' });
    server.respond = (_call, attempt) =>
      attempt === 0 ? { ok: false, code: status.UNAVAILABLE, details: 'restarting' } : attempt === 1 ? { ok: true, delayMs: 1000 } : { ok: true };
    await exporter.consume(batchOf('traces', traceRequest(1)));
    await waitUntil(() => exporter.metrics.totals.sent.traces === 3, 4000);
    expect(server.received).toHaveLength(3);
    expect(logs).toEqual([]);
  });

  it('retries RESOURCE_EXHAUSTED only with RetryInfo, waiting its retry_delay', async () => {
    const { server, exporter, logs } = await setup();
    server.respond = (call, attempt) => {
      const [n] = batchNumbersOf(call.request);
      if (n === 1 && attempt === 0) {
        return { ok: false, code: status.RESOURCE_EXHAUSTED, details: 'slow down', statusDetails: encodeProtobufStatus(status.RESOURCE_EXHAUSTED, 'slow down', 500) };
      }
      if (n === 2) return { ok: false, code: status.RESOURCE_EXHAUSTED, details: 'quota gone' };
      return { ok: true };
    };
    await exporter.consume(batchOf('traces', traceRequest(1)));
    await waitUntil(() => exporter.metrics.totals.sent.traces === 3, 3000);
    expect(server.received[1]!.at - server.received[0]!.at).toBeGreaterThanOrEqual(450);

    await exporter.consume(batchOf('traces', traceRequest(2)));
    await waitUntil(() => exporter.metrics.totals.sendFailed.traces === 3);
    await sleep(100);
    expect(server.received).toHaveLength(3);
    expect(logs).toEqual([
      'error: exporter otlp/grpc: sending spans (RESOURCE_EXHAUSTED, not retryable) failed; further failures are counted, not logged: RESOURCE_EXHAUSTED: quota gone',
    ]);
  });

  it('does not retry INVALID_ARGUMENT: counted, logged once', async () => {
    const { server, exporter, logs, metric } = await setup();
    server.respond = () => ({ ok: false, code: status.INVALID_ARGUMENT, details: 'bad span id' });
    for (let n = 0; n < 4; n++) await exporter.consume(batchOf('traces', traceRequest(n, 2)));
    await waitUntil(() => exporter.metrics.totals.sendFailed.traces === 8);
    await sleep(100);
    expect(server.received).toHaveLength(4);
    expect(await metric('slowatch_exporter_send_failed_spans_total')).toBe(8);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toContain('INVALID_ARGUMENT: bad span id');
  });

  it('counts a partial success', async () => {
    const { server, exporter, logs } = await setup();
    server.respond = () => ({ ok: true, response: encodeProtobufResponse('traces', { rejected: 1, errorMessage: 'duplicate span' }) });
    await exporter.consume(batchOf('traces', traceRequest(1)));
    await waitUntil(() => exporter.metrics.totals.sendFailed.traces === 1);
    expect(exporter.metrics.totals.sent.traces).toBe(2);
    expect(logs[0]).toContain('rejected 1 of 3 spans (partial success): duplicate span');
  });

  it('rides out an outage with UNAVAILABLE and delivers each queued batch once', async () => {
    const { server, exporter } = await setup({ sending_queue: { num_consumers: 2, queue_size: 5 } });
    // Down until the test says so (not for a wall-clock time, which a loaded machine could outrun).
    let down = true;
    server.respond = () => (down ? { ok: false, code: status.UNAVAILABLE, details: 'down' } : { ok: true });
    const accepted: number[] = [];
    for (let n = 0; n < 12; n++) {
      try {
        await exporter.consume(batchOf('traces', traceRequest(n)));
        accepted.push(n);
      } catch (error) {
        expect(error).toBeInstanceOf(BackpressureError);
      }
      await sleep(20);
    }
    expect(accepted).toHaveLength(7);
    expect(exporter.metrics.totals.enqueueFailed.traces).toBe(5 * 3);
    await sleep(300);
    const recoveredAt = Date.now();
    down = false;
    await waitUntil(() => exporter.metrics.totals.sent.traces === 7 * 3, 4000);
    const okCalls = server.received.filter((r) => r.at >= recoveredAt);
    expect(okCalls.flatMap((r) => batchNumbersOf(r.request)).sort((a, b) => a - b)).toEqual(accepted);
  });

  it('without a queue maps UNAVAILABLE to BackpressureError and INVALID_ARGUMENT to PermanentError', async () => {
    const { server, exporter } = await setup({ sending_queue: { enabled: false } });
    server.respond = (_call, attempt) =>
      attempt === 0 ? { ok: false, code: status.UNAVAILABLE, details: 'down' } : { ok: false, code: status.INVALID_ARGUMENT, details: 'bad' };
    await expect(exporter.consume(batchOf('traces', traceRequest(1)))).rejects.toBeInstanceOf(BackpressureError);
    await expect(exporter.consume(batchOf('traces', traceRequest(2)))).rejects.toBeInstanceOf(PermanentError);
  });

  it('treats an unreachable endpoint as UNAVAILABLE', async () => {
    const server = new FakeGrpcServer();
    const endpoint = await server.listen();
    await server.close();
    const settings = resolveOtlpExporterSettings({ ...createDefaultConfig(), protocol: 'grpc', endpoint, tls: { insecure: true }, sending_queue: { enabled: false } });
    const exporter = new OtlpExporter(settings, testContext().ctx);
    await exporter.start();
    cleanup.push(() => exporter.shutdown());
    const error = await exporter.consume(batchOf('traces', traceRequest(1))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackpressureError);
    expect((error as Error).message).toMatch(/UNAVAILABLE/);
  });
});
