/**
 * `sequential_calls`: under one parent, client calls to DIFFERENT targets (DB
 * statements, HTTP hosts and route templates) made one after another when
 * they look independent, so that running them concurrently (`Promise.all`,
 * one round trip, a batch endpoint) would save time. Identical repeats are
 * the N+1 analyzers' business; this one reports runs of differing calls.
 *
 * Which spans are calls: CLIENT spans with a database system
 * (`db.system.name` or `db.system`) or an HTTP method (`http.request.method`
 * or `http.method`). The target is `<db system> <normalised statement>` (the
 * span name when there is no statement) or `<METHOD> <host><route template>`
 * (see `http-target.ts`). Messaging, RPC and other client spans are not
 * calls: their ordering is often semantic (publish after write).
 *
 * Independence heuristic. A trace does not show data dependencies, so a run
 * is reported only when its shape says the application did not work in
 * between the calls:
 * - the calls are consecutive children of one parent in start order (so none
 *   is an ancestor of another) with no other child between them: a sibling
 *   such as an INTERNAL span between two calls is application work that may
 *   use the previous result;
 * - each call starts after the previous one ended, within
 *   `overlapToleranceMs` (timestamps are taken at slightly different points
 *   by instrumentations), so the calls are not already concurrent;
 * - the gap between one call's end and the next one's start is at most
 *   `maxGapMs`: a larger gap suggests code computing the next call from the
 *   previous result (or other unseen work), hence a dependency.
 * Calls overlapping the previous one, non-call siblings and large gaps end a
 * run. Connection acquisitions (`pg-pool.connect`: a database span without
 * a statement named `…connect`, see `isConnectionSpan`) are looked through:
 * neither calls nor work in between.
 *
 * N+1 owns identical repeats. Before a run is judged, consecutive calls with
 * the same target are collapsed into one call whose duration is the sum of
 * theirs (their span ids all stay in the examples): a loop of six identical
 * queries followed by one other call is an N+1 (see `n-plus-one-analyzer.ts`)
 * and must not be reported a second time as sequential calls, and where a
 * loop does sit among different calls, the saving counted here is only what
 * running the loop concurrently with the others would save, not what
 * batching the loop itself would (N+1's impact). So `minCalls` counts
 * collapsed calls, and the groupKey lists each collapsed call's target once.
 *
 * A run is reported when it has at least `minCalls` (collapsed) calls, at
 * least two different targets (all identical is N+1), and its saving — the
 * sum of the durations minus the longest collapsed call, i.e. what running
 * them all at once would save — is at least `minSavingMs`. The heuristic can
 * still flag calls that depend on each other through a value computed
 * instantly (the id returned by an INSERT used by the next one); the evidence
 * lists the targets so a reader can judge.
 *
 * The finding is reported on the entry span (SERVER or CONSUMER) above the
 * parent, named as the SLO engine names operations (see `TraceTree`); its
 * groupKey is the run's collapsed targets in order, joined by a line feed
 * (normalised SQL and route templates hold no line feeds), so one code path
 * groups together across traces.
 *
 * Cost: O(n) over the tree's children lists plus one normalisation per call
 * span (linear in the statement, see `sql-normalizer.ts`); memory per run is
 * one array slot and one target string per call (targets are at most about
 * 4 KiB each, the normaliser's cap). Pure: no clock, no I/O.
 */
import { OtlpSpanKind } from '../engine/span-sample';
import { isConnectionSpan } from './dependency-call';
import { httpTargetOf } from './http-target';
import { backslashEscapesFor, dbStatementOf, dbSystemOf, normalizeSqlStatement } from './sql-normalizer';
import type { TraceFinding, TraceSpan } from './trace-span';
import type { TraceTree } from './trace-tree';

/** The analyzer's type id (part of the contract). */
export const SEQUENTIAL_CALLS_TYPE = 'sequential_calls';

/** Span ids listed in a finding's evidence at most. */
export const MAX_EXAMPLE_SPAN_IDS = 10;

