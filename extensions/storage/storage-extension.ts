import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { AnomalyEvent } from '../../src/engine/anomaly-event';
import type { BaselineListener } from '../../src/engine/baseline-engine';
import type { SloAlertEvent } from '../../src/engine/slo-alert-event';
import { describeError } from '../../src/logging/logger';
import type { Component, ComponentContext } from '../../src/pipeline/component';
import type { RecommendationSource } from '../../src/recommend/recommendation';
import type { RegressionEvent } from '../../src/regression/regression-event';
import type { ObjectiveSpec } from '../../src/slo/objective';
import type { PersistentQueueTable, QueueStorageHost } from '../../src/storage/persistent-queue';
import type { ReportStore } from '../../src/storage/report-store';
import { SlowatchStore } from '../../src/storage/slowatch-store';
import type { SnapshotEntry } from '../../src/storage/slowatch-store';
import { StoreOpenError } from '../../src/storage/store-open-error';
import type { StoredEvent } from '../../src/storage/store-records';
import { BoundedBuffer } from './bounded-buffer';
import type { StorageExtensionSettings } from './config';
import type { AttachedEngines, EngineStateHost } from './engine-state-host';
import { KeyRollupRecorder } from './key-rollup-recorder';
import { RecommendationTracker } from './recommendation-tracker';
import { SloRollupTracker } from './slo-rollup-tracker';
import type { SloCounterSource } from './slo-rollup-tracker';
import { isStatefulEngine } from './stateful-engine';
import type { StateRestoreSummary } from './stateful-engine';
import { anomalyRow, recommendationRow, regressionRow, sloAlertRow } from './stored-events';
import type { Counter } from '@opentelemetry/api';

/**
 * The engines as the extension uses them: the few members it calls. The
 * real engines (AttachedEngines) have them; tests pass small fakes.
 */
export interface StorageEngines {
  readonly slo: ReadonlyMap<string, SloCounterSource & { readonly objectiveSpecs: readonly ObjectiveSpec[]; subscribe(listener: (event: SloAlertEvent) => void): () => void }>;
  readonly baseline: ReadonlyMap<string, { readonly intervalMs: number; addListener(listener: BaselineListener): void }>;
  readonly anomaly: ReadonlyMap<string, { subscribe(listener: (event: AnomalyEvent) => void): () => void }>;
  readonly regression: ReadonlyMap<string, { subscribe(listener: (event: RegressionEvent) => void): () => void }>;
  readonly recommend: ReadonlyMap<string, RecommendationSource>;
}

export interface StorageExtensionOptions {
  /** Key rollup rows buffered between writes (about 300 B each). @default 20_000 (≈ 6 MB) */
  readonly maxBufferedKeyRollups?: number;
  /** Events buffered between writes (about 1 to 2 KB each with their JSON). @default 5_000 (≈ 10 MB) */
  readonly maxBufferedEvents?: number;
  /** Start the snapshot timer (tests drive flushNow() instead). @default true */
  readonly timer?: boolean;
}

/** `data` is `v8.serialize(engine.exportState())`. A new layout gets a new number; older numbers are skipped on restore. */
export const SNAPSHOT_FORMAT = 1;

const DEFAULT_MAX_BUFFERED_KEY_ROLLUPS = 20_000;
const DEFAULT_MAX_BUFFERED_EVENTS = 5_000;
const PRUNE_EVERY_MS = 3_600_000;
/** Recommendation events read back at start, so the previous process's are not stored again. */
const REMEMBERED_RECOMMENDATION_EVENTS = 10_000;

const ENGINE_KINDS = ['slo', 'baseline', 'anomaly', 'regression', 'recommend'] as const;
type EngineKind = (typeof ENGINE_KINDS)[number];

/**
 * The `storage` extension: keeps slowatch's state and history in a SQLite
 * store (SlowatchStore).
 *
 * - start: opens the store (a file that is not a slowatch store fails the
 *   start with the store's message, and is left untouched), writes the SLO
 *   definitions, restores every engine's snapshot (restore order: slo,
 *   baseline, anomaly, regression, recommend, each engine's restore logged
 *   once; a snapshot that cannot be read or restored leaves that engine
 *   cold, never fails the start), then takes the SLO counters as the
 *   rollups' starting point;
 * - every snapshot_interval, in one transaction: every engine's snapshot,
 *   the SLO rollups (each series' counter change since the last write),
 *   the key rollups and the events buffered since; at most hourly, the
 *   rows past retention are deleted;
 * - shutdown: a last write, then the store is closed. Extensions shut down
 *   after the processors, so their last data is in.
 *
 * Memory: the key rollup and event buffers (see StorageExtensionOptions:
 * ≈ 6 MB and ≈ 10 MB at most), the SLO tracker (≈ 200 B per series) and the
 * recommendation tracker (≤ 1.2 MB). Snapshots are serialized at write time
 * and released after it (their size is the engines' own state).
 */
