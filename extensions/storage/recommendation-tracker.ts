import type { Recommendation, RecommendationSource } from '../../src/recommend/recommendation';

/** Ids remembered; beyond this the least recently changed are forgotten. */
const DEFAULT_MAX_TRACKED = 10_000;

/**
 * Finds the recommendations that are new or changed since they were last
 * stored: the recommend engines have no change events to subscribe to, so
 * each flush lists them and compares a change marker per id (status and
 * severity: opened, escalated, resolved, reopened). Other fields
 * (occurrences, last seen) change all the time and are not events.
 *
 * Memory: at most `maxTracked` ids with their marker (about 120 B each:
 * 10 000 → 1.2 MB); the least recently changed id is forgotten first, and a
 * forgotten id that shows up again is stored again.
 */
export class RecommendationTracker {
  private readonly markers = new Map<string, string>();

  constructor(private readonly maxTracked = DEFAULT_MAX_TRACKED) {}

  /** Remembers what was stored before (e.g. by the previous process), so it is not stored again. */
  remember(recommendation: Pick<Recommendation, 'id' | 'status' | 'severity'>): void {
    this.set(recommendation.id, markerOf(recommendation));
  }

  /** Whether the id is remembered, with any marker. */
  knows(id: string): boolean {
    return this.markers.has(id);
  }

  /** The recommendations of `sources` that are new or changed; they are remembered as stored. */
  changes(sources: Iterable<RecommendationSource>): Recommendation[] {
    const changed: Recommendation[] = [];
    for (const source of sources) {
      for (const recommendation of source.list()) {
        const marker = markerOf(recommendation);
        if (this.markers.get(recommendation.id) === marker) continue;
        this.set(recommendation.id, marker);
        changed.push(recommendation);
      }
    }
    return changed;
  }

  /** Forgets `ids` (their write failed): the next flush stores them again. */
  forget(ids: Iterable<string>): void {
    for (const id of ids) this.markers.delete(id);
  }

  get size(): number {
    return this.markers.size;
  }

  private set(id: string, marker: string): void {
    // Re-inserted at the end: the Map's order is the order of change, oldest first.
    this.markers.delete(id);
    this.markers.set(id, marker);
    if (this.markers.size > this.maxTracked) {
      const oldest = this.markers.keys().next().value;
      if (oldest !== undefined) this.markers.delete(oldest);
    }
  }
}

function markerOf(recommendation: Pick<Recommendation, 'status' | 'severity'>): string {
  return `${recommendation.status}/${recommendation.severity}`;
}