export interface SequentialCallsOptions {
  /**
   * Calls in a run at least, consecutive calls of one target counting as one.
   * @default 3
   */
  readonly minCalls?: number;
  /**
   * Saving (sum of durations minus the longest) in milliseconds at least.
   * @default 50
   */
  readonly minSavingMs?: number;
  /**
   * Longest gap in milliseconds between a call's end and the next call's
   * start inside one run; a larger gap suggests the application used the
   * previous result to make the next call.
   * @default 5
   */
  readonly maxGapMs?: number;
  /**
   * How far in milliseconds a call may start before the previous one ended
   * and still count as after it (instrumentation timestamp jitter). Beyond
   * it the calls overlap, i.e. already run concurrently.
   * @default 1
   */
  readonly overlapToleranceMs?: number;
}

/** `SequentialCallsOptions` with every default filled in and checked. */
export type ResolvedSequentialCallsOptions = Readonly<Required<SequentialCallsOptions>>;

export const DEFAULT_SEQUENTIAL_CALLS_OPTIONS: ResolvedSequentialCallsOptions = Object.freeze({
  minCalls: 3,
  minSavingMs: 50,
  maxGapMs: 5,
  overlapToleranceMs: 1,
});

/** Longest duration accepted for the millisecond options (one hour): beyond, a typo. */
const MAX_OPTION_MS = 3_600_000;
const MAX_MIN_CALLS = 10_000;

function millisecondsIn(name: keyof SequentialCallsOptions, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > MAX_OPTION_MS) {
    throw new RangeError(`sequential_calls: ${name} must be a number of milliseconds in [0, ${MAX_OPTION_MS}], got ${value}`);
  }
  return value;
}

/**
 * Fills in the defaults and checks every value (the one place defaults live).
 * @throws RangeError naming the first option out of range.
 */
export function resolveSequentialCallsOptions(options: SequentialCallsOptions = {}): ResolvedSequentialCallsOptions {
  const d = DEFAULT_SEQUENTIAL_CALLS_OPTIONS;
  const minCalls = options.minCalls ?? d.minCalls;
  if (!Number.isInteger(minCalls) || minCalls < 2 || minCalls > MAX_MIN_CALLS) {
    throw new RangeError(`sequential_calls: minCalls must be an integer in [2, ${MAX_MIN_CALLS}], got ${minCalls}`);
  }
  return Object.freeze({
    minCalls,
    minSavingMs: millisecondsIn('minSavingMs', options.minSavingMs ?? d.minSavingMs),
    maxGapMs: millisecondsIn('maxGapMs', options.maxGapMs ?? d.maxGapMs),
    overlapToleranceMs: millisecondsIn('overlapToleranceMs', options.overlapToleranceMs ?? d.overlapToleranceMs),
  });
}

/**
 * The target of a client call, or `undefined` when the span is not a DB or
 * HTTP client call: `<db system> <normalised statement or span name>` or
 * `<METHOD> <host><template>` (`<METHOD> <span name>` without a host).
 */
export function callTargetOf(span: TraceSpan, tree?: TraceTree): string | undefined {
  if (span.kind !== OtlpSpanKind.CLIENT) return undefined;
  const attributes = span.attributes;
  const dbSystem = dbSystemOf(attributes);
  if (dbSystem !== undefined) {
    const statement = dbStatementOf(attributes);
    const normalized =
      statement === undefined ? undefined : (tree?.normalizedStatementOf(span) ?? normalizeSqlStatement(statement, { backslashEscapes: backslashEscapesFor(dbSystem) }));
    return `${dbSystem} ${normalized ?? span.name}`;
  }
  const method = attributes['http.request.method'] ?? attributes['http.method'];
  if (typeof method !== 'string' || method.length === 0) return undefined;
  const target = tree === undefined ? httpTargetOf(attributes) : tree.httpTargetOf(span);
  return target === undefined ? `${method.toUpperCase()} ${span.name}` : `${target.method} ${target.host}${target.template}`;
}

