/**
 * `DependencyStats`: a bounded cross-trace aggregator of CLIENT spans, the
 * evidence behind two recommendations (type ids are part of the contract):
 * - `slow_db_statement`: a normalised statement whose p95 over the window
 *   exceeds `slowStatementP95Ms` with at least `minSamples` executions;
 * - `error_prone_dependency`: a dependency whose client-side failure ratio
 *   exceeds `maxErrorRatio` with at least `minCalls` calls.
 * Keys, the failure rule and failure kinds are in `dependency-call.ts`.
 *
 * Rolling window. All keys share two generations of `windowMs / 2`, aligned
 * on the first observed time (as the regression processor's two reservoirs
 * per version): when a call arrives at or after the active generation's end,
 * it becomes the older one and a fresh one begins; when a whole window has
 * passed, both are forgotten. Evaluators read both, so they always see
 * between half a window and a whole window of calls. Keys whose two
 * generations are empty after a rotation are deleted, which frees their
 * slots (and lets new keys in after an overflow). Time only moves forward:
 * an earlier `nowMs` than seen before is treated as the latest one seen.
 *
 * Statement latencies go into DDSketches (Masson, Rim and Lee, VLDB 2019)
 * with the baseline's parameters (`LATENCY_RELATIVE_ACCURACY` = 1 %,
 * `LATENCY_BIN_LIMIT`), one per generation; the window's quantiles come from
 * merging the two into a scratch `LatencySketch`.
 *
 * Service and operation of a finding: the entry operation (see
 * `TraceTree.entrySpanOf`) that called the key most, tracked with the
 * Space-Saving algorithm (Metwally, Agrawal and El Abbadi, "Efficient
 * computation of frequent and top-k elements in data streams", ICDT 2005)
 * over {@link TOP_CALLER_SLOTS} slots for the key's lifetime; ties go to the
 * caller seen first.
 *
 * Impact per call:
 * - `slow_db_statement`: p95 − threshold, the least a fix must take off the
 *   tail to bring the statement under the threshold (0 at the threshold, so
 *   statements rank by how far over they are). The evidence carries the
 *   count, so `impactMs × count` bounds the window's saving from below.
 * - `error_prone_dependency`: time spent in failed calls per call
 *   (sum of failed durations / calls = ratio × mean failed duration).
 *
 * Memory per key (V8, one-byte strings): statements ≤ 2 × (4 KiB bins +
 * 300 B sketch) + statement (≤ 4.1 KiB, the normaliser's cap) + examples
 * 2 × `maxExampleTraceIds` × ~90 B + callers 4 × ~120 B + ~300 B of objects:
 * about 14 KiB worst case, ~1.5 KiB typical (a few dozen bins); dependencies
 * ≤ 2 × (~120 B counters + `maxExampleTraceIds` × ~70 B) + key ≤ 2 KiB +
 * callers: about 3.5 KiB worst case. Each table holds at most `maxKeys` keys
 * plus the overflow key: 1000 statement keys ≤ 14 MiB worst case.
 *
 * Pure: no clock (time is a parameter), no I/O; strings kept are copies, so
 * a kept example never pins a decoded request's buffer.
 */
import { LatencySketch } from '../baseline/latency-sketch';
import { OtlpSpanKind } from '../engine/span-sample';
import { CallFailure, callFailureOf, dbStatementTargetOf, dependencyKeyOf } from './dependency-call';
import type { CallFailureKind } from './dependency-call';
import { resolveDependencyStatsOptions } from './dependency-stats-options';
import type { DependencyStatsOptions, ResolvedDependencyStatsOptions } from './dependency-stats-options';
import { isTruncatedStatement } from './sql-normalizer';
import type { TraceFinding, TraceSpan } from './trace-span';
import type { TraceTree } from './trace-tree';
import { keepSlowest, ownedCopy } from './slowest-traces';
import type { TraceExample } from './slowest-traces';

