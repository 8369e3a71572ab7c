import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SlowatchStore } from '../../src/storage/slowatch-store';
import type { StoredEvent } from '../../src/storage/store-records';
import { useTempDir } from './store-test-files';

/*
 * A store the size of a month of a busy gateway: 30 days of 1-minute rows
 * for 20 SLO series (864 000 rows) and 20 000 events. The queries the
 * reports and pages make must answer from aggregates and limits; this test
 * checks their results on that volume (timing belongs to benchmarks).
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const DAYS = 30;
const SERIES = 20;
const MINUTES = DAYS * 1440;

/**
 * Row for minute m of series s: good = 100 + s, bad = 1 when m % 60 === s
 * (one bad minute per hour per series). Loaded with SQL straight into the
 * tables (recursive CTEs, about a second) rather than 864k upserts through
 * `write` (several seconds); the hourly sums and the series list are derived
 * the way `write` keeps them, and slo-counts-property.test.ts checks that
 * `write` keeps them so.
 */
function bulkLoad(file: string): void {
  const db = new Database(file);
  db.exec(`
    BEGIN;
    WITH RECURSIVE
      minute(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM minute WHERE m + 1 < ${MINUTES}),
      series(s) AS (SELECT 0 UNION ALL SELECT s + 1 FROM series WHERE s + 1 < ${SERIES})
    INSERT INTO slo_rollups (slo, series, service, start_ms, interval_ms, good, bad)
      SELECT 'checkout', '{"route":"/r' || s || '","service":"shop"}', 'shop', ${T0} + m * ${MINUTE}, ${MINUTE}, 100 + s, CASE WHEN m % 60 = s THEN 1 ELSE 0 END
      FROM minute, series;
    INSERT INTO slo_hourly (slo, series, hour_ms, good, bad)
      SELECT slo, series, start_ms - start_ms % 3600000, sum(good), sum(bad) FROM slo_rollups GROUP BY 1, 2, 3;
    INSERT INTO slo_series (slo, series, service) SELECT DISTINCT slo, series, service FROM slo_rollups;
    COMMIT;
  `);
  db.close();
}

describe('SlowatchStore on a month of rows', () => {
  const tempDir = useTempDir();

  it('sums, buckets, lists and limits over 864k rollup rows', () => {
    const file = path.join(tempDir(), 'large.db');
    SlowatchStore.open({ path: file }).close();
    bulkLoad(file);
    const store = SlowatchStore.open({ path: file });
    const events: StoredEvent[] = Array.from({ length: 20_000 }, (_, i) => ({
      atMs: T0 + i * 2 * MINUTE,
      kind: i % 2 === 0 ? 'anomaly' : 'slo_alert',
      slo: i % 2 === 0 ? null : 'checkout',
      service: `svc${i % 10}`,
      operation: null,
      severity: null,
      state: 'start',
      payload: '{}',
    }));
    store.write({ events });

    const all = { slo: 'checkout', fromMs: T0, toMs: T0 + DAYS * DAY };
    const goodPerMinute = (SERIES * (2 * 100 + SERIES - 1)) / 2;
    expect(store.sloCounts(all)).toEqual({ good: goodPerMinute * MINUTES, bad: SERIES * DAYS * 24 });
    expect(store.sloSeries('checkout')).toHaveLength(SERIES);
    const oneSeries = store.sloCounts({ ...all, series: '{"route":"/r3","service":"shop"}' });
    expect(oneSeries).toEqual({ good: 103 * MINUTES, bad: DAYS * 24 });
    const days = store.sloCountsByBucket({ ...all, bucketMs: DAY });
    expect(days).toHaveLength(DAYS);
    expect(days[7]).toEqual({ startMs: T0 + 7 * DAY, good: goodPerMinute * 1440, bad: SERIES * 24 });
    const lastHour = store.sloCountsByBucket({ slo: 'checkout', fromMs: T0 + DAYS * DAY - 3_600_000, toMs: T0 + DAYS * DAY, bucketMs: MINUTE });
    expect(lastHour).toHaveLength(60);
    expect(store.extent()).toEqual({ fromMs: T0, toMs: T0 + (MINUTES - 1) * MINUTE });
    const recent = store.events({ fromMs: T0, toMs: T0 + DAYS * DAY, kinds: ['slo_alert'], slo: 'checkout', limit: 50 });
    expect(recent).toHaveLength(50);
    expect(recent[0]?.atMs).toBe(T0 + 19_999 * 2 * MINUTE);
    expect(store.events({ fromMs: T0, toMs: T0 + DAYS * DAY, service: 'svc3' })).toHaveLength(1000);
    expect(store.prune(T0 + DAYS * DAY, { rollupsMs: 29 * DAY, eventsMs: 90 * DAY })).toEqual({ rollups: SERIES * 1440, events: 0 });
    expect(store.sloCounts(all).bad).toBe(SERIES * (DAYS - 1) * 24);
    store.close();
  });
});
