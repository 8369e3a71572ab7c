/**
 * `dominant_dependency` (type id part of the contract): the downstream
 * dependency, or the operation's own code, that takes the largest share of an
 * operation's latency along the critical path, aggregated over traces, when
 * that share is large. It says where to look first: at the database, at one
 * downstream service, or at the operation's own code (then a profile).
 *
 * Per request (each entry span: SERVER or CONSUMER, see `isEntrySpan`), the
 * critical path of the entry span's subtree (`criticalPathShares`, the
 * Jaeger/CRISP backwards walk) is summed by key:
 * - a CLIENT span of the operation itself is charged to its dependency key
 *   (`dependencyKeyOf`: `db <system> <address[:port]>`, `rpc <system>
 *   <service>`, `http <host[:port]>`), or to `client <span name>` when it has
 *   none (messaging, custom clients);
 * - everything under such a call (the callee's SERVER span and all it does,
 *   a transport-level HTTP span under an SDK's CLIENT span) is charged to the
 *   call that led there, so a slow downstream service shows up as the call to
 *   it and not as its own database;
 * - the rest (the entry span itself, its INTERNAL and PRODUCER spans, entry
 *   spans nested without a client call in between) is the operation's own
 *   time, under {@link SELF_KEY}.
 * Nested entry spans are operations in their own right: each is also walked
 * as its own request, with its own calls.
 *
 * Decision: keys name the dependency (database server, HTTP host, RPC
 * service), not the statement or route template. Two statements against one
 * overloaded database are one problem of that database, and per-statement
 * keys would split its share below the threshold; per-statement latency is
 * what `slow_db_statement` and N+1 report. Dependency keys are also few per
 * operation, which keeps the per-operation table small.
 *
 * Aggregation per (service, operation) over a rolling window of two
 * generations of `windowMs / 2`, aligned on the first observed time, as in
 * `DependencyStats`: requests, summed entry durations, summed time per key
 * and the slowest requests' trace ids. Keys beyond
 * `maxDependenciesPerOperation` are summed under {@link OTHER_DEPENDENCIES_KEY}:
 * a new key takes the slot of the smallest kept key when its time in this
 * request is larger than that key's whole window (the smaller key's time
 * moves to `other`), else its time goes to `other`. Totals stay exact, so the
 * shares of an operation add up to at most 1 (the walk tiles each entry
 * span's interval; rounding aside). `other` is never reported: it is not one
 * dependency.
 *
 * Finding, per operation with at least `minTraces` requests in the window,
 * mean latency ≥ `minMeanLatencyMs` and top key share ≥ `minShare`:
 * groupKey = the key, traceId = the slowest request's trace, impactMs = the
 * mean time per request in that key (what is at stake; removing it all is
 * rarely possible, but it bounds any fix). Evidence: dependency, share,
 * meanLatencyMs, meanDependencyMs, traces (requests: entry spans, so an
 * operation entered twice in one trace counts twice), kind (`db`, `http`,
 * `self`, `other` for RPC and other clients), exampleTraceIds, and
 * secondDependency / secondShare when another key took time.
 *
 * Memory per operation (V8, one-byte strings): the Map entry and entry object
 * ~150 B, service and operation kept twice (map key, fields) 2 × (s + o),
 * keys ≤ `maxDependenciesPerOperation` × (≤ {@link MAX_DEPENDENCY_KEY_LENGTH}
 * + ~30 B), two generations of ~60 B counters + 8 B per key slot +
 * `maxExampleTraceIds` × ~80 B of examples. With the defaults: ~6 KiB worst
 * case (16 keys of 256 chars, names of 256 chars), ~1.5 KiB typical (a few
 * keys of ~30 chars); 1000 operations ≤ ~6 MiB. Operations beyond
 * `maxOperations` are only counted.
 *
 * Cost of `observe`: one critical-path walk per entry span over its subtree
 * (O(n log n)), plus an ancestor walk per CLIENT span on the path; nested
 * entry spans are walked again as their own requests, so O(n log n × entry
 * nesting depth) per trace.
 *
 * Callers skip truncated traces (`AssembledTrace.truncated`): a cut trace
 * lacks part of a subtree, which would shift shares to the spans left.
 * Pure: no clock (time is a parameter), no I/O; strings kept are copies.
 */