export const SLOW_DB_STATEMENT_TYPE = 'slow_db_statement';
export const ERROR_PRONE_DEPENDENCY_TYPE = 'error_prone_dependency';
/** The key calls are counted under once a table holds `maxKeys` keys; never reported. */
export const OVERFLOW_KEY = '__overflow__';
/** Space-Saving slots per key for its top caller. */
export const TOP_CALLER_SLOTS = 4;
/** Failures at least, each at least CONSTANT_FAILURE_MIN_MS long and the longest ≤ 1.1 × the shortest, to read as a timeout firing. */
export const CONSTANT_FAILURE_MIN_CALLS = 5;
export const CONSTANT_FAILURE_MIN_MS = 100;
const CONSTANT_FAILURE_SPREAD = 1.1;

/** Remedy hint of an `error_prone_dependency` finding. */
export type DependencyRemedy = 'timeout' | 'backoff' | 'circuit_breaker';

export const REMEDY_HINTS: Readonly<Record<DependencyRemedy, string>> = Object.freeze({
  timeout:
    'Calls fail after a near-constant time or with timeout errors: set a deadline within the caller\'s latency budget, ' +
    'look into the dependency\'s slowness, and retry idempotent calls at most once with backoff and jitter.',
  backoff:
    'The dependency is throttling or unavailable (429/503, RESOURCE_EXHAUSTED/UNAVAILABLE): retry with exponential backoff ' +
    'and jitter honouring Retry-After, cap retries and concurrency, and cache or batch to make fewer calls.',
  circuit_breaker:
    'The dependency fails often: add a circuit breaker so calls fail fast while it is unhealthy, with bounded retries ' +
    'with backoff and jitter for idempotent calls and a fallback where one exists.',
});

/** Counters about the aggregator itself, for its own metrics. */
export interface DependencyStatsCounters {
  readonly statementKeys: number;
  readonly dependencyKeys: number;
  /** Statement executions counted under {@link OVERFLOW_KEY} since creation. */
  readonly statementOverflowCalls: number;
  /** Dependency calls counted under {@link OVERFLOW_KEY} since creation. */
  readonly dependencyOverflowCalls: number;
  /** Database spans skipped because their statement was cut by the normaliser. */
  readonly truncatedStatementsSkipped: number;
}

/** Space-Saving top-k over (service, operation) pairs; slot order is first-seen order. */
class TopCallers {
  private readonly services: string[] = [];
  private readonly operations: string[] = [];
  private readonly counts: number[] = [];

  add(service: string, operation: string): void {
    const n = this.counts.length;
    let minIndex = 0;
    for (let i = 0; i < n; i++) {
      if (this.services[i] === service && this.operations[i] === operation) {
        this.counts[i]!++;
        return;
      }
      if (this.counts[i]! < this.counts[minIndex]!) minIndex = i;
    }
    // No ownedCopy here: with more callers than slots, a slot is replaced on
    // nearly every call, and copying made it a tenth of the analysis time
    // (bench:processors). The strings are the operation namer's cached
    // names and the resource's service.name, which live on anyway.
    if (n < TOP_CALLER_SLOTS) {
      this.services.push(service);
      this.operations.push(operation);
      this.counts.push(1);
      return;
    }
    // Space-Saving: the newcomer inherits the least count plus one (an overestimate bounded by that count).
    this.services[minIndex] = service;
    this.operations[minIndex] = operation;
    this.counts[minIndex]!++;
  }

  top(): { service: string; operation: string } {
    let best = -1;
    for (let i = 0; i < this.counts.length; i++) if (best < 0 || this.counts[i]! > this.counts[best]!) best = i;
    return best < 0 ? { service: '', operation: '' } : { service: this.services[best]!, operation: this.operations[best]! };
  }
}

/** The most recent `capacity` distinct trace ids, newest last. */
function keepRecent(traceIds: string[], traceId: string, capacity: number): void {
  const at = traceIds.indexOf(traceId);
  if (at >= 0) {
    traceIds.splice(at, 1);
    traceIds.push(traceId);
    return;
  }
  if (traceIds.length >= capacity) traceIds.shift();
  traceIds.push(ownedCopy(traceId));
}

