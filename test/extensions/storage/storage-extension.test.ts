import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageExtension } from '../../../extensions/storage/storage-extension';
import type { StorageExtensionOptions } from '../../../extensions/storage/storage-extension';
import type { StorageExtensionSettings } from '../../../extensions/storage/config';
import { isEngineStateHost } from '../../../extensions/storage/engine-state-host';
import type { AttachedEngines } from '../../../extensions/storage/engine-state-host';
import { SlowatchStore } from '../../../src/storage/slowatch-store';
import { STORE_MIGRATIONS } from '../../../src/storage/store-migrations';
import { sha256, useTempDir } from '../../storage/store-test-files';
import { FakeReadings, fakeEngines, recommendation, sloAlert, storageTestContext } from './fake-engines';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 1, 12);
const CHECKOUT = { slo: 'checkout', fromMs: 0, toMs: Number.MAX_SAFE_INTEGER };

describe('storage extension', () => {
  const tempDir = useTempDir('slowatch-storage-ext-');

  function settings(overrides: Partial<StorageExtensionSettings> = {}): StorageExtensionSettings {
    return { path: path.join(tempDir(), 'data', 'slowatch.db'), snapshotIntervalMs: 10_000, rollupIntervalMs: MINUTE, retention: { rollupsMs: 90 * 86_400_000, eventsMs: 90 * 86_400_000 }, ...overrides };
  }

  /** A started extension on fresh fakes: one process's life. */
  async function run(options: StorageExtensionOptions = {}, settingsOverrides: Partial<StorageExtensionSettings> = {}, startMs = T0) {
    const fakes = fakeEngines();
    const context = storageTestContext(startMs);
    const extension = new StorageExtension(settings(settingsOverrides), context, { timer: false, ...options });
    extension.attachEngines(fakes.engines);
    await extension.start();
    return { fakes, context, extension };
  }

  /** Reads the store the way a report would, in another connection. */
  function readStore<T>(read: (store: SlowatchStore) => T): T {
    const store = SlowatchStore.open({ path: settings().path, readonly: true });
    try {
      return read(store);
    } finally {
      store.close();
    }
  }

  it('is an engine state host; the real engines fit what it uses', () => {
    const extension = new StorageExtension(settings(), storageTestContext(T0));
    expect(isEngineStateHost(extension)).toBe(true);
    expect(extension.store).toBeUndefined();
    // Compile-time: the service's engine maps are accepted as they are.
    const attach: (engines: AttachedEngines) => void = (engines) => extension.attachEngines(engines);
    expect(typeof attach).toBe('function');
  });

  it('creates the store, writes the objectives, and serves it as the report store once started', async () => {
    const { extension, context } = await run();
    expect(extension.store?.objectives().map((o) => o.spec.name)).toEqual(['checkout']);
    expect(context.lines.some((line) => line.startsWith('info: extension storage: store ') && line.includes(`schema version ${STORE_MIGRATIONS.length}`))).toBe(true);
    expect(context.lines).toContain('debug: extension storage: slo/slo: no snapshot, starting cold');
    await extension.shutdown();
    expect(extension.store).toBeUndefined();
  });

  it('restores snapshots in order slo, baseline, anomaly, logging each summary once', async () => {
    const first = await run();
    first.fakes.slo.count(100, 5);
    first.fakes.baseline.state = { learned: 42 };
    first.context.clock.advance(10_000);
    first.extension.flushNow();
    await first.extension.shutdown();
    expect(first.fakes.log).toEqual(['export slo', 'export baseline', 'export anomaly', 'export slo', 'export baseline', 'export anomaly']);

    const second = await run({}, {}, T0 + 60_000);
    expect(second.fakes.log).toEqual(['restore slo', 'restore baseline', 'restore anomaly']);
    expect(second.fakes.slo.series[0]).toMatchObject({ goodEvents: 100, badEvents: 5 });
    expect(second.fakes.baseline.state).toEqual({ learned: 42 });
    const restoreLines = second.context.lines.filter((line) => line.includes(': restored '));
    expect(restoreLines).toEqual([
      `info: extension storage: slo/slo: restored 1, skipped 0 from the snapshot of ${new Date(T0 + 10_000).toISOString()}`,
      `info: extension storage: baseline/baseline: restored 1, skipped 0 from the snapshot of ${new Date(T0 + 10_000).toISOString()}`,
      `info: extension storage: anomaly/anomaly: restored 1, skipped 0 from the snapshot of ${new Date(T0 + 10_000).toISOString()}`,
    ]);
    await second.extension.shutdown();
  });

  it('counts SLO events once across a graceful restart: deltas per rollup interval, nothing lost or doubled', async () => {
    const first = await run();
    first.fakes.slo.count(10, 1);
    first.context.clock.advance(10_000);
    first.extension.flushNow();
    first.fakes.slo.count(5, 0);
    first.context.clock.advance(10_000);
    first.extension.flushNow();
    first.fakes.slo.count(7, 2); // after the last flush: written by shutdown
    first.context.clock.advance(5_000);
    await first.extension.shutdown();
    expect(readStore((s) => s.sloCountsByBucket({ ...CHECKOUT, bucketMs: MINUTE }))).toEqual([{ startMs: T0, good: 22, bad: 3 }]);

    const second = await run({}, {}, T0 + 2 * MINUTE);
    expect(second.fakes.slo.series[0]).toMatchObject({ goodEvents: 22, badEvents: 3 });
    second.fakes.slo.count(3, 1);
    second.context.clock.advance(10_000);
    second.extension.flushNow();
    await second.extension.shutdown();
    expect(readStore((s) => s.sloCountsByBucket({ ...CHECKOUT, bucketMs: MINUTE }))).toEqual([
      { startMs: T0, good: 22, bad: 3 },
      { startMs: T0 + 2 * MINUTE, good: 3, bad: 1 },
    ]);
    expect(readStore((s) => s.sloSeries('checkout'))).toEqual([{ series: '{"service":"shop"}', service: 'shop' }]);
  });

  it('after a crash (no shutdown), resumes from the last flush: what came after it is missing from both the engine and the rollups', async () => {
    const first = await run();
    first.fakes.slo.count(10, 1);
    first.context.clock.advance(10_000);
    first.extension.flushNow();
    first.fakes.slo.count(99, 9); // counted, never flushed: the process dies here (kill -9)

    const second = await run({}, {}, T0 + 30_000);
    expect(second.fakes.slo.series[0]).toMatchObject({ goodEvents: 10, badEvents: 1 });
    second.fakes.slo.count(4, 0);
    second.context.clock.advance(10_000);
    second.extension.flushNow();
    expect(second.extension.store?.sloCounts(CHECKOUT)).toEqual({ good: 14, bad: 1 });
    expect(second.fakes.slo.series[0]).toMatchObject({ goodEvents: 14, badEvents: 1 });
    await second.extension.shutdown();
    // The crashed extension's connection is still open in this test process; close it like the OS would.
    first.extension['opened']?.close();
  });

  it('after a failed write, stores each event and recommendation exactly once at the next flush', async () => {
    const { fakes, context, extension } = await run();
    fakes.slo.emit(sloAlert(T0 + 1));
    fakes.recommend.recommendations = [recommendation('r1')];
    context.clock.advance(10_000);
    const store = extension.store as SlowatchStore;
    const write = store.write.bind(store);
    store.write = () => {
      throw new Error('disk I/O error');
    };
    extension.flushNow();
    expect(context.lines.filter((line) => line.startsWith('error:'))).toHaveLength(1);
    store.write = write;
    context.clock.advance(10_000);
    extension.flushNow();
    extension.flushNow();
    const events = store.events({ fromMs: 0, toMs: Number.MAX_SAFE_INTEGER });
    expect(events.map((e) => e.kind).sort()).toEqual(['recommendation', 'slo_alert']);
    await extension.shutdown();
  });

  it('stores SLO alerts, anomalies, regressions and new or changed recommendations as events', async () => {
    const { fakes, context, extension } = await run();
    fakes.slo.emit(sloAlert(T0 + 1));
    fakes.regression.emit({
      outcome: 'regression', classification: 'High', critical: true, baselineVersion: '1.0', version: '1.1', canary: false, effectSize: 1.4, pValue: 0.001,
      confidenceInterval: [10, 30], estimateMs: 20, controlCount: 500, experimentCount: 400, controlMeanMs: 50, experimentMeanMs: 70, atMs: T0 + 3, deployedAtMs: T0,
      service: 'shop', operation: 'GET /cart', spanKind: 'server',
    });
    fakes.recommend.recommendations = [recommendation('r1'), recommendation('r2', { operation: '', severity: 'high' })];
    context.clock.advance(10_000);
    extension.flushNow();
    // Unchanged: nothing new. Escalated and resolved: one event each.
    extension.flushNow();
    fakes.recommend.recommendations = [recommendation('r1', { severity: 'critical', occurrences: 50 }), recommendation('r2', { operation: '', severity: 'high', status: 'resolved', resolvedAtMs: T0 + 15_000 })];
    context.clock.advance(10_000);
    extension.flushNow();
    const events = extension.store?.events({ fromMs: 0, toMs: Number.MAX_SAFE_INTEGER }) ?? [];
    expect(events.map((e) => [e.kind, e.service, e.operation, e.severity, e.state])).toEqual([
      ['recommendation', 'shop', null, 'high', 'resolved'],
      ['recommendation', 'shop', 'GET /cart', 'critical', 'open'],
      ['recommendation', 'shop', null, 'high', 'open'],
      ['recommendation', 'shop', 'GET /cart', 'medium', 'open'],
      ['regression', 'shop', 'GET /cart', 'regression', null],
      ['slo_alert', 'shop', null, 'page', 'firing'],
    ]);
    expect(JSON.parse(events[5]!.payload)).toEqual(sloAlert(T0 + 1));
    expect(events[5]?.slo).toBe('checkout');
    await extension.shutdown();

    // A restart does not store the same recommendation states again.
    const second = await run({}, {}, T0 + MINUTE);
    second.fakes.recommend.recommendations = [recommendation('r1', { severity: 'critical', occurrences: 70 }), recommendation('r3')];
    second.context.clock.advance(10_000);
    second.extension.flushNow();
    const after = second.extension.store?.events({ fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, kinds: ['recommendation'] }) ?? [];
    expect(after.map((e) => (JSON.parse(e.payload) as { id: string }).id)).toEqual(['r3', 'r2', 'r1', 'r2', 'r1']);
    await second.extension.shutdown();
  });

  it('stores one key rollup per closed interval with spans, with the p95 band when modelled', async () => {
    const { fakes, context, extension } = await run();
    const labels = { service: 'shop', operation: 'GET /cart', spanKind: 'server' };
    fakes.baseline.close(new FakeReadings(labels, 120, { latency_p50: 10, latency_p95: 40, latency_p99: 90, error_ratio: 0.025, throughput: 2 }, { low: 20, center: 30, high: 45 }), T0 + MINUTE);
    fakes.baseline.close(new FakeReadings(labels, 0, { throughput: 0 }), T0 + 2 * MINUTE); // no spans: no row
    fakes.baseline.close(new FakeReadings({ ...labels, operation: 'POST /pay' }, 10, { latency_p50: 5, latency_p95: 6, latency_p99: 7, error_ratio: 0, throughput: 1 / 6 }), T0 + 2 * MINUTE);
    context.clock.advance(10_000);
    extension.flushNow();
    expect(extension.store?.keys()).toEqual([
      { service: 'shop', operation: 'GET /cart', spanKind: 'server' },
      { service: 'shop', operation: 'POST /pay', spanKind: 'server' },
    ]);
    expect(extension.store?.keyRollups({ service: 'shop', fromMs: 0, toMs: T0 + 10 * MINUTE })).toEqual([
      { ...labels, endMs: T0 + MINUTE, intervalMs: MINUTE, count: 120, errors: 3, p50Ms: 10, p95Ms: 40, p99Ms: 90, errorRatio: 0.025, throughput: 2, p95ExpectedLow: 20, p95ExpectedCenter: 30, p95ExpectedHigh: 45 },
      { ...labels, operation: 'POST /pay', endMs: T0 + 2 * MINUTE, intervalMs: MINUTE, count: 10, errors: 0, p50Ms: 5, p95Ms: 6, p99Ms: 7, errorRatio: 0, throughput: 1 / 6, p95ExpectedLow: null, p95ExpectedCenter: null, p95ExpectedHigh: null },
    ]);
    await extension.shutdown();
  });

  it('bounds its buffers: past the capacity events and key rollups are dropped, counted and logged once', async () => {
    const { fakes, context, extension } = await run({ maxBufferedEvents: 3, maxBufferedKeyRollups: 2 });
    for (let i = 0; i < 5; i++) fakes.slo.emit(sloAlert(T0 + i));
    for (let i = 0; i < 4; i++) fakes.baseline.close(new FakeReadings({ service: 'shop', operation: `op${i}`, spanKind: 'server' }, 1, { throughput: 1 }), T0 + MINUTE);
    expect(extension.dropped).toEqual({ keyRollups: 2, events: 2 });
    expect(context.lines.filter((line) => line.includes('event buffer is full'))).toHaveLength(1);
    expect(context.lines.filter((line) => line.includes('key rollup buffer of baseline baseline is full'))).toHaveLength(1);
    extension.flushNow();
    expect(extension.store?.events({ fromMs: 0, toMs: Number.MAX_SAFE_INTEGER }).map((e) => e.atMs)).toEqual([T0 + 2, T0 + 1, T0]);
    expect(extension.store?.keys()).toHaveLength(2);
    // Drained: room again.
    fakes.slo.emit(sloAlert(T0 + 10));
    extension.flushNow();
    expect(extension.store?.events({ fromMs: 0, toMs: Number.MAX_SAFE_INTEGER })).toHaveLength(4);
    await extension.shutdown();
    expect(context.lines).toContain('warn: extension storage: 2 key rollup rows and 2 events were dropped on full buffers');
  });

  it('starts an engine cold when its snapshot cannot be read or restored, and the others still restore', async () => {
    const first = await run();
    first.fakes.slo.count(3, 0);
    await first.extension.shutdown();
    const store = SlowatchStore.open({ path: settings().path });
    store.saveSnapshots([{ component: 'baseline/baseline', format: 1, data: Buffer.from('not v8 serialized') }], T0 + 1);
    store.saveSnapshots([{ component: 'slo/slo', format: 99, data: Buffer.from([1]) }], T0 + 1);
    store.close();

    const fakes = fakeEngines();
    fakes.anomaly.restoreError = new Error('detector layout changed');
    const context = storageTestContext(T0 + MINUTE);
    const extension = new StorageExtension(settings(), context, { timer: false });
    extension.attachEngines(fakes.engines);
    await extension.start();
    expect(fakes.log).toEqual(['restore anomaly']);
    expect(fakes.slo.series[0]).toMatchObject({ goodEvents: 0 });
    const warnings = context.lines.filter((line) => line.startsWith('warn:'));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toBe("warn: extension storage: slo/slo: snapshot format 99 is not this slowatch's (1), starting cold");
    expect(warnings[1]).toMatch(/^warn: extension storage: baseline\/baseline: snapshot of .* cannot be restored \(.+\), starting cold$/);
    expect(warnings[2]).toMatch(/anomaly\/anomaly: snapshot of .* cannot be restored \(detector layout changed\), starting cold$/);
    await extension.shutdown();
  });

  it('refuses to start on a file that is not a slowatch store, leaving it untouched', async () => {
    const file = settings().path;
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'precious text that is not a database\n'.repeat(100));
    const hash = sha256(file);
    const extension = new StorageExtension(settings(), storageTestContext(T0), { timer: false });
    extension.attachEngines(fakeEngines().engines);
    await expect(extension.start()).rejects.toThrow(`store ${file} is not a SQLite database; slowatch leaves it untouched: move the file aside`);
    expect(sha256(file)).toBe(hash);
    expect(extension.store).toBeUndefined();
    await extension.shutdown(); // never rejects, even when start failed
  });

  it('prunes past retention at most hourly', async () => {
    const { fakes, context, extension } = await run({}, { retention: { rollupsMs: 3_600_000, eventsMs: 3_600_000 } });
    fakes.slo.emit(sloAlert(T0 - 3 * 3_600_000));
    fakes.slo.emit(sloAlert(T0));
    extension.flushNow(); // writes both, prunes the old one
    expect(extension.store?.events({ fromMs: 0, toMs: Number.MAX_SAFE_INTEGER }).map((e) => e.atMs)).toEqual([T0]);
    fakes.slo.emit(sloAlert(T0 - 3 * 3_600_000));
    context.clock.advance(30 * MINUTE);
    extension.flushNow(); // within the hour: not pruned yet
    expect(extension.store?.events({ fromMs: 0, toMs: Number.MAX_SAFE_INTEGER })).toHaveLength(2);
    context.clock.advance(31 * MINUTE);
    fakes.slo.emit(sloAlert(T0 + 60 * MINUTE));
    extension.flushNow(); // an hour after the last prune: both older than T0 + 1m go
    expect(extension.store?.events({ fromMs: 0, toMs: Number.MAX_SAFE_INTEGER }).map((e) => e.atMs)).toEqual([T0 + 60 * MINUTE]);
    await extension.shutdown();
  });

  it('writes snapshots on its timer', async () => {
    const fakes = fakeEngines();
    const extension = new StorageExtension(settings({ snapshotIntervalMs: 20 }), storageTestContext(T0));
    extension.attachEngines(fakes.engines);
    await extension.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fakes.log.filter((entry) => entry === 'export slo').length).toBeGreaterThanOrEqual(2);
    await extension.shutdown();
    const exports = fakes.log.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fakes.log.length).toBe(exports);
  });

  it('stops taking events after shutdown', async () => {
    const { fakes, extension } = await run();
    await extension.shutdown();
    expect(fakes.slo.listeners).toHaveLength(0);
    expect(fakes.anomaly.listeners).toHaveLength(0);
    expect(fakes.regression.listeners).toHaveLength(0);
  });
});

