import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExemplarSet } from '../../src/baseline/exemplar-set';

const hex = (n: number): string => n.toString(16).padStart(32, '0');
const bytes = (n: number): Uint8Array => Uint8Array.from(Buffer.from(hex(n), 'hex'));

describe('ExemplarSet', () => {
  it('keeps the trace ids of the k slowest spans, slowest first', () => {
    const set = new ExemplarSet(3);
    [5, 50, 1, 30, 40, 2].forEach((ms, i) => set.offer(ms, hex(i + 1)));
    expect(set.traceIds()).toEqual([hex(2), hex(5), hex(4)]);
  });

  it('copies OTLP trace id bytes instead of keeping the buffer, and prints them as hex', () => {
    const set = new ExemplarSet(2);
    const buffer = new Uint8Array(64);
    const view = buffer.subarray(16, 32);
    view.set(bytes(0xabcdef));
    set.offer(10, view);
    buffer.fill(0xff); // the request buffer is reused or freed: the set must not change
    expect(set.traceIds()).toEqual([hex(0xabcdef)]);
  });

  it('ignores spans without a trace id and keeps nothing with capacity 0', () => {
    const set = new ExemplarSet(2);
    set.offer(10, undefined);
    set.offer(10, new Uint8Array(0));
    set.offer(10, '');
    expect(set.traceIds()).toEqual([]);
    const none = new ExemplarSet(0);
    none.offer(10, hex(1));
    expect(none.traceIds()).toEqual([]);
  });

  it('starts over after clear()', () => {
    const set = new ExemplarSet(2);
    set.offer(100, hex(1));
    set.offer(200, hex(2));
    set.clear();
    set.offer(1, hex(3));
    expect(set.traceIds()).toEqual([hex(3)]);
    expect(set.length).toBe(1);
  });

  it('refuses capacities beyond 10', () => {
    expect(() => new ExemplarSet(11)).toThrow(RangeError);
  });

  it('always holds the k largest durations offered (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { maxLength: 60 }), fc.integer({ min: 1, max: 10 }), (durations, k) => {
        const set = new ExemplarSet(k);
        durations.forEach((ms, i) => set.offer(ms, hex(i + 1)));
        const kept = set.traceIds().map((id) => durations[parseInt(id, 16) - 1]!);
        const expected = [...durations].sort((a, b) => b - a).slice(0, k);
        expect(kept).toEqual(expected);
      }),
    );
  });
});
