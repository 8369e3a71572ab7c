/**
 * What slowatch says about each recommendation type: the title, the advice,
 * and the effort and risk of the usual fix. One entry per type id; the ids
 * are part of the contract (docs/recommendations.md lists them).
 *
 * Effort and risk are judgements about the usual fix, not measurements:
 * batching a loop of queries is a contained change (medium effort, low risk),
 * running calls concurrently is a small change that can break an ordering
 * the code relied on (low effort, medium risk), moving CPU work off the main
 * thread is a redesign (high effort).
 */
import type { Level } from './recommendation';

type Evidence = Readonly<Record<string, string | number | readonly string[]>>;

export interface RecommendationKind {
  readonly type: string;
  readonly effort: Level;
  readonly risk: Level;
  /** One line naming the problem, from the evidence. */
  title(operation: string, evidence: Evidence): string;
  /** What to change. */
  readonly advice: string;
}

const text = (evidence: Evidence, key: string, fallback = ''): string => {
  const value = evidence[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fallback;
};

const num = (evidence: Evidence, key: string): number => {
  const value = evidence[key];
  return typeof value === 'number' ? value : Number.NaN;
};

/** Long statements make unreadable titles; the evidence keeps the whole text. */
function clip(value: string, max = 80): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

const ms = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)} ms` : '? ms');
const percent = (share: number): string => (Number.isFinite(share) ? `${Math.round(share * 100)} %` : '? %');
const where = (operation: string): string => (operation === '' ? '' : ` in ${operation}`);

const KINDS: readonly RecommendationKind[] = [
  {
    type: 'n_plus_one_db',
    effort: 'medium',
    risk: 'low',
    title: (operation, e) => `N+1 queries${where(operation)}: ${text(e, 'count', '?')} × ${clip(text(e, 'statement'))}`,
    advice:
      'Load the rows in one round trip instead of one query per item: a JOIN, `WHERE id = ANY($1)` / `IN (…)` over the collected ids, or a DataLoader-style batch.',
  },
  {
    type: 'n_plus_one_http',
    effort: 'medium',
    risk: 'low',
    title: (operation, e) => `N+1 HTTP calls${where(operation)}: ${text(e, 'count', '?')} × ${clip(text(e, 'target'))}`,
    advice: 'Fetch the items in one request to a batch endpoint, or at least concurrently with a bounded pool, instead of one call per item in sequence.',
  },
  {
    type: 'sequential_calls',
    effort: 'low',
    risk: 'medium',
    title: (operation, e) => `${text(e, 'calls', '?')} independent calls run one after another${where(operation)} (${ms(num(e, 'savingMs'))} to save)`,
    advice:
      'Start the calls together (`Promise.all`, or one query returning several result sets) when none needs the result of another; check first that no call depends on an earlier one.',
  },
  {
    type: 'slow_db_statement',
    effort: 'medium',
    risk: 'low',
    title: (_operation, e) => `Slow statement (p95 ${ms(num(e, 'p95Ms'))}): ${clip(text(e, 'statement'))}`,
    advice: 'Run EXPLAIN ANALYZE on it: add or fix the index it needs, fetch fewer rows or columns, or cache the result if it changes rarely.',
  },
  {
    type: 'dominant_dependency',
    effort: 'high',
    risk: 'medium',
    title: (operation, e) =>
      text(e, 'kind') === 'self'
        ? `${operation}'s own code takes ${percent(num(e, 'share'))} of its latency`
        : `${clip(text(e, 'dependency'))} takes ${percent(num(e, 'share'))} of ${operation}'s latency`,
    advice:
      'This is where the time of the operation goes along its critical path: make that dependency faster (index, cache, smaller payload), call it less, or, for own code, profile it.',
  },
  {
    type: 'error_prone_dependency',
    effort: 'medium',
    risk: 'low',
    title: (_operation, e) => `${clip(text(e, 'dependency'))} fails ${percent(num(e, 'errorRatio'))} of calls`,
    advice: 'Bound each call with a timeout, retry idempotent calls with exponential backoff and jitter, and put a circuit breaker in front of the dependency so failures fail fast.',
  },
  {
    type: 'event_loop_blocking',
    effort: 'high',
    risk: 'medium',
    title: (_operation, e) => `Event loop blocked: p99 delay ${ms(num(e, 'medianP99DelayMs'))}`,
    advice:
      'Synchronous work is blocking the event loop, so every request in the process waits: move CPU-bound work to worker_threads, split it into chunks, or cache its result. The hot functions show what ran.',
  },
  {
    type: 'gc_pressure',
    effort: 'medium',
    risk: 'low',
    title: (_operation, e) => `Garbage collection takes ${percent(num(e, 'gcTimeShare'))} of wall time`,
    advice: 'Allocate less per request: reuse buffers, stream instead of building large intermediate arrays and strings, and avoid copying payloads; check that the heap is not near its limit.',
  },
  {
    type: 'memory_leak_suspected',
    effort: 'high',
    risk: 'low',
    title: (_operation, e) => `Heap grows ${(num(e, 'slopeBytesPerHour') / 1_048_576).toFixed(1)} MiB/h after GC`,
    advice: 'Compare two heap snapshots taken some minutes apart to find what accumulates: unbounded caches, maps keyed by request data, listeners never removed, closures kept by timers.',
  },
];

const BY_TYPE = new Map(KINDS.map((kind) => [kind.type, kind]));

/** Every type id slowatch reports, in the order of the docs. */
export const RECOMMENDATION_TYPES: readonly string[] = KINDS.map((kind) => kind.type);

/** The catalog entry of a type id; throws for an unknown id (a programming error). */
export function recommendationKindOf(type: string): RecommendationKind {
  const kind = BY_TYPE.get(type);
  if (kind === undefined) throw new Error(`unknown recommendation type ${JSON.stringify(type)}`);
  return kind;
}

/** Weight of an effort level in the priority (impact over effort). */
export function effortWeight(effort: Level): number {
  return effort === 'low' ? 1 : effort === 'medium' ? 2 : 3;
}
