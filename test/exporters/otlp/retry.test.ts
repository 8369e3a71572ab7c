import fc from 'fast-check';
import { Metadata, status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock';
import { encodeProtobufStatus } from '../../../src/otlp/codec';
import { ExponentialBackoff, randomize } from '../../../exporters/otlp/backoff';
import { classifyGrpcError } from '../../../exporters/otlp/grpc-transport';
import { isRetryableGrpcCode, parseRetryAfter, RETRYABLE_HTTP_STATUSES } from '../../../exporters/otlp/send-result';
import { SendingQueue } from '../../../exporters/otlp/sending-queue';
import { traceRequest, batchOf } from './helpers';

const COLLECTOR_DEFAULTS = { initialIntervalMs: 5000, randomizationFactor: 0.5, multiplier: 1.5, maxIntervalMs: 30_000 };

describe('exponential backoff', () => {
  it('grows by the multiplier up to max_interval (no jitter at r = 0.5)', () => {
    const backoff = new ExponentialBackoff(COLLECTOR_DEFAULTS, () => 0.5);
    const waits = Array.from({ length: 8 }, () => backoff.nextDelayMs());
    expect(waits).toEqual([5000, 7500, 11_250, 16_875, 25_313, 30_000, 30_000, 30_000]);
    backoff.reset();
    expect(backoff.nextDelayMs()).toBe(5000);
  });

  it('randomizes each wait within interval × (1 ± factor)', () => {
    expect(randomize(5000, 0.5, 0)).toBe(2500);
    expect(randomize(5000, 0.5, 0.999999)).toBe(7500);
    expect(randomize(5000, 0, 0.3)).toBe(5000);
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 1, max: 20 }), (r, steps) => {
        const backoff = new ExponentialBackoff(COLLECTOR_DEFAULTS, () => r);
        let interval = 5000;
        for (let i = 0; i < steps; i++) {
          const wait = backoff.nextDelayMs();
          expect(wait).toBeGreaterThanOrEqual(Math.floor(interval * 0.5));
          expect(wait).toBeLessThanOrEqual(Math.ceil(interval * 1.5));
          interval = Math.min(interval * 1.5, 30_000);
        }
      }),
    );
  });
});

describe('retry classification', () => {
  it('retries exactly the HTTP statuses the OTLP specification lists', () => {
    expect([...RETRYABLE_HTTP_STATUSES].sort()).toEqual([429, 502, 503, 504]);
  });

  it('retries the gRPC codes the OTLP specification lists; RESOURCE_EXHAUSTED only with RetryInfo', () => {
    const retryable = Array.from({ length: 17 }, (_, code) => code).filter((code) => isRetryableGrpcCode(code, false));
    expect(retryable).toEqual([status.CANCELLED, status.DEADLINE_EXCEEDED, status.ABORTED, status.OUT_OF_RANGE, status.UNAVAILABLE, status.DATA_LOSS]);
    expect(isRetryableGrpcCode(status.RESOURCE_EXHAUSTED, true)).toBe(true);
    expect(isRetryableGrpcCode(status.INVALID_ARGUMENT, true)).toBe(false);
  });

  it('reads RetryInfo from grpc-status-details-bin', () => {
    const error = (code: status, retryDelayMs?: number): ServiceError => {
      const metadata = new Metadata();
      if (retryDelayMs !== undefined) metadata.set('grpc-status-details-bin', Buffer.from(encodeProtobufStatus(code, 'slow down', retryDelayMs)));
      return Object.assign(new Error('x'), { code, details: 'slow down', metadata });
    };
    expect(classifyGrpcError(error(status.RESOURCE_EXHAUSTED))).toEqual({ kind: 'permanent', reason: 'RESOURCE_EXHAUSTED: slow down', failureKind: 'RESOURCE_EXHAUSTED' });
    expect(classifyGrpcError(error(status.RESOURCE_EXHAUSTED, 1500))).toEqual({
      kind: 'retryable',
      reason: 'RESOURCE_EXHAUSTED: slow down',
      failureKind: 'RESOURCE_EXHAUSTED',
      retryAfterMs: 1500,
    });
    expect(classifyGrpcError(error(status.UNAVAILABLE, 250))).toMatchObject({ kind: 'retryable', retryAfterMs: 250 });
    expect(classifyGrpcError(error(status.INVALID_ARGUMENT))).toMatchObject({ kind: 'permanent', failureKind: 'INVALID_ARGUMENT' });
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const clock = new ManualClock(Date.parse('2026-11-21T10:00:00Z'));
    expect(parseRetryAfter('3', clock)).toBe(3000);
    expect(parseRetryAfter(' 0 ', clock)).toBe(0);
    expect(parseRetryAfter('Sat, 21 Nov 2026 10:00:07 GMT', clock)).toBe(7000);
    expect(parseRetryAfter('Sat, 21 Nov 2026 09:00:00 GMT', clock)).toBe(0);
    expect(parseRetryAfter(undefined, clock)).toBeUndefined();
    expect(parseRetryAfter('soon', clock)).toBeUndefined();
    expect(parseRetryAfter('1.5', clock)).toBeUndefined();
    expect(parseRetryAfter('-3', clock)).toBeUndefined();
  });
});

describe('sending queue', () => {
  const batch = (n: number, spans = 3) => batchOf('traces', traceRequest(n, spans));

  it('holds at most its capacity in batches, FIFO', async () => {
    const queue = new SendingQueue(2);
    expect(queue.offer(batch(1))).toBe(true);
    expect(queue.offer(batch(2))).toBe(true);
    expect(queue.offer(batch(3))).toBe(false);
    expect([queue.size, queue.itemCount]).toEqual([2, 6]);
    expect((await queue.take())?.request).toEqual(traceRequest(1));
    expect(queue.offer(batch(3))).toBe(true);
    expect(queue.drainAll().map((b) => b.request)).toEqual([traceRequest(2), traceRequest(3)]);
  });

  it('caps the queued items with max_items, letting one oversized batch into an empty queue', () => {
    const queue = new SendingQueue(100, 10);
    expect(queue.offer(batch(1, 6))).toBe(true);
    expect(queue.offer(batch(2, 5))).toBe(false);
    expect(queue.offer(batch(3, 4))).toBe(true);
    expect(queue.itemCount).toBe(10);
    queue.drainAll();
    expect(queue.offer(batch(4, 50))).toBe(true);
    expect(queue.offer(batch(5, 1))).toBe(false);
  });

  it('hands batches to waiting takers and releases them on close', async () => {
    const queue = new SendingQueue(1);
    const waiting = queue.take();
    expect(queue.offer(batch(1))).toBe(true);
    expect(queue.size).toBe(0);
    expect((await waiting)?.itemCount).toBe(3);
    const idle = queue.take();
    queue.close();
    expect(await idle).toBeUndefined();
    expect(queue.offer(batch(2))).toBe(false);
  });

  it('stays compact over many batches', () => {
    const queue = new SendingQueue(10);
    const b = batch(1);
    for (let i = 0; i < 10_000; i++) {
      queue.offer(b);
      queue.poll();
    }
    expect(queue.size).toBe(0);
    expect((queue as unknown as { items: unknown[] }).items.length).toBeLessThan(2048);
  });
});