export class StorageExtension implements Component, EngineStateHost, QueueStorageHost {
  private opened: SlowatchStore | undefined;
  private engines: StorageEngines | undefined;
  private sloTracker: SloRollupTracker | undefined;
  private readonly recorders: KeyRollupRecorder[] = [];
  private readonly events: BoundedBuffer<StoredEvent>;
  private readonly recommendations = new RecommendationTracker();
  private readonly unsubscribers: (() => void)[] = [];
  private readonly maxBufferedKeyRollups: number;
  private timer: NodeJS.Timeout | undefined;
  private lastPruneMs = Number.NEGATIVE_INFINITY;
  private writeFailures = 0;
  private readonly snapshotFailures = new Set<string>();
  private shuttingDown = false;

  private readonly writeFailuresCounter: Counter;

  constructor(
    private readonly settings: StorageExtensionSettings,
    private readonly context: ComponentContext,
    private readonly options: StorageExtensionOptions = {},
  ) {
    this.maxBufferedKeyRollups = options.maxBufferedKeyRollups ?? DEFAULT_MAX_BUFFERED_KEY_ROLLUPS;
    this.events = new BoundedBuffer(options.maxBufferedEvents ?? DEFAULT_MAX_BUFFERED_EVENTS);
    // Failed writes are logged once per run of failures; the counter lets an alert see them all.
    this.writeFailuresCounter = context.meter.createCounter('slowatch_storage_write_failures_total', {
      description: 'Writes of snapshots, rollups and events to the store that failed (their rows wait for the next write)',
    });
    this.writeFailuresCounter.add(0, { extension: context.id });
  }

  /** The store, once started (for the web extension and reports); undefined before start and after shutdown. */
  get store(): ReportStore | undefined {
    return this.opened?.isOpen === true ? this.opened : undefined;
  }

  /**
   * A persistent queue in the store, for an exporter's `sending_queue.storage`.
   * Exporters start after extensions and shut down before them, so the store
   * is open for as long as they use it.
   */
  openQueue(name: string): PersistentQueueTable {
    const store = this.opened;
    if (store === undefined || !store.isOpen) throw new Error(`extension ${this.context.id} has no open store (not started, or shut down)`);
    return store.queueTable(name);
  }

  /** Key rollup rows and events dropped because a buffer was full. */
  get dropped(): { readonly keyRollups: number; readonly events: number } {
    return { keyRollups: this.recorders.reduce((n, r) => n + r.buffer.dropped, 0), events: this.events.dropped };
  }

  /**
   * Subscribes to the engines' events and interval closes. Called once by
   * the service after building the pipelines, before start.
   */
  attachEngines(engines: AttachedEngines | StorageEngines): void {
    if (this.engines !== undefined) throw new Error(`extension ${this.context.id}: engines are already attached`);
    this.engines = engines;
    this.sloTracker = new SloRollupTracker(engines.slo, this.settings.rollupIntervalMs);
    for (const engine of engines.slo.values()) this.unsubscribers.push(engine.subscribe((event) => this.buffer(sloAlertRow(event))));
    for (const engine of engines.anomaly.values()) this.unsubscribers.push(engine.subscribe((event) => this.buffer(anomalyRow(event))));
    for (const engine of engines.regression.values()) this.unsubscribers.push(engine.subscribe((event) => this.buffer(regressionRow(event))));
    for (const [id, engine] of engines.baseline) {
      const recorder = new KeyRollupRecorder(this.maxBufferedKeyRollups, engine.intervalMs, () =>
        this.context.logger.warn(`extension ${this.context.id}: key rollup buffer of baseline ${id} is full (${this.maxBufferedKeyRollups} rows); further rows are dropped and counted until the store catches up`),
      );
      this.recorders.push(recorder);
      engine.addListener(recorder);
    }
  }

