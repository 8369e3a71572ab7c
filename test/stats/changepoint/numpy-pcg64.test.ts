import { describe, expect, it } from 'vitest';
import { numpyDefaultRng } from './numpy-pcg64';

/** Reference outputs printed by numpy 2.4.6 (`np.random.default_rng(seed)`). */
function shuffle<T>(items: T[], start: number, stop: number, interval: (max: number) => number): T[] {
  for (let i = stop - 1; i > start; i--) {
    const j = start + interval(i - start);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

describe('numpyDefaultRng (test helper)', () => {
  it('seeds PCG64 as numpy does', () => {
    expect(numpyDefaultRng(1).seededState).toEqual({
      state: 207833532711051698738587646355624148094n,
      inc: 194290289479364712180083596243593368443n,
    });
    expect(numpyDefaultRng(7).seededState).toEqual({
      state: 208745520555909116978795849195383758904n,
      inc: 261136684632268670825940853076396136793n,
    });
  });

  it('gives the raw 64-bit outputs of numpy', () => {
    const one = numpyDefaultRng(1);
    expect([one.next64(), one.next64(), one.next64()]).toEqual([0x8306bdf37922e4ffn, 0xf35196bbc152a866n, 0x24e7a4f608ec18cdn]);
    const seven = numpyDefaultRng(7);
    expect([seven.next64(), seven.next64()]).toEqual([0xa00641a9f1e54a8bn, 0xe5afcdbcaf266a95n]);
  });

  it('shuffles whole arrays and slices as numpy does', () => {
    const nine = Array.from({ length: 9 }, (_, i) => i);
    expect(shuffle(nine, 0, 9, numpyDefaultRng(1).interval)).toEqual([7, 0, 1, 4, 2, 5, 8, 6, 3]);
    const twenty = Array.from({ length: 20 }, (_, i) => i);
    expect(shuffle(twenty, 0, 20, numpyDefaultRng(42).interval)).toEqual([15, 9, 14, 7, 12, 10, 6, 19, 3, 0, 16, 5, 11, 18, 2, 4, 17, 1, 13, 8]);
    const generator = numpyDefaultRng(3);
    const ten = Array.from({ length: 10 }, (_, i) => i);
    shuffle(ten, 2, 7, generator.interval);
    shuffle(ten, 7, 10, generator.interval);
    expect(ten).toEqual([0, 1, 6, 4, 3, 5, 2, 7, 8, 9]);
  });
});
