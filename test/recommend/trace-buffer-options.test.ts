import { describe, expect, it } from 'vitest';
import { DEFAULT_TRACE_BUFFER_OPTIONS, resolveTraceBufferOptions } from '../../src/recommend/trace-buffer-options';

describe('resolveTraceBufferOptions', () => {
  it('fills every default in one place', () => {
    expect(resolveTraceBufferOptions()).toEqual(DEFAULT_TRACE_BUFFER_OPTIONS);
    expect(DEFAULT_TRACE_BUFFER_OPTIONS).toEqual({
      decisionWaitMs: 10_000,
      maxTraces: 10_000,
      maxSpansPerTrace: 1_000,
      maxSpans: 200_000,
      decidedTraceIdsCapacity: 10_000,
    });
    expect(Object.isFrozen(resolveTraceBufferOptions({ maxTraces: 5 }))).toBe(true);
  });

  it('remembers as many decided ids as traces in flight unless told otherwise', () => {
    expect(resolveTraceBufferOptions({ maxTraces: 123 }).decidedTraceIdsCapacity).toBe(123);
    expect(resolveTraceBufferOptions({ maxTraces: 123, decidedTraceIdsCapacity: 0 }).decidedTraceIdsCapacity).toBe(0);
  });

  it('lowers the default span cap per trace to maxSpans when that is smaller', () => {
    expect(resolveTraceBufferOptions({ maxSpans: 50 }).maxSpansPerTrace).toBe(50);
  });

  it.each([
    [{ decisionWaitMs: -1 }, /decisionWaitMs/],
    [{ decisionWaitMs: Number.NaN }, /decisionWaitMs/],
    [{ decisionWaitMs: 600_001 }, /decisionWaitMs/],
    [{ maxTraces: 0 }, /maxTraces/],
    [{ maxTraces: 1.5 }, /maxTraces/],
    [{ maxSpans: 0 }, /maxSpans must/],
    [{ maxSpansPerTrace: 0 }, /maxSpansPerTrace/],
    [{ maxSpans: 10, maxSpansPerTrace: 11 }, /maxSpansPerTrace must be an integer in \[1, 10\]/],
    [{ decidedTraceIdsCapacity: -1 }, /decidedTraceIdsCapacity/],
  ])('rejects %o with a RangeError naming the option', (options, message) => {
    expect(() => resolveTraceBufferOptions(options)).toThrow(RangeError);
    expect(() => resolveTraceBufferOptions(options)).toThrow(message);
  });

  it('accepts a zero wait (decide at the next tick)', () => {
    expect(resolveTraceBufferOptions({ decisionWaitMs: 0 }).decisionWaitMs).toBe(0);
  });
});