class StatementGeneration {
  readonly sketch = new LatencySketch();
  readonly slowest: TraceExample[] = [];

  get count(): number {
    return this.sketch.count;
  }
}

class StatementEntry {
  active = new StatementGeneration();
  older = new StatementGeneration();
  readonly callers = new TopCallers();
  constructor(
    readonly dbSystem: string,
    readonly statement: string,
  ) {}

  rotate(): void {
    this.older = this.active;
    this.active = new StatementGeneration();
  }
  get count(): number {
    return this.active.count + this.older.count;
  }
}

class DependencyGeneration {
  calls = 0;
  failures = 0;
  timeouts = 0;
  throttled = 0;
  failedDurationSumMs = 0;
  failedMinMs = Number.POSITIVE_INFINITY;
  failedMaxMs = 0;
  readonly failedTraceIds: string[] = [];
}

class DependencyEntry {
  active = new DependencyGeneration();
  older = new DependencyGeneration();
  readonly callers = new TopCallers();

  rotate(): void {
    this.older = this.active;
    this.active = new DependencyGeneration();
  }
  get calls(): number {
    return this.active.calls + this.older.calls;
  }
}

/** A Map capped at `maxKeys` keys plus the overflow key. */
class CappedTable<E extends { rotate(): void }> {
  readonly entries = new Map<string, E>();
  overflowCalls = 0;
  constructor(private readonly maxKeys: number) {}

  /** The key's entry, created if there is room, else the overflow entry (counted). */
  entryFor(key: string, create: () => E): E {
    const found = this.entries.get(key);
    if (found !== undefined) return found;
    const overflowHeld = this.entries.has(OVERFLOW_KEY) ? 1 : 0;
    if (this.entries.size - overflowHeld < this.maxKeys) {
      const entry = create();
      this.entries.set(ownedCopy(key), entry);
      return entry;
    }
    this.overflowCalls++;
    let overflow = this.entries.get(OVERFLOW_KEY);
    if (overflow === undefined) {
      overflow = create();
      this.entries.set(OVERFLOW_KEY, overflow);
    }
    return overflow;
  }

