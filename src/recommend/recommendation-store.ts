import type { HotFunction, Recommendation, RecommendationFilter, RecommendationImpact, RecommendationSource } from './recommendation';
import { effortWeight, recommendationKindOf } from './recommendation-catalog';
import { recommendationId } from './recommendation-id';
import { severityOf } from './recommendation-severity';

/**
 * What an evaluation found for one fingerprint: the engine's aggregate of
 * per-trace findings over its window, or one cross-trace or runtime finding.
 */
export interface RecommendationCandidate {
  readonly type: string;
  readonly service: string;
  readonly operation: string;
  readonly groupKey: string;
  readonly evidence: Readonly<Record<string, string | number | readonly string[]>>;
  readonly exampleTraceIds: readonly string[];
  readonly impact: RecommendationImpact;
  /**
   * Milliseconds of latency a fix would save per second of traffic (the
   * per-request saving times the affected requests per second; for runtime
   * findings, the equivalent stated in the engine). The priority is this
   * over the effort weight.
   */
  readonly savedMsPerSecond: number;
  /** When the evidence was last seen (the newest trace showing it, or now for an aggregate finding). */
  readonly lastSeenMs: number;
  /** Traces that showed it since the previous evaluation (1 for an aggregate finding, per evaluation). */
  readonly occurrences: number;
}

/** A change the store made: what the log records and events report. */
export interface RecommendationChange {
  readonly kind: 'opened' | 'reopened' | 'escalated' | 'resolved';
  readonly recommendation: Recommendation;
}

export interface RecommendationStoreOptions {
  /**
   * An open recommendation resolves once its evidence has not been seen for this long.
   * @default 900_000 (15 minutes)
   */
  readonly resolveAfterMs?: number;
  /**
   * A resolved recommendation is forgotten this long after it resolved (it reopens under the same id if the evidence returns before).
   * @default 86_400_000 (a day)
   */
  readonly retainResolvedMs?: number;
  /**
   * Recommendations kept, open and resolved. When full, the oldest resolved one makes room; with none resolved, a new one is counted and dropped.
   * @default 500
   */
  readonly maxRecommendations?: number;
}

export type ResolvedRecommendationStoreOptions = Readonly<Required<RecommendationStoreOptions>>;

export const DEFAULT_RECOMMENDATION_STORE_OPTIONS: ResolvedRecommendationStoreOptions = Object.freeze({
  resolveAfterMs: 900_000,
  retainResolvedMs: 86_400_000,
  maxRecommendations: 500,
});

export function resolveRecommendationStoreOptions(options: RecommendationStoreOptions = {}): ResolvedRecommendationStoreOptions {
  const d = DEFAULT_RECOMMENDATION_STORE_OPTIONS;
  const resolved = {
    resolveAfterMs: options.resolveAfterMs ?? d.resolveAfterMs,
    retainResolvedMs: options.retainResolvedMs ?? d.retainResolvedMs,
    maxRecommendations: options.maxRecommendations ?? d.maxRecommendations,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`recommendation store: ${name} must be a positive integer, got ${value}`);
  }
  return Object.freeze(resolved);
}

const NONE: ReadonlySet<string> = new Set();

/** Types whose operation is their busiest caller, not part of what they are about. */
const CALLER_FREE_ID_TYPES: ReadonlySet<string> = new Set(['slow_db_statement', 'error_prone_dependency']);

/** Severity order for "did it get worse". */
const SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

/** Hot functions kept per service: the latest profile's. */
interface ServiceProfile {
  readonly functions: readonly HotFunction[];
  readonly reason: string;
  readonly capturedAtMs: number;
}

/** Types whose evidence a CPU profile of the service explains. */
const PROFILED_TYPES: ReadonlySet<string> = new Set(['event_loop_blocking']);

