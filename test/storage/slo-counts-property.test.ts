import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlowatchStore } from '../../src/storage/slowatch-store';
import type { SloRollupRow } from '../../src/storage/store-records';
import { useTempDir } from './store-test-files';

/*
 * sloCounts and sloCountsByBucket read whole hours from the hourly sums and
 * the partial hours from the per-interval rows. Whatever the rows and the
 * range, the answer must equal the plain sum over the rows.
 */

const MINUTE = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);
const SERIES = ['{"service":"a"}', '{"service":"b"}'];

describe('SLO counts from hourly sums and rows', () => {
  const tempDir = useTempDir();

  it('equal the plain sums over any range and bucket', () => {
    const store = SlowatchStore.open({ path: path.join(tempDir(), 'p.db') });
    // 6 hours of 1-minute rows with varied counts, some written twice (upserts add).
    const rows: SloRollupRow[] = [];
    for (let m = 0; m < 360; m++) {
      for (const [s, series] of SERIES.entries()) {
        rows.push({ slo: 'x', series, service: 'svc', startMs: T0 + m * MINUTE, intervalMs: MINUTE, good: (m * 7 + s) % 13, bad: (m + s) % 5 === 0 ? 1 : 0 });
      }
    }
    store.write({ sloRollups: rows });
    store.write({ sloRollups: rows.filter((_, i) => i % 11 === 0) });
    const all = [...rows, ...rows.filter((_, i) => i % 11 === 0)];

    const minuteOffset = fc.integer({ min: -30, max: 400 }).map((m) => T0 + m * MINUTE + (m % 3 === 0 ? 17_000 : 0));
    fc.assert(
      fc.property(minuteOffset, minuteOffset, fc.constantFrom(MINUTE, 5 * MINUTE, HOUR, 2 * HOUR, 86_400_000), fc.constantFrom(undefined, ...SERIES), (a, b, bucketMs, series) => {
        const fromMs = Math.min(a, b);
        const toMs = Math.max(a, b);
        const inRange = all.filter((r) => r.startMs >= fromMs && r.startMs < toMs && (series === undefined || r.series === series));
        const expected = { good: inRange.reduce((n, r) => n + r.good, 0), bad: inRange.reduce((n, r) => n + r.bad, 0) };
        expect(store.sloCounts({ slo: 'x', fromMs, toMs, ...(series === undefined ? {} : { series }) })).toEqual(expected);
        const buckets = new Map<number, { good: number; bad: number }>();
        for (const r of inRange) {
          const start = r.startMs - (r.startMs % bucketMs);
          const sums = buckets.get(start) ?? { good: 0, bad: 0 };
          sums.good += r.good;
          sums.bad += r.bad;
          buckets.set(start, sums);
        }
        const expectedBuckets = [...buckets].sort(([x], [y]) => x - y).map(([startMs, sums]) => ({ startMs, ...sums }));
        expect(store.sloCountsByBucket({ slo: 'x', fromMs, toMs, bucketMs, ...(series === undefined ? {} : { series }) })).toEqual(expectedBuckets);
      }),
      { numRuns: 300 },
    );
    store.close();
  });
});