  /** Rotates every entry and deletes those left with nothing in either generation. */
  rotate(isEmpty: (entry: E) => boolean): void {
    for (const [key, entry] of this.entries) {
      entry.rotate();
      if (isEmpty(entry)) this.entries.delete(key);
    }
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function byImpactThenKey(a: TraceFinding, b: TraceFinding): number {
  if (a.impactMs !== b.impactMs) return b.impactMs - a.impactMs;
  return a.groupKey < b.groupKey ? -1 : a.groupKey > b.groupKey ? 1 : 0;
}

export class DependencyStats {
  readonly options: ResolvedDependencyStatsOptions;
  private readonly statements: CappedTable<StatementEntry>;
  private readonly dependencies: CappedTable<DependencyEntry>;
  private readonly generationMs: number;
  /** Start of the active generation; NaN until the first call. */
  private generationStartMs = Number.NaN;
  private truncatedSkipped = 0;

  constructor(options: DependencyStatsOptions = {}) {
    this.options = resolveDependencyStatsOptions(options);
    this.generationMs = this.options.windowMs / 2;
    this.statements = new CappedTable<StatementEntry>(this.options.maxKeys);
    this.dependencies = new CappedTable<DependencyEntry>(this.options.maxKeys);
  }

  /** Adds every CLIENT span of one decided trace. O(spans) plus one statement normalisation per database span. */
  observe(tree: TraceTree, nowMs: number): void {
    this.advance(nowMs);
    for (const span of tree.spans) {
      if (span.kind !== OtlpSpanKind.CLIENT) continue;
      const durationMs = span.endTimeMs > span.startTimeMs ? span.endTimeMs - span.startTimeMs : 0;
      let caller: TraceSpan | undefined;
      const statement = dbStatementTargetOf(span, tree);
      if (statement !== undefined) {
        if (isTruncatedStatement(statement.statement)) {
          this.truncatedSkipped++;
        } else {
          caller = tree.entrySpanOf(span);
          const entry = this.recordStatement(statement.dbSystem, statement.statement, span, durationMs);
          if (entry !== this.statements.entries.get(OVERFLOW_KEY)) entry.callers.add(caller.service, tree.operationOf(caller));
        }
      }
      const dependency = dependencyKeyOf(span, tree);
      if (dependency !== undefined) {
        caller ??= tree.entrySpanOf(span);
        const entry = this.dependencies.entryFor(dependency, () => new DependencyEntry());
        this.recordCall(entry.active, span.traceId, durationMs, callFailureOf(span));
        if (entry !== this.dependencies.entries.get(OVERFLOW_KEY)) entry.callers.add(caller.service, tree.operationOf(caller));
      }
    }
  }

  /** `slow_db_statement` findings over the window ending at `nowMs`, largest impact first. */
  slowDbStatements(nowMs: number): TraceFinding[] {
    this.advance(nowMs);
    const o = this.options;
    const findings: TraceFinding[] = [];
    for (const [key, entry] of this.statements.entries) {
      if (key === OVERFLOW_KEY || entry.count < o.minSamples) continue;
      const window = new LatencySketch();
      window.merge(entry.active.sketch);
      window.merge(entry.older.sketch);
      const p95 = window.quantile(0.95);
      if (!(p95 > o.slowStatementP95Ms)) continue;
      const examples = [...entry.active.slowest, ...entry.older.slowest].sort((a, b) => b.durationMs - a.durationMs);
      const exampleTraceIds: string[] = [];
      for (const example of examples) {
        if (exampleTraceIds.length >= o.maxExampleTraceIds) break;
        if (!exampleTraceIds.includes(example.traceId)) exampleTraceIds.push(example.traceId);
      }
      const { service, operation } = entry.callers.top();
      findings.push({
        type: SLOW_DB_STATEMENT_TYPE,
        service,
        operation,
        groupKey: key,
        traceId: exampleTraceIds[0] ?? '',
        impactMs: round3(p95 - o.slowStatementP95Ms),
        evidence: {
          dbSystem: entry.dbSystem,
          statement: entry.statement,
          count: window.count,
          p50Ms: round3(window.quantile(0.5)),
          p95Ms: round3(p95),
          p99Ms: round3(window.quantile(0.99)),
          maxMs: round3(window.max),
          thresholdMs: o.slowStatementP95Ms,
          windowMs: o.windowMs,
          exampleTraceIds,
        },
      });
    }
    return findings.sort(byImpactThenKey);
  }

  /** `error_prone_dependency` findings over the window ending at `nowMs`, largest impact first. */
  errorProneDependencies(nowMs: number): TraceFinding[] {
    this.advance(nowMs);
    const o = this.options;
    const findings: TraceFinding[] = [];
    for (const [key, entry] of this.dependencies.entries) {
      if (key === OVERFLOW_KEY) continue;
      const { active, older } = entry;
      const calls = active.calls + older.calls;
      const failures = active.failures + older.failures;
      if (calls < o.minCalls || !(failures / calls > o.maxErrorRatio)) continue;
      const timeouts = active.timeouts + older.timeouts;
      const throttled = active.throttled + older.throttled;
      const failedSumMs = active.failedDurationSumMs + older.failedDurationSumMs;
      const minFailedMs = Math.min(active.failedMinMs, older.failedMinMs);
      const maxFailedMs = Math.max(active.failedMaxMs, older.failedMaxMs);
      const remedy = remedyFor(failures, timeouts, throttled, minFailedMs, maxFailedMs);
      const exampleTraceIds = [...older.failedTraceIds, ...active.failedTraceIds].filter((id, i, all) => all.lastIndexOf(id) === i).slice(-o.maxExampleTraceIds).reverse();
      const { service, operation } = entry.callers.top();
      findings.push({
        type: ERROR_PRONE_DEPENDENCY_TYPE,
        service,
        operation,
        groupKey: key,
        traceId: exampleTraceIds[0] ?? '',
        impactMs: round3(failedSumMs / calls),
        evidence: {
          dependency: key,
          calls,
          failures,
          errorRatio: round3(failures / calls),
          maxErrorRatio: o.maxErrorRatio,
          timeouts,
          throttled,
          otherFailures: failures - timeouts - throttled,
          meanFailedMs: round3(failedSumMs / failures),
          minFailedMs: round3(minFailedMs),
          maxFailedMs: round3(maxFailedMs),
          remedy,
          remedyHint: REMEDY_HINTS[remedy],
          windowMs: o.windowMs,
          exampleTraceIds,
        },
      });
    }
    return findings.sort(byImpactThenKey);
  }

  counters(): DependencyStatsCounters {
    const held = (table: CappedTable<StatementEntry> | CappedTable<DependencyEntry>): number => table.entries.size - (table.entries.has(OVERFLOW_KEY) ? 1 : 0);
    return {
      statementKeys: held(this.statements),
      dependencyKeys: held(this.dependencies),
      statementOverflowCalls: this.statements.overflowCalls,
      dependencyOverflowCalls: this.dependencies.overflowCalls,
      truncatedStatementsSkipped: this.truncatedSkipped,
    };
  }

  private recordStatement(dbSystem: string, statement: string, span: TraceSpan, durationMs: number): StatementEntry {
    const entry = this.statements.entryFor(`${dbSystem} ${statement}`, () => new StatementEntry(ownedCopy(dbSystem), ownedCopy(statement)));
    const generation = entry.active;
    generation.sketch.add(durationMs);
    keepSlowest(generation.slowest, span.traceId, durationMs, this.options.maxExampleTraceIds);
    return entry;
  }

  private recordCall(generation: DependencyGeneration, traceId: string, durationMs: number, failure: CallFailureKind): void {
    generation.calls++;
    if (failure === CallFailure.NONE) return;
    generation.failures++;
    if (failure === CallFailure.TIMEOUT) generation.timeouts++;
    else if (failure === CallFailure.THROTTLED) generation.throttled++;
    generation.failedDurationSumMs += durationMs;
    if (durationMs < generation.failedMinMs) generation.failedMinMs = durationMs;
    if (durationMs > generation.failedMaxMs) generation.failedMaxMs = durationMs;
    keepRecent(generation.failedTraceIds, traceId, this.options.maxExampleTraceIds);
  }

  /** Moves the generations forward to `nowMs` (see the file comment). */
  private advance(nowMs: number): void {
    if (!Number.isFinite(nowMs)) return;
    if (Number.isNaN(this.generationStartMs)) {
      this.generationStartMs = nowMs;
      return;
    }
    const elapsed = nowMs - this.generationStartMs;
    if (elapsed < this.generationMs) return;
    if (elapsed >= 2 * this.generationMs) {
      this.statements.entries.clear();
      this.dependencies.entries.clear();
      this.generationStartMs = nowMs;
      return;
    }
    this.statements.rotate((entry) => entry.count === 0);
    this.dependencies.rotate((entry) => entry.calls === 0);
    this.generationStartMs += this.generationMs;
  }
}

/**
 * The remedy hint from the shape of the failures: mostly throttling → backoff;
 * mostly timeouts, or failures all lasting about the same time (at least
 * {@link CONSTANT_FAILURE_MIN_CALLS} of them, ≥ {@link CONSTANT_FAILURE_MIN_MS}
 * ms, max/min ≤ 1.1: a client timeout firing) → timeout; else circuit breaker.
 */
export function remedyFor(failures: number, timeouts: number, throttled: number, minFailedMs: number, maxFailedMs: number): DependencyRemedy {
  if (throttled * 2 >= failures && throttled > 0) return 'backoff';
  if (timeouts * 2 >= failures && timeouts > 0) return 'timeout';
  const constantDuration =
    failures >= CONSTANT_FAILURE_MIN_CALLS && minFailedMs >= CONSTANT_FAILURE_MIN_MS && maxFailedMs <= minFailedMs * CONSTANT_FAILURE_SPREAD;
  return constantDuration ? 'timeout' : 'circuit_breaker';
}