  /** Opens the store, writes the objectives, restores the snapshots, starts the timer. Rejects with the store's message when the file is refused. */
  start(): Promise<void> {
    try {
      this.startSync();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return Promise.resolve();
  }

  /**
   * `start`, synchronously (better-sqlite3 is): for the in-process agent,
   * which starts inside a `--require` hook and must restore the engines
   * before the SDK records its first span. Throws what `start` rejects with.
   */
  startSync(): void {
    const file = path.resolve(this.settings.path);
    try {
      this.opened = SlowatchStore.open({ path: file });
    } catch (error) {
      const reason = error instanceof StoreOpenError ? error.message : `cannot open store ${file}: ${describeError(error)}`;
      throw new Error(reason);
    }
    const store = this.opened;
    const now = this.context.clock.now();
    try {
      const specs = [...(this.engines?.slo.values() ?? [])].flatMap((engine) => engine.objectiveSpecs);
      store.writeObjectives(specs, now);
      this.restoreSnapshots(store);
      this.sloTracker?.initialise();
      this.rememberStoredRecommendations(store, now);
    } catch (error) {
      store.close();
      this.opened = undefined;
      throw new Error(`store ${file}: ${describeError(error)}`);
    }
    if (this.options.timer ?? true) {
      this.timer = setInterval(() => this.flushNow(), this.settings.snapshotIntervalMs);
      this.timer.unref();
    }
    this.context.logger.info(
      `extension ${this.context.id}: store ${file} (schema version ${store.schemaVersion}); snapshots every ${this.settings.snapshotIntervalMs / 1000}s`,
    );
  }

  /**
   * Writes every engine's snapshot, the SLO rollups, the key rollups and
   * the buffered events in one transaction, then prunes when an hour has
   * passed since the last prune. Never throws: a failed write is logged and
   * its rows wait for the next one (within the buffers' bounds).
   */
  flushNow(): void {
    const store = this.opened;
    if (store === undefined || !store.isOpen || this.engines === undefined) return;
    const now = this.context.clock.now();
    const snapshots = this.exportSnapshots();
    const slo = this.sloTracker?.pending(now);
    // Recommendation rows go straight into this write, not through the event buffer: were they buffered, a
    // full buffer would drop rows the tracker already counts as stored, and a failed write would both put
    // them back and forget them (stored twice next time). On failure the tracker forgets them instead.
    const changed = this.recommendations.changes(this.engines.recommend.values());
    const recommendationRows = changed.map((recommendation) => recommendationRow(recommendation, now));
    const keyRollups = this.recorders.map((recorder) => recorder.buffer.drain());
    const events = this.events.drain();
    try {
      store.transaction(() => {
        store.saveSnapshots(snapshots, now);
        store.write({ sloRollups: slo?.rows ?? [], keyRollups: keyRollups.flat(), events: [...events, ...recommendationRows] });
      });
      slo?.commit();
      if (this.writeFailures > 0) this.context.logger.info(`extension ${this.context.id}: store writes succeed again after ${this.writeFailures} failures`);
      this.writeFailures = 0;
    } catch (error) {
      // Put the rows back for the next flush; the SLO deltas stay pending by themselves (not committed);
      // the changed recommendations are found again by the next flush once the tracker forgets them.
      keyRollups.forEach((rows, i) => this.recorders[i]?.buffer.restore(rows));
      this.events.restore(events);
      this.recommendations.forget(changed.map((r) => r.id));
      this.writeFailures++;
      this.writeFailuresCounter.add(1, { extension: this.context.id });
      if (this.writeFailures === 1) this.context.logger.error(`extension ${this.context.id}: store write failed; retrying at each snapshot interval, further failures are counted`, error);
      return;
    }
    this.pruneWhenDue(store, now);
  }

  /** A last write, then closes the store. Never rejects. */
  shutdown(): Promise<void> {
    this.shutdownSync();
    return Promise.resolve();
  }

  /**
   * `shutdown`, synchronously: the agent calls it from a process `exit`
   * listener, where nothing asynchronous runs any more. Idempotent; never throws.
   */
  shutdownSync(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.flushNow();
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    for (const recorder of this.recorders) recorder.stop();
    try {
      this.opened?.close();
    } catch (error) {
      this.context.logger.error(`extension ${this.context.id}: closing the store failed`, error);
    }
    this.opened = undefined;
    const dropped = this.dropped;
    if (dropped.keyRollups + dropped.events > 0) {
      this.context.logger.warn(`extension ${this.context.id}: ${dropped.keyRollups} key rollup rows and ${dropped.events} events were dropped on full buffers`);
    }
  }

  // --- snapshots ---------------------------------------------------------------------

  /** Every stateful engine with its component key, in restore order. */
  private *statefulEngines(): Generator<[string, EngineKind, unknown]> {
    if (this.engines === undefined) return;
    for (const kind of ENGINE_KINDS) {
      for (const [id, engine] of this.engines[kind] as ReadonlyMap<string, unknown>) {
        if (isStatefulEngine(engine)) yield [`${kind}/${id}`, kind, engine];
      }
    }
  }

  private exportSnapshots(): SnapshotEntry[] {
    const entries: SnapshotEntry[] = [];
    for (const [component, , engine] of this.statefulEngines()) {
      if (!isStatefulEngine(engine)) continue;
      try {
        entries.push({ component, format: SNAPSHOT_FORMAT, data: serialize(engine.exportState()) });
        this.snapshotFailures.delete(component);
      } catch (error) {
        // Logged once per engine until it succeeds again; the previous snapshot stays in the store.
        if (!this.snapshotFailures.has(component)) this.context.logger.error(`extension ${this.context.id}: snapshot of ${component} failed; its last good snapshot is kept`, error);
        this.snapshotFailures.add(component);
      }
    }
    return entries;
  }

  private restoreSnapshots(store: SlowatchStore): void {
    const logger = this.context.logger;
    const prefix = `extension ${this.context.id}`;
    for (const [component, , engine] of this.statefulEngines()) {
      if (!isStatefulEngine(engine)) continue;
      const snapshot = store.loadSnapshot(component);
      if (snapshot === undefined) {
        logger.debug(`${prefix}: ${component}: no snapshot, starting cold`);
        continue;
      }
      if (snapshot.format !== SNAPSHOT_FORMAT) {
        logger.warn(`${prefix}: ${component}: snapshot format ${snapshot.format} is not this slowatch's (${SNAPSHOT_FORMAT}), starting cold`);
        continue;
      }
      let summary: StateRestoreSummary;
      try {
        summary = engine.restoreState(deserialize(snapshot.data));
      } catch (error) {
        logger.warn(`${prefix}: ${component}: snapshot of ${new Date(snapshot.takenMs).toISOString()} cannot be restored (${describeError(error)}), starting cold`);
        continue;
      }
      logger.info(`${prefix}: ${component}: ${describeRestore(summary, snapshot.takenMs)}`);
    }
  }

  // --- events ------------------------------------------------------------------------

  private buffer(row: StoredEvent): void {
    if (this.shuttingDown && this.opened === undefined) return;
    const before = this.events.dropped;
    if (!this.events.push(row) && before === 0) {
      this.context.logger.warn(`extension ${this.context.id}: event buffer is full (${this.events.capacity} events); further events are dropped and counted until the store catches up`);
    }
  }

  /** The recommendation states stored last (newest first), so a restart does not store them again. */
  private rememberStoredRecommendations(store: SlowatchStore, now: number): void {
    const rows = store.events({ fromMs: 0, toMs: now + 1, kinds: ['recommendation'], limit: REMEMBERED_RECOMMENDATION_EVENTS });
    // Oldest first, so the newest state of each id is remembered last (and wins).
    for (let i = rows.length - 1; i >= 0; i--) {
      try {
        const payload = JSON.parse((rows[i] as StoredEvent).payload) as { id?: unknown; status?: unknown; severity?: unknown };
        if (typeof payload.id === 'string' && typeof payload.status === 'string' && typeof payload.severity === 'string') {
          this.recommendations.remember(payload as { id: string; status: 'open' | 'resolved'; severity: 'critical' | 'high' | 'medium' | 'low' });
        }
      } catch {
        // A payload that is not JSON is not ours to judge; it is just not remembered.
      }
    }
  }

  private pruneWhenDue(store: SlowatchStore, now: number): void {
    if (now - this.lastPruneMs < PRUNE_EVERY_MS) return;
    this.lastPruneMs = now;
    try {
      const pruned = store.prune(now, this.settings.retention);
      if (pruned.rollups + pruned.events > 0) this.context.logger.debug(`extension ${this.context.id}: pruned ${pruned.rollups} rollup rows and ${pruned.events} events past retention`);
    } catch (error) {
      this.context.logger.error(`extension ${this.context.id}: pruning the store failed; retrying in an hour`, error);
    }
  }
}

function describeRestore(summary: StateRestoreSummary, takenMs: number): string {
  const reasons = summary.reasons.length > 0 ? ` (${summary.reasons.join('; ')})` : '';
  return `restored ${summary.restored}, skipped ${summary.skipped}${reasons} from the snapshot of ${new Date(takenMs).toISOString()}`;
}
