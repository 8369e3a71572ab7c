import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { isTracingSuppressed } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultConfig, resolveOtlpExporterSettings } from '../../../exporters/otlp/config';
import { OtlpExporter } from '../../../exporters/otlp/otlp-exporter';
import type { SendResult } from '../../../exporters/otlp/send-result';
import type { PreparedRequest, Transport } from '../../../exporters/otlp/transport';
import { batchOf, testContext, traceRequest, waitUntil } from './helpers';

/** Records whether tracing was suppressed when the exporter called it. */
class RecordingTransport implements Transport {
  readonly suppressed: boolean[] = [];
  start(): Promise<void> {
    return Promise.resolve();
  }
  prepare(): Promise<PreparedRequest> {
    this.suppressed.push(isTracingSuppressed(context.active()));
    return Promise.resolve({ body: Buffer.alloc(0) });
  }
  send(): Promise<SendResult> {
    this.suppressed.push(isTracingSuppressed(context.active()));
    return Promise.resolve({ kind: 'ok', rejected: 0, errorMessage: '' });
  }
  abortAll(): void {}
  close(): void {}
}

describe('otlp exporter under an instrumented process', () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
  });
  afterAll(() => {
    context.disable();
  });

  it.each([true, false])('sends with tracing suppressed (sending queue %s)', async (queue) => {
    const transport = new RecordingTransport();
    const settings = resolveOtlpExporterSettings({ ...createDefaultConfig(), endpoint: 'http://127.0.0.1:1', sending_queue: { enabled: queue } });
    const exporter = new OtlpExporter(settings, testContext().ctx, { transport });
    // Started and fed from an ordinary (unsuppressed) context, as a receiver would.
    await context.with(ROOT_CONTEXT, async () => {
      expect(isTracingSuppressed(context.active())).toBe(false);
      await exporter.start();
      await exporter.consume(batchOf('traces', traceRequest(1)));
    });
    await waitUntil(() => transport.suppressed.length === 2);
    expect(transport.suppressed).toEqual([true, true]);
    await exporter.shutdown();
  });
});
