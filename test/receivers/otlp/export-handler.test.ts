import { describe, it, expect } from 'vitest';
import { metrics } from '@opentelemetry/api';
import { ExportHandler, FailureLog } from '../../../receivers/otlp/export-handler';
import { ReceiverMetrics } from '../../../receivers/otlp/receiver-metrics';
import type { Consumer } from '../../../src/pipeline/consumer';
import type { ExportTraceServiceRequest } from '../../../src/otlp/model/trace';
import type { Logger } from '../../../src/logging/logger';

const silent: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const oneSpan: ExportTraceServiceRequest = { resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x' }] }] }] };

describe('ExportHandler memory bound', () => {
  it('refuses with back-pressure while the bytes in flight would pass the bound, and admits again once they drain', async () => {
    const releases: (() => void)[] = [];
    const consumer: Consumer = { consume: () => new Promise<void>((resolve) => releases.push(resolve)) };
    const handler = new ExportHandler(
      { traces: consumer },
      new ReceiverMetrics(metrics.getMeter('test'), 'otlp'),
      new FailureLog(silent, 'otlp'),
      1000,
    );
    // One request is always admitted, however large: a body within the size limit is never refused for good.
    const first = handler.export('http', 'traces', 5000, () => oneSpan);
    const second = await handler.export('http', 'traces', 10, () => oneSpan);
    expect(second).toMatchObject({ kind: 'backpressure', retryAfterSeconds: 1 });
    releases[0]!();
    expect(await first).toEqual({ kind: 'success' });
    const third = handler.export('http', 'traces', 600, () => oneSpan);
    const fourth = handler.export('grpc', 'traces', 300, () => oneSpan);
    expect(await handler.export('http', 'traces', 200, () => oneSpan)).toMatchObject({ kind: 'backpressure' });
    releases.forEach((release) => release());
    await new Promise((r) => setImmediate(r));
    releases.forEach((release) => release());
    expect(await third).toEqual({ kind: 'success' });
    expect(await fourth).toEqual({ kind: 'success' });
  });
});