import { OtlpSpanKind } from '../engine/span-sample';
import { SELF_KEY, criticalPathShares } from './critical-path';
import { dependencyKeyOf } from './dependency-call';
import { resolveDominantDependencyOptions } from './dominant-dependency-options';
import type { DominantDependencyOptions, ResolvedDominantDependencyOptions } from './dominant-dependency-options';
import type { TraceFinding, TraceSpan } from './trace-span';
import { isEntrySpan } from './trace-tree';
import type { TraceTree } from './trace-tree';
import { keepSlowest, ownedCopy } from './slowest-traces';
import type { TraceExample } from './slowest-traces';

export const DOMINANT_DEPENDENCY_TYPE = 'dominant_dependency';
/** Where the time of keys beyond `maxDependenciesPerOperation` is summed; never reported. */
export const OTHER_DEPENDENCIES_KEY = 'other';
/** Keys longer than this (a custom client's span name) are cut, with a trailing `…`. */
export const MAX_DEPENDENCY_KEY_LENGTH = 256;

/** What a key names: a database, an HTTP host, the operation's own code, or anything else (RPC, messaging, custom clients). */
export type DominantDependencyKind = 'db' | 'http' | 'self' | 'other';

/** Counters about the aggregator itself, for its own metrics. */
export interface DominantDependencyCounters {
  /** Operations held. */
  readonly operations: number;
  /** Requests (entry spans) not recorded since creation because `maxOperations` operations were held. */
  readonly overflowRequests: number;
  /** Times since creation a key's time went under `other` (a new key without a slot, or a small key evicted). */
  readonly foldedDependencies: number;
}

/** One operation's window, as `findings` reads it: shares of the summed latency per key. */
export interface OperationShares {
  readonly service: string;
  readonly operation: string;
  /** Requests (entry spans) in the window. */
  readonly traces: number;
  readonly meanLatencyMs: number;
  /** Critical-path time per key (and `other` when used) over the summed latency, in [0, 1]. */
  readonly shares: Readonly<Record<string, number>>;
}

/** The key a CLIENT span's time is charged to (see the file comment); `undefined` for other kinds. */
export function dominantDependencyKeyOf(span: TraceSpan, tree?: TraceTree): string | undefined {
  if (span.kind !== OtlpSpanKind.CLIENT) return undefined;
  const key = dependencyKeyOf(span, tree) ?? `client ${span.name}`;
  return key.length > MAX_DEPENDENCY_KEY_LENGTH ? `${key.slice(0, MAX_DEPENDENCY_KEY_LENGTH - 1)}…` : key;
}

/** The kind of a key made by {@link dominantDependencyKeyOf}, or {@link SELF_KEY}. */
export function dependencyKindOf(key: string): DominantDependencyKind {
  if (key === SELF_KEY) return 'self';
  if (key.startsWith('db ')) return 'db';
  if (key.startsWith('http ')) return 'http';
  return 'other';
}

class OperationGeneration {
  requests = 0;
  latencySumMs = 0;
  /** Time per key slot, aligned with `OperationEntry.keys`. */
  readonly dependencyMs: number[];
  otherMs = 0;
  readonly slowest: TraceExample[] = [];

  constructor(slots: number) {
    this.dependencyMs = new Array<number>(slots).fill(0);
  }
}

class OperationEntry {
  readonly keys: string[] = [];
  active = new OperationGeneration(0);
  older = new OperationGeneration(0);

  constructor(
    readonly service: string,
    readonly operation: string,
  ) {}

  get requests(): number {
    return this.active.requests + this.older.requests;
  }

  /** Window time of slot `i`. */
  timeOf(i: number): number {
    return this.active.dependencyMs[i]! + this.older.dependencyMs[i]!;
  }