/**
 * The recommendations' lifecycle: identity (fingerprint ids), deduplication
 * (one recommendation per id, whatever the number of traces or evaluations
 * that show it), open → resolved after `resolveAfterMs` without evidence,
 * reopened under the same id when it returns, forgotten `retainResolvedMs`
 * after resolving, ranking by priority.
 *
 * Memory: at most `maxRecommendations` entries of one Recommendation each
 * (evidence included, about 2 to 6 KB with a long statement), so about 3 MB at
 * the default 500; plus one latest profile per service (≤ 20 functions).
 * Pure: time is a parameter.
 */
export class RecommendationStore implements RecommendationSource {
  readonly options: ResolvedRecommendationStoreOptions;
  private readonly entries = new Map<string, Recommendation>();
  private readonly profiles = new Map<string, ServiceProfile>();
  private droppedCount = 0;
  /** Highest severity rank reached since an entry (re)opened. */
  private readonly peakSeverity = new Map<string, number>();

  constructor(options: RecommendationStoreOptions = {}) {
    this.options = resolveRecommendationStoreOptions(options);
  }

  /** New recommendations that found no room (the store full of open ones). */
  get dropped(): number {
    return this.droppedCount;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Applies one evaluation: the candidates seen now, then the lifecycle of
   * everything else (resolve, forget). `superseded` holds ids that a more
   * specific recommendation now explains (a dominant dependency that is an
   * N+1 loop): open ones resolve at once. Returns what changed, in a stable order.
   */
  update(candidates: readonly RecommendationCandidate[], nowMs: number, superseded: ReadonlySet<string> = NONE): RecommendationChange[] {
    const changes: RecommendationChange[] = [];
    for (const candidate of candidates) {
      const change = this.apply(candidate, nowMs);
      if (change !== undefined) changes.push(change);
    }
    for (const [id, entry] of this.entries) {
      if (entry.status === 'open' && (superseded.has(id) || nowMs - entry.lastSeenMs >= this.options.resolveAfterMs)) {
        const resolved: Recommendation = { ...entry, status: 'resolved', resolvedAtMs: nowMs };
        this.entries.set(id, resolved);
        changes.push({ kind: 'resolved', recommendation: resolved });
      } else if (entry.status === 'resolved' && nowMs - (entry.resolvedAtMs ?? nowMs) >= this.options.retainResolvedMs) {
        this.entries.delete(id);
        this.peakSeverity.delete(id);
      }
    }
    return changes;
  }

  /**
   * Records the hot functions of a CPU profile of `service`: attached to its
   * event_loop_blocking recommendation now and whenever it is updated later
   * (until a newer profile replaces them).
   */
  attachProfile(service: string, functions: readonly HotFunction[], reason: string, nowMs: number): void {
    this.profiles.set(service, { functions, reason, capturedAtMs: nowMs });
    if (this.profiles.size > this.options.maxRecommendations) {
      const oldest = this.profiles.keys().next().value;
      if (oldest !== undefined) this.profiles.delete(oldest);
    }
    for (const [id, entry] of this.entries) {
      if (entry.service === service && PROFILED_TYPES.has(entry.type)) this.entries.set(id, this.withProfile(entry));
    }
  }

  get(id: string): Recommendation | undefined {
    return this.entries.get(id);
  }

  list(filter: RecommendationFilter = {}): Recommendation[] {
    const out: Recommendation[] = [];
    for (const entry of this.entries.values()) {
      if (filter.service !== undefined && entry.service !== filter.service) continue;
      if (filter.type !== undefined && entry.type !== filter.type) continue;
      if (filter.status !== undefined && entry.status !== filter.status) continue;
      out.push(entry);
    }
    return out.sort(byPriority);
  }

  private apply(candidate: RecommendationCandidate, nowMs: number): RecommendationChange | undefined {
    // A statement's or a dependency's caller is the busiest one right now (a top-k counter), which can
    // change: it is shown as the operation but kept out of the id, so the problem keeps its id.
    const idOperation = CALLER_FREE_ID_TYPES.has(candidate.type) ? '' : candidate.operation;
    const id = recommendationId(candidate.type, candidate.service, idOperation, candidate.groupKey);
    const previous = this.entries.get(id);
    const lastSeenMs = Math.max(candidate.lastSeenMs, previous?.lastSeenMs ?? 0);
    // An evaluation whose newest evidence is already older than the resolve
    // delay does not keep (or make) anything open.
    const stale = nowMs - lastSeenMs >= this.options.resolveAfterMs;
    // Checked before making room: a stale candidate must not evict a resolved entry.
    if (stale && previous === undefined) return undefined;
    if (previous === undefined && !this.makeRoom()) {
      this.droppedCount++;
      return undefined;
    }
    const kind = recommendationKindOf(candidate.type);
    const severity = severityOf(candidate.type, candidate.impact, candidate.evidence);
    const reopen = previous?.status === 'resolved' && !stale && candidate.lastSeenMs > (previous.resolvedAtMs ?? 0);
    const status = previous === undefined || reopen ? 'open' : previous.status;
    const next: Recommendation = this.withProfile({
      id,
      type: candidate.type,
      title: kind.title(candidate.operation, candidate.evidence),
      advice: kind.advice,
      service: candidate.service,
      operation: candidate.operation,
      severity,
      evidence: candidate.evidence,
      exampleTraceIds: candidate.exampleTraceIds,
      impact: candidate.impact,
      effort: kind.effort,
      risk: kind.risk,
      priority: Math.round((candidate.savedMsPerSecond / effortWeight(kind.effort)) * 1000) / 1000,
      occurrences: (previous?.occurrences ?? 0) + candidate.occurrences,
      firstSeenMs: previous?.firstSeenMs ?? Math.min(candidate.lastSeenMs, nowMs),
      lastSeenMs,
      status,
    });
    if (previous !== undefined && previous.status === 'resolved' && !reopen) {
      // Keep it resolved, and keep its history: the window still holds old evidence.
      return undefined;
    }
    this.entries.set(id, next);
    if (previous === undefined || reopen) {
      this.peakSeverity.set(id, SEVERITY_RANK[next.severity]);
      return { kind: previous === undefined ? 'opened' : 'reopened', recommendation: next };
    }
    // Escalations are reported above the highest severity reached while open, so a figure
    // hovering around a threshold does not report one at every crossing.
    const peak = this.peakSeverity.get(id) ?? SEVERITY_RANK[previous.severity];
    if (SEVERITY_RANK[next.severity] > peak) {
      this.peakSeverity.set(id, SEVERITY_RANK[next.severity]);
      return { kind: 'escalated', recommendation: next };
    }
    return undefined;
  }

  private withProfile(entry: Recommendation): Recommendation {
    if (!PROFILED_TYPES.has(entry.type)) return entry;
    const profile = this.profiles.get(entry.service);
    if (profile === undefined) return entry;
    const hottest = profile.functions[0];
    const evidence: Record<string, string | number | readonly string[]> = {
      ...entry.evidence,
      profileReason: profile.reason,
      profileCapturedAtMs: profile.capturedAtMs,
    };
    // The entry may already carry an older profile's hottest function.
    if (hottest !== undefined) evidence['hottestFunction'] = `${hottest.function} (${hottest.file}:${hottest.line})`;
    else delete evidence['hottestFunction'];
    return { ...entry, hotFunctions: profile.functions, evidence };
  }

  /** Whether a new entry fits, evicting the resolved entry that resolved first when full. */
  private makeRoom(): boolean {
    if (this.entries.size < this.options.maxRecommendations) return true;
    let oldestId: string | undefined;
    let oldestAt = Number.POSITIVE_INFINITY;
    for (const [id, entry] of this.entries) {
      if (entry.status === 'resolved' && (entry.resolvedAtMs ?? 0) < oldestAt) {
        oldestAt = entry.resolvedAtMs ?? 0;
        oldestId = id;
      }
    }
    if (oldestId === undefined) return false;
    this.entries.delete(oldestId);
    this.peakSeverity.delete(oldestId);
    return true;
  }
}

/** Open first, then priority (highest first), then id for a stable order. */
function byPriority(a: Recommendation, b: Recommendation): number {
  if (a.status !== b.status) return a.status === 'open' ? -1 : 1;
  if (a.priority !== b.priority) return b.priority - a.priority;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
