import { describe, expect, it } from 'vitest';
import { parseMetricNumber } from '../../src/ci/metric-number';

describe('parseMetricNumber', () => {
  it('reads plain numbers only', () => {
    expect(['12', '-0.5', '+3', '.5', '5.', '1e3', '2.5E-2', ' 7 '].map(parseMetricNumber)).toEqual([12, -0.5, 3, 0.5, 5, 1000, 0.025, 7]);
    expect(['', '12ms', 'NaN', 'Infinity', '0x10', '1,5', '1e999', '--1'].map(parseMetricNumber)).toEqual(new Array(8).fill(undefined));
  });
});
