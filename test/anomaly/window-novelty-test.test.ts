import { describe, expect, it } from 'vitest';
import { WindowNoveltyTest } from '../../src/anomaly/window-novelty-test';
import { SeededRandom } from '../../eval/synthetic/seeded-random';

/** Pushes `n` values from `value(i)`. */
function pushAll(test: WindowNoveltyTest, n: number, value: (i: number) => number): void {
  for (let i = 0; i < n; i++) test.push(value(i));
}

describe('WindowNoveltyTest', () => {
  it('is never novel before the window is full, nor on a constant series', () => {
    const test = new WindowNoveltyTest(10, 4);
    pushAll(test, 9, (i) => i);
    expect(test.full).toBe(false);
    expect(test.isNovel()).toBe(false);
    const flat = new WindowNoveltyTest(10, 4);
    pushAll(flat, 50, () => 3);
    expect(flat.isNovel()).toBe(false);
  });

  it('finds a first window novel, and the same window again not novel once remembered', () => {
    const test = new WindowNoveltyTest(10, 4);
    pushAll(test, 10, (i) => i);
    expect(test.hypothesisCount).toBe(0);
    expect(test.isNovel()).toBe(true);
    test.remember();
    expect(test.hypothesisCount).toBe(1);
    pushAll(test, 10, (i) => i); // the same 0..9 ramp: the same histogram
    expect(test.isNovel()).toBe(false);
  });

  it('accepts a window drawn from a remembered distribution and rejects a wider one', () => {
    const rng = new SeededRandom(3);
    const test = new WindowNoveltyTest(52, 8);
    // Fix the range to [-4, 4] first, then remember a standard normal window.
    test.push(-4);
    test.push(4);
    pushAll(test, 52, () => Math.max(-3.9, Math.min(3.9, rng.normal())));
    expect(test.isNovel()).toBe(true);
    test.remember();
    let accepted = 0;
    for (let k = 0; k < 50; k++) {
      pushAll(test, 52, () => Math.max(-3.9, Math.min(3.9, rng.normal())));
      if (!test.isNovel()) accepted++;
    }
    // Most same-distribution windows pass. Not 99 %: the remembered histogram is itself a sample of 52,
    // and a window with a value in one of its empty outer bins rejects it outright.
    expect(accepted).toBeGreaterThanOrEqual(25);
    // Three times the spread: mass moves to the outer bins.
    pushAll(test, 52, () => Math.max(-3.9, Math.min(3.9, 3 * rng.normal())));
    expect(test.isNovel()).toBe(true);
  });

  it('keeps at most maxHypotheses and replaces the least recently matched one', () => {
    const test = new WindowNoveltyTest(5, 2);
    test.push(0);
    test.push(10); // range [0, 10]: bins of width 2
    const windowAt = (v: number): void => pushAll(test, 5, () => v);
    windowAt(1); // all in bin 0
    expect(test.isNovel()).toBe(true);
    test.remember();
    windowAt(9); // all in bin 4
    expect(test.isNovel()).toBe(true);
    test.remember();
    windowAt(1);
    expect(test.isNovel()).toBe(false); // bin 0 matched: bin 4 is now the least recently matched
    windowAt(5); // all in bin 2
    expect(test.isNovel()).toBe(true);
    test.remember();
    expect(test.hypothesisCount).toBe(2);
    windowAt(1);
    expect(test.isNovel()).toBe(false); // kept
    windowAt(9);
    expect(test.isNovel()).toBe(true); // replaced
  });

  it('reports its typed-array bytes and rejects bad sizes', () => {
    expect(new WindowNoveltyTest(52, 32).bytes).toBe(52 * 4 + 32 * 5 + 32 * 4 + 5);
    expect(() => new WindowNoveltyTest(4, 8)).toThrow(RangeError);
    expect(() => new WindowNoveltyTest(129, 8)).toThrow(RangeError);
    expect(() => new WindowNoveltyTest(52, 0)).toThrow(RangeError);
  });
});
