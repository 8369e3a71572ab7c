import type { SloRollupRow } from '../../src/storage/store-records';

/** What the tracker reads of an SLO series: its name, labels and lifetime counters. */
export interface SloSeriesCounters {
  readonly objective: { readonly name: string };
  readonly labels: Readonly<Record<string, string>>;
  readonly goodEvents: number;
  readonly badEvents: number;
}

/** The part of SloEngine the tracker reads (SloEngine has it). */
export interface SloCounterSource {
  collect(visit: (series: SloSeriesCounters) => void): void;
}

/** The rows of one flush and how to make them the new baseline once stored. */
export interface PendingSloRollups {
  readonly rows: readonly SloRollupRow[];
  /** Call once the rows are stored; a failed write leaves the deltas to the next flush. */
  commit(): void;
}

interface LastSeen {
  good: number;
  bad: number;
}

/**
 * Turns the SLO engines' cumulative good/bad counters into per-interval
 * rollup rows: at each flush, each series' change since the last flush goes
 * into the row of the rollup interval the flush falls in (the store adds it
 * to what that row has). Events are thus attributed to intervals to within
 * one flush interval.
 *
 * The counters seen last are taken right after the engines' snapshots are
 * restored (`initialise`): a restored engine's counters already include what
 * the previous process stored, so nothing is counted twice, and what it
 * counted after its last flush died with it together with the snapshot
 * (kill -9 loses at most one snapshot interval, in both).
 *
 * Memory: one entry per SLO series (a key string of the labels' JSON plus
 * two numbers, about 200 B), bounded by the objectives' max_series.
 */
export class SloRollupTracker {
  private readonly lastSeen = new Map<string, LastSeen>();

  constructor(
    private readonly engines: ReadonlyMap<string, SloCounterSource>,
    readonly rollupIntervalMs: number,
  ) {}

  /** Takes the engines' current counters as the starting point. */
  initialise(): void {
    this.lastSeen.clear();
    this.visit((key, series) => this.lastSeen.set(key, { good: series.goodEvents, bad: series.badEvents }));
  }

  /** The changes since the last commit, as rows of the interval containing `nowMs`. */
  pending(nowMs: number): PendingSloRollups {
    const startMs = nowMs - (nowMs % this.rollupIntervalMs);
    const rows: SloRollupRow[] = [];
    const updates: [string, LastSeen][] = [];
    this.visit((key, series, canonical) => {
      const last = this.lastSeen.get(key);
      // A counter below what was seen means a fresh series (an engine that lost it): count from zero.
      const good = last === undefined || series.goodEvents < last.good ? series.goodEvents : series.goodEvents - last.good;
      const bad = last === undefined || series.badEvents < last.bad ? series.badEvents : series.badEvents - last.bad;
      if (good === 0 && bad === 0) return;
      updates.push([key, { good: series.goodEvents, bad: series.badEvents }]);
      rows.push({
        slo: series.objective.name,
        series: canonical,
        service: series.labels.service ?? '',
        startMs,
        intervalMs: this.rollupIntervalMs,
        good,
        bad,
      });
    });
    return {
      rows,
      commit: () => {
        for (const [key, seen] of updates) this.lastSeen.set(key, seen);
      },
    };
  }

  /** Series tracked. */
  get size(): number {
    return this.lastSeen.size;
  }

  private visit(each: (key: string, series: SloSeriesCounters, canonicalLabels: string) => void): void {
    for (const [processorId, engine] of this.engines) {
      engine.collect((series) => {
        const canonical = canonicalLabels(series.labels);
        each(`${processorId}\u0000${series.objective.name}\u0000${canonical}`, series, canonical);
      });
    }
  }
}

/** The labels as JSON with the keys sorted: `{"http.route":"/cart","service":"shop"}`. */
export function canonicalLabels(labels: Readonly<Record<string, string>>): string {
  const sorted: Record<string, string> = {};
  for (const name of Object.keys(labels).sort()) sorted[name] = labels[name] as string;
  return JSON.stringify(sorted);
}