interface Call {
  readonly span: TraceSpan;
  readonly target: string;
  readonly durationMs: number;
}

/** Consecutive calls of one target taken as one (see the file comment). */
interface CollapsedCall {
  readonly target: string;
  durationMs: number;
  readonly spanIds: string[];
}

function durationOf(span: TraceSpan): number {
  return Math.max(0, span.endTimeMs - span.startTimeMs);
}

/** The run with each stretch of consecutive same-target calls collapsed into one call. */
function collapseRepeats(run: readonly Call[]): CollapsedCall[] {
  const collapsed: CollapsedCall[] = [];
  for (const call of run) {
    const last = collapsed[collapsed.length - 1];
    if (last !== undefined && last.target === call.target) {
      last.durationMs += call.durationMs;
      last.spanIds.push(call.span.spanId);
    } else {
      collapsed.push({ target: call.target, durationMs: call.durationMs, spanIds: [call.span.spanId] });
    }
  }
  return collapsed;
}

/**
 * The run's finding, or `undefined` when it has too few collapsed calls, is
 * all one target, or saves too little.
 */
function findingOf(tree: TraceTree, parent: TraceSpan, run: readonly Call[], options: ResolvedSequentialCallsOptions): TraceFinding | undefined {
  if (run.length < options.minCalls) return undefined; // collapsing only shortens a run
  const calls = collapseRepeats(run);
  if (calls.length < options.minCalls) return undefined;
  let totalMs = 0;
  let longestMs = 0;
  let differs = false;
  for (const call of calls) {
    totalMs += call.durationMs;
    if (call.durationMs > longestMs) longestMs = call.durationMs;
    if (call.target !== calls[0]!.target) differs = true;
  }
  if (!differs) return undefined;
  const savingMs = totalMs - longestMs;
  if (savingMs < options.minSavingMs) return undefined;
  const targets = calls.map((call) => call.target);
  const entry = tree.entrySpanOf(parent);
  return {
    type: SEQUENTIAL_CALLS_TYPE,
    service: entry.service,
    operation: tree.operationOf(entry),
    groupKey: targets.join('\n'),
    traceId: parent.traceId,
    impactMs: savingMs,
    evidence: {
      calls: calls.length,
      distinctTargets: new Set(targets).size,
      savingMs,
      totalMs,
      longestMs,
      targets,
      parentSpanId: parent.spanId,
      parentSpanName: parent.name,
      exampleSpanIds: calls.flatMap((call) => call.spanIds).slice(0, MAX_EXAMPLE_SPAN_IDS),
    },
  };
}

/**
 * Every `sequential_calls` finding in one assembled trace, in parent order
 * then time order. Callers should skip truncated traces (see
 * `AssembledTrace.truncated`): a cut trace can hide part of a run.
 */
export function findSequentialCalls(
  tree: TraceTree,
  options: ResolvedSequentialCallsOptions = DEFAULT_SEQUENTIAL_CALLS_OPTIONS,
): TraceFinding[] {
  const findings: TraceFinding[] = [];
  for (const [parentId, children] of tree.parents()) {
    const parent = tree.spanById(parentId);
    if (parent === undefined) continue;
    let run: Call[] = [];
    const close = (): void => {
      const finding = findingOf(tree, parent, run, options);
      if (finding !== undefined) findings.push(finding);
      run = [];
    };
    for (const child of children) {
      // Taking a connection from a pool between two queries is part of the next query, not work in between.
      if (isConnectionSpan(child)) continue;
      const target = callTargetOf(child, tree);
      if (target === undefined) {
        close(); // application work between calls: may depend on the previous result
        continue;
      }
      const previous = run[run.length - 1];
      if (previous !== undefined) {
        const gapMs = child.startTimeMs - previous.span.endTimeMs;
        if (gapMs < -options.overlapToleranceMs || gapMs > options.maxGapMs) close();
      }
      run.push({ span: child, target, durationMs: durationOf(child) });
    }
    close();
  }
  return findings;
}