  /** The older generation is dropped; keys left without time free their slots. */
  rotate(): void {
    const kept = this.active;
    let j = 0;
    for (let i = 0; i < this.keys.length; i++) {
      if (kept.dependencyMs[i]! === 0) continue;
      this.keys[j] = this.keys[i]!;
      kept.dependencyMs[j] = kept.dependencyMs[i]!;
      j++;
    }
    this.keys.length = j;
    kept.dependencyMs.length = j;
    this.older = kept;
    this.active = new OperationGeneration(j);
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function byImpactThenName(a: TraceFinding, b: TraceFinding): number {
  if (a.impactMs !== b.impactMs) return b.impactMs - a.impactMs;
  const left = `${a.service}\u0000${a.operation}`;
  const right = `${b.service}\u0000${b.operation}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

export class DominantDependencyStats {
  readonly options: ResolvedDominantDependencyOptions;
  private readonly operations = new Map<string, OperationEntry>();
  private readonly generationMs: number;
  /** Start of the active generation; NaN until the first observation. */
  private generationStartMs = Number.NaN;
  private overflowRequests = 0;
  private foldedDependencies = 0;

  constructor(options: DominantDependencyOptions = {}) {
    this.options = resolveDominantDependencyOptions(options);
    this.generationMs = this.options.windowMs / 2;
  }

  /** Adds every entry span (request) of one decided, complete trace. */
  observe(tree: TraceTree, nowMs: number): void {
    this.advance(nowMs);
    for (const span of tree.spans) {
      if (!isEntrySpan(span)) continue;
      // A duplicate span id cannot be walked apart from the first span with that id.
      if (tree.spanById(span.spanId) !== span) continue;
      const entry = this.entryFor(span.service, tree.operationOf(span));
      if (entry === undefined) {
        this.overflowRequests++;
        continue;
      }
      const shares = criticalPathShares(tree, span, (s) => this.ownCallKeyOf(tree, s, span));
      this.record(entry, span, shares);
    }
  }

  /** `dominant_dependency` findings over the window ending at `nowMs`, largest impact first. */
  findings(nowMs: number): TraceFinding[] {
    this.advance(nowMs);
    const o = this.options;
    const findings: TraceFinding[] = [];
    for (const entry of this.operations.values()) {
      const { active, older } = entry;
      const requests = active.requests + older.requests;
      if (requests < o.minTraces) continue;
      const latencySumMs = active.latencySumMs + older.latencySumMs;
      const meanLatencyMs = latencySumMs / requests;
      if (!(meanLatencyMs >= o.minMeanLatencyMs) || !(latencySumMs > 0)) continue;
      const [top, second] = topTwo(entry);
      if (top < 0) continue;
      const topMs = entry.timeOf(top);
      const share = topMs / latencySumMs;
      if (!(share >= o.minShare)) continue;
      const key = entry.keys[top]!;
      const examples = [...active.slowest, ...older.slowest].sort((a, b) => b.durationMs - a.durationMs);
      const exampleTraceIds: string[] = [];
      for (const example of examples) {
        if (exampleTraceIds.length >= o.maxExampleTraceIds) break;
        if (!exampleTraceIds.includes(example.traceId)) exampleTraceIds.push(example.traceId);
      }
      const evidence: Record<string, string | number | readonly string[]> = {
        dependency: key,
        kind: dependencyKindOf(key),
        share: round4(share),
        meanLatencyMs: round3(meanLatencyMs),
        meanDependencyMs: round3(topMs / requests),
        traces: requests,
        windowMs: o.windowMs,
        exampleTraceIds,
      };
      if (second >= 0) {
        evidence['secondDependency'] = entry.keys[second]!;
        evidence['secondShare'] = round4(entry.timeOf(second) / latencySumMs);
      }
      findings.push({
        type: DOMINANT_DEPENDENCY_TYPE,
        service: entry.service,
        operation: entry.operation,
        groupKey: key,
        traceId: exampleTraceIds[0] ?? '',
        impactMs: round3(topMs / requests),
        evidence,
      });
    }
    return findings.sort(byImpactThenName);
  }

  /** Every operation's shares over the window ending at `nowMs` (unrounded), in insertion order. */
  operationShares(nowMs: number): OperationShares[] {
    this.advance(nowMs);
    const out: OperationShares[] = [];
    for (const entry of this.operations.values()) {
      const requests = entry.requests;
      const latencySumMs = entry.active.latencySumMs + entry.older.latencySumMs;
      const shares: Record<string, number> = {};
      if (latencySumMs > 0) {
        entry.keys.forEach((key, i) => {
          shares[key] = entry.timeOf(i) / latencySumMs;
        });
        const otherMs = entry.active.otherMs + entry.older.otherMs;
        if (otherMs > 0) shares[OTHER_DEPENDENCIES_KEY] = otherMs / latencySumMs;
      }
      out.push({ service: entry.service, operation: entry.operation, traces: requests, meanLatencyMs: requests > 0 ? latencySumMs / requests : 0, shares });
    }
    return out;
  }

  counters(): DominantDependencyCounters {
    return { operations: this.operations.size, overflowRequests: this.overflowRequests, foldedDependencies: this.foldedDependencies };
  }

  /**
   * The key of a CLIENT span made by the operation rooted at `root` itself:
   * `undefined` (charged like its parent on the path) for other spans, and for
   * CLIENT spans under another CLIENT or entry span below the root (a callee's
   * own calls, or a transport span under an SDK's call).
   */
  private ownCallKeyOf(tree: TraceTree, span: TraceSpan, root: TraceSpan): string | undefined {
    if (span === root || span.kind !== OtlpSpanKind.CLIENT) return undefined;
    let current = tree.parentOf(span);
    // Bounded by the span count: a parent cycle (malformed data) cannot loop forever.
    for (let steps = 0; current !== undefined && current !== root && steps < tree.spans.length; steps++) {
      if (current.kind === OtlpSpanKind.CLIENT || isEntrySpan(current)) return undefined;
      current = tree.parentOf(current);
    }
    return dominantDependencyKeyOf(span, tree);
  }

  /** The operation's entry, created if there is room; `undefined` when `maxOperations` are held. */
  private entryFor(service: string, operation: string): OperationEntry | undefined {
    const key = `${service}\u0000${operation}`;
    const found = this.operations.get(key);
    if (found !== undefined) return found;
    if (this.operations.size >= this.options.maxOperations) return undefined;
    const entry = new OperationEntry(ownedCopy(service), ownedCopy(operation));
    this.operations.set(ownedCopy(key), entry);
    return entry;
  }

  private record(entry: OperationEntry, span: TraceSpan, shares: ReadonlyMap<string, number>): void {
    const generation = entry.active;
    const durationMs = span.endTimeMs > span.startTimeMs ? span.endTimeMs - span.startTimeMs : 0;
    generation.requests++;
    generation.latencySumMs += durationMs;
    keepSlowest(generation.slowest, span.traceId, durationMs, this.options.maxExampleTraceIds);
    for (const [key, timeMs] of shares) {
      const slot = this.slotFor(entry, key, timeMs);
      if (slot < 0) generation.otherMs += timeMs;
      else generation.dependencyMs[slot]! += timeMs;
    }
  }

  /**
   * The key's slot; a new one while there is room, else the smallest kept
   * key's slot when `timeMs` exceeds that key's window time (its time moves
   * to `other`), else -1 (the caller adds `timeMs` to `other`).
   */
  private slotFor(entry: OperationEntry, key: string, timeMs: number): number {
    const at = entry.keys.indexOf(key);
    if (at >= 0) return at;
    if (entry.keys.length < this.options.maxDependenciesPerOperation) {
      entry.keys.push(ownedCopy(key));
      entry.active.dependencyMs.push(0);
      entry.older.dependencyMs.push(0);
      return entry.keys.length - 1;
    }
    this.foldedDependencies++;
    let smallest = 0;
    for (let i = 1; i < entry.keys.length; i++) if (entry.timeOf(i) < entry.timeOf(smallest)) smallest = i;
    if (!(timeMs > entry.timeOf(smallest))) return -1;
    for (const generation of [entry.active, entry.older]) {
      generation.otherMs += generation.dependencyMs[smallest]!;
      generation.dependencyMs[smallest] = 0;
    }
    entry.keys[smallest] = ownedCopy(key);
    return smallest;
  }

  /** Moves the generations forward to `nowMs`, as `DependencyStats` does. */
  private advance(nowMs: number): void {
    if (!Number.isFinite(nowMs)) return;
    if (Number.isNaN(this.generationStartMs)) {
      this.generationStartMs = nowMs;
      return;
    }
    const elapsed = nowMs - this.generationStartMs;
    if (elapsed < this.generationMs) return;
    if (elapsed >= 2 * this.generationMs) {
      this.operations.clear();
      this.generationStartMs = nowMs;
      return;
    }
    for (const [key, entry] of this.operations) {
      entry.rotate();
      if (entry.requests === 0) this.operations.delete(key);
    }
    this.generationStartMs += this.generationMs;
  }
}

/** Slots of the largest and second largest window times (> 0), -1 when absent; ties go to the earlier slot. */
function topTwo(entry: OperationEntry): [number, number] {
  let top = -1;
  let second = -1;
  for (let i = 0; i < entry.keys.length; i++) {
    const time = entry.timeOf(i);
    if (!(time > 0)) continue;
    if (top < 0 || time > entry.timeOf(top)) {
      second = top;
      top = i;
    } else if (second < 0 || time > entry.timeOf(second)) {
      second = i;
    }
  }
  return [top, second];
}
