import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageExtension } from '../../../extensions/storage/storage-extension';
import { isStatefulEngine } from '../../../extensions/storage/stateful-engine';
import { BASELINE_SIGNALS } from '../../../src/baseline/baseline-signal';
import { AnomalyEngine } from '../../../src/engine/anomaly-engine';
import { BaselineEngine } from '../../../src/engine/baseline-engine';
import { BaselineSpanSample } from '../../../src/engine/baseline-span-sample';
import { SloEngine } from '../../../src/engine/slo-engine';
import { OtlpSpanKind, OtlpStatusCode } from '../../../src/engine/span-sample';
import { RecommendEngine } from '../../../src/recommend/recommend-engine';
import type { ManualClock } from '../../../src/clock';
import { objectiveSpec } from '../../helpers/objectives';
import { doubleDetectors } from '../../baseline/detector-double';
import { useTempDir } from '../../storage/store-test-files';
import { storageTestContext } from './fake-engines';

/*
 * The extension on the real engines: what they export survives a restart
 * (a graceful one, then a crash), and the SLO rollups count every event once.
 */

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 9);

function engines(clock: ManualClock) {
  const slo = new SloEngine([objectiveSpec({ name: 'shop-availability' })], { clock });
  const baseline = new BaselineEngine({ clock, intervalMs: MINUTE, model: { modelledSignals: [...BASELINE_SIGNALS], createDetector: doubleDetectors([], 3, 1.5) } });
  const anomaly = new AnomalyEngine(baseline);
  // No regression engine: it keeps no state and its events are covered with fakes.
  const regression = { subscribe: () => () => undefined };
  const recommend = new RecommendEngine();
  return {
    slo, baseline,
    attached: {
      slo: new Map([['slo', slo]]),
      baseline: new Map([['baseline', baseline]]),
      anomaly: new Map([['anomaly', anomaly]]),
      regression: new Map([['regression', regression]]),
      recommend: new Map([['recommend', recommend]]),
    },
  };
}

const sample = new BaselineSpanSample();
sample.kind = OtlpSpanKind.SERVER;
sample.service = 'shop';
sample.attributes = { 'http.request.method': 'GET', 'http.route': '/cart' };

function traffic(clock: ManualClock, run: ReturnType<typeof engines>, good: number, bad: number): void {
  for (let i = 0; i < good + bad; i++) {
    sample.statusCode = i < bad ? OtlpStatusCode.ERROR : OtlpStatusCode.UNSET;
    sample.durationMs = 20 + (i % 7);
    sample.endTimeMs = clock.now();
    sample.traceId = undefined;
    run.slo.record(sample);
    run.baseline.record(sample);
  }
}

describe('storage extension with the real engines', () => {
  const tempDir = useTempDir('slowatch-storage-real-');

  it('restores the SLO, baseline and anomaly engines and counts every SLO event once', async () => {
    const settings = { path: path.join(tempDir(), 'slowatch.db'), snapshotIntervalMs: 10_000, rollupIntervalMs: MINUTE, retention: { rollupsMs: 90 * 86_400_000, eventsMs: 90 * 86_400_000 } };

    // First process: 4 minutes of traffic, graceful stop.
    const firstContext = storageTestContext(T0);
    const first = engines(firstContext.clock);
    expect([first.slo, first.baseline, first.attached.anomaly.get('anomaly')].every(isStatefulEngine)).toBe(true);
    const firstExtension = new StorageExtension(settings, firstContext, { timer: false });
    firstExtension.attachEngines(first.attached);
    await firstExtension.start();
    for (let m = 0; m < 4; m++) {
      traffic(firstContext.clock, first, 50, 2);
      firstContext.clock.advance(MINUTE);
      first.baseline.rollUp();
      firstExtension.flushNow();
    }
    await firstExtension.shutdown();

    // Second process: restores, counts on, then dies without a shutdown after one more flush and some unflushed traffic.
    const secondContext = storageTestContext(T0 + 5 * MINUTE);
    const second = engines(secondContext.clock);
    const secondExtension = new StorageExtension(settings, secondContext, { timer: false });
    secondExtension.attachEngines(second.attached);
    await secondExtension.start();
    const restored = secondContext.lines.filter((line) => line.includes(': restored '));
    expect(restored.map((line) => line.split(':')[2]?.trim())).toEqual(['slo/slo', 'baseline/baseline', 'anomaly/anomaly']);
    expect(secondContext.lines.filter((line) => line.startsWith('warn:') || line.startsWith('error:'))).toEqual([]);
    let good = 0;
    let bad = 0;
    second.slo.collect((series) => {
      good += series.goodEvents;
      bad += series.badEvents;
    });
    expect({ good, bad }).toEqual({ good: 200, bad: 8 });
    traffic(secondContext.clock, second, 30, 1);
    secondContext.clock.advance(MINUTE);
    second.baseline.rollUp();
    secondExtension.flushNow();
    traffic(secondContext.clock, second, 1000, 0); // lost with the crash
    const store = secondExtension.store;
    expect(store?.sloCounts({ slo: 'shop-availability', fromMs: 0, toMs: Number.MAX_SAFE_INTEGER })).toEqual({ good: 230, bad: 9 });
    expect(store?.sloSeries('shop-availability')).toEqual([{ series: '{"service":"shop"}', service: 'shop' }]);
    const rows = store?.keyRollups({ service: 'shop', fromMs: 0, toMs: Number.MAX_SAFE_INTEGER }) ?? [];
    expect(rows.map((r) => [r.operation, r.count, r.errors])).toEqual([
      ['GET /cart', 52, 2],
      ['GET /cart', 52, 2],
      ['GET /cart', 52, 2],
      ['GET /cart', 52, 2],
      ['GET /cart', 31, 1],
    ]);
    expect(rows[4]?.p50Ms).toBeGreaterThan(19);
    // (the process dies: its connection closes with it)
    secondExtension['opened']?.close();

    const thirdContext = storageTestContext(T0 + 7 * MINUTE);
    const third = engines(thirdContext.clock);
    const thirdExtension = new StorageExtension(settings, thirdContext, { timer: false });
    thirdExtension.attachEngines(third.attached);
    await thirdExtension.start();
    good = 0;
    third.slo.collect((series) => {
      good += series.goodEvents;
    });
    expect(good).toBe(230);
    await thirdExtension.shutdown();
  });
});
