import { describe, it, expect, vi, afterEach } from 'vitest';
import { BatchProcessor } from '../../../processors/batch/batch-processor';
import type { Consumer } from '../../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../../src/pipeline/telemetry-batch';
import { BackpressureError } from '../../../src/pipeline/pipeline-errors';
import type { ExportTraceServiceRequest } from '../../../src/otlp/model/trace';

function traces(name: string, spans: number): TelemetryBatch {
  const request: ExportTraceServiceRequest = {
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: name } }] }, scopeSpans: [{ spans: Array.from({ length: spans }, (_, i) => ({ name: `${name}-${i}` })) }] }],
  };
  return { signal: 'traces', request, itemCount: spans };
}

class Recorder implements Consumer {
  readonly batches: TelemetryBatch[] = [];
  failWith: Error | undefined;
  consume(batch: TelemetryBatch): Promise<void> {
    this.batches.push(batch);
    return this.failWith === undefined ? Promise.resolve() : Promise.reject(this.failWith);
  }
  names(): string[][] {
    return this.batches.map((b) => ((b.request as ExportTraceServiceRequest).resourceSpans ?? []).map((r) => String(r.resource?.attributes?.[0]?.value?.stringValue)));
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('BatchProcessor', () => {
  it('sends once send_batch_size items are pending, merging resources in order', async () => {
    const next = new Recorder();
    const batcher = new BatchProcessor('traces', { sendBatchSize: 10, timeoutMs: 60_000, sendBatchMaxSize: 0 }, next);
    const a = batcher.consume(traces('a', 4));
    const b = batcher.consume(traces('b', 4));
    expect(next.batches).toHaveLength(0);
    const c = batcher.consume(traces('c', 4));
    await Promise.all([a, b, c]);
    expect(next.names()).toEqual([['a', 'b', 'c']]);
    expect(next.batches[0]!.itemCount).toBe(12);
  });

  it('sends what is pending when the timeout expires', async () => {
    vi.useFakeTimers();
    const next = new Recorder();
    const batcher = new BatchProcessor('traces', { sendBatchSize: 100, timeoutMs: 200, sendBatchMaxSize: 0 }, next);
    const settled = batcher.consume(traces('a', 1));
    await vi.advanceTimersByTimeAsync(199);
    expect(next.batches).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    await settled;
    expect(next.names()).toEqual([['a']]);
  });

  it('passes downstream back-pressure to every caller whose data was in the batch', async () => {
    const next = new Recorder();
    next.failWith = new BackpressureError('queue full', 3);
    const batcher = new BatchProcessor('traces', { sendBatchSize: 2, timeoutMs: 60_000, sendBatchMaxSize: 0 }, next);
    const results = await Promise.allSettled([batcher.consume(traces('a', 1)), batcher.consume(traces('b', 1))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(BackpressureError);
  });

  it('cuts batches at request boundaries under send_batch_max_size; an oversized request travels alone', async () => {
    const next = new Recorder();
    const batcher = new BatchProcessor('traces', { sendBatchSize: 20, timeoutMs: 60_000, sendBatchMaxSize: 8 }, next);
    await Promise.all([batcher.consume(traces('a', 3)), batcher.consume(traces('b', 4)), batcher.consume(traces('c', 12)), batcher.consume(traces('d', 2))]);
    expect(next.names()).toEqual([['a', 'b'], ['c'], ['d']]);
    expect(next.batches.map((b) => b.itemCount)).toEqual([7, 12, 2]);
  });

  it('flushes on shutdown and refuses new data afterwards', async () => {
    const next = new Recorder();
    const batcher = new BatchProcessor('traces', { sendBatchSize: 100, timeoutMs: 60_000, sendBatchMaxSize: 0 }, next);
    const pending = batcher.consume(traces('a', 1));
    await batcher.shutdown();
    await pending;
    expect(next.names()).toEqual([['a']]);
    await expect(batcher.consume(traces('b', 1))).rejects.toBeInstanceOf(BackpressureError);
  });
});
