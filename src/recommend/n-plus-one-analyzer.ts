import { OtlpSpanKind } from '../engine/span-sample';
import { httpTargetOf } from './http-target';
import type { NPlusOneOptions, ResolvedNPlusOneOptions } from './n-plus-one-options';
import { resolveNPlusOneOptions } from './n-plus-one-options';
import { DEFAULT_SQL_MAX_LENGTH, backslashEscapesFor, dbStatementOf, dbSystemOf, isTruncatedStatement, normalizeSqlStatement } from './sql-normalizer';
import type { TraceFinding, TraceSpan } from './trace-span';
import type { TraceTree } from './trace-tree';

/**
 * N+1 detection: a loop issuing one database query (`n_plus_one_db`) or one
 * outgoing HTTP call (`n_plus_one_http`) per item where one batched call
 * would do. The facts follow Sentry's "N+1 Queries" / "N+1 API Calls"
 * performance-issue detectors (Sentry documentation): sequential,
 * non-overlapping spans with the same description, more than five of them,
 * more than 50 ms in total, full (not truncated) queries only.
 *
 * What counts here, per parent span (one `TraceTree` parent at a time):
 * - A DB call is a child that is a CLIENT span, or any span with
 *   `db.system.name`/`db.system`, carrying `db.query.text`/`db.statement`.
 *   Its group key is the normalised statement (literals and bind parameters
 *   stripped, see sql-normalizer.ts), so `WHERE id = 1` and `WHERE id = 2`
 *   are the same call. Statements cut by the normaliser's `maxStatementLength`
 *   or by the instrumentation (ending in `...` or `…`, as some SDKs do) are
 *   skipped, as Sentry does: two cut texts may hide different tails.
 *   DB spans without a statement are ignored (nothing to group them by).
 * - An HTTP call is a CLIENT span without a database system for which
 *   `httpTargetOf` finds a host and a request method is known (so gRPC or
 *   messaging spans, which also carry `server.address`, are not taken for
 *   HTTP). Group key: `METHOD host template`.
 * - A run is a sequence of calls with the same group key, in start order,
 *   each starting no earlier than `overlapToleranceMs` before the previous
 *   one ended. A call overlapping the previous repeat by more than that is
 *   concurrent, not N+1: it ends the run and starts the next one.
 * - Calls of OTHER group keys in between do not break a run. Decision: a loop
 *   body commonly issues two or three statements per item (an ORM loading
 *   two associations); requiring strict adjacency would miss exactly those
 *   loops. Each key then yields its own finding.
 * - A run is reported when it has MORE than `minCount` calls and their
 *   durations add up to MORE than `minTotalMs`.
 * - Unlike Sentry, no preceding "source" query is required (Sentry uses it
 *   for its fingerprint; ours is type, service, operation and group key), so
 *   an N+1 over ids received from another service is found too.
 *
 * One finding per qualifying run (normally one per parent and group key). It
 * is reported on the parent's entry span (`TraceTree.entrySpanOf`: the
 * nearest SERVER or CONSUMER span), whose service and operation name it
 * carries. Impact estimate: the run's total duration minus its longest call,
 * i.e. what remains if the N calls became one batched call costing about as
 * much as the slowest single one (a batch usually costs a little more than
 * one call, so this slightly overestimates the saving; it ignores the gaps
 * between calls, which the loop's own code spends, so it also leaves some
 * saving out).
 *
 * Cost per trace: one pass over each parent's children (sorted by the tree),
 * one normalisation per DB child (linear in the statement, capped by
 * `maxStatementLength`). Memory while analysing one parent: one small record
 * per distinct group key among its children (about 200 bytes plus the key),
 * freed before the next parent. Pure: no clock, no I/O.
 */

export const N_PLUS_ONE_DB = 'n_plus_one_db';
export const N_PLUS_ONE_HTTP = 'n_plus_one_http';
export type NPlusOneType = typeof N_PLUS_ONE_DB | typeof N_PLUS_ONE_HTTP;

/** A repeated call's identity: what kind of call and what makes two of them the same. */
export interface NPlusOneCall {
  readonly type: NPlusOneType;
  /** The normalised statement, or `METHOD host template`. */
  readonly groupKey: string;
  /** `db.system.name`/`db.system` of a DB call; undefined for HTTP or when absent. */
  readonly dbSystem: string | undefined;
}

/** Whether an instrumentation cut the statement itself (Sentry: "some SDKs truncate queries and add an ellipsis"). */
function endsWithEllipsis(statement: string): boolean {
  const trimmed = statement.trimEnd();
  return trimmed.endsWith('...') || trimmed.endsWith('…');
}

function hasHttpMethod(attributes: TraceSpan['attributes']): boolean {
  return typeof attributes['http.request.method'] === 'string' || typeof attributes['http.method'] === 'string';
}

/**
 * The span as a repeatable call, or undefined when it is neither a DB call
 * with a full statement nor an outgoing HTTP call with a known host and method.
 */
export function nPlusOneCallOf(span: TraceSpan, maxStatementLength: number, tree?: TraceTree): NPlusOneCall | undefined {
  const attributes = span.attributes;
  const dbSystem = dbSystemOf(attributes);
  const statement = dbStatementOf(attributes);
  if (statement !== undefined && (span.kind === OtlpSpanKind.CLIENT || dbSystem !== undefined)) {
    if (endsWithEllipsis(statement)) return undefined;
    // The tree memoises the default-length normalisation that the other analyzers share.
    const normalized =
      (maxStatementLength === DEFAULT_SQL_MAX_LENGTH ? tree?.normalizedStatementOf(span) : undefined) ??
      normalizeSqlStatement(statement, {
        maxLength: maxStatementLength,
        backslashEscapes: backslashEscapesFor(dbSystem),
      });
    if (normalized.length === 0 || isTruncatedStatement(normalized)) return undefined;
    return { type: N_PLUS_ONE_DB, groupKey: normalized, dbSystem };
  }
  if (span.kind !== OtlpSpanKind.CLIENT || dbSystem !== undefined || !hasHttpMethod(attributes)) return undefined;
  const target = tree === undefined ? httpTargetOf(attributes) : tree.httpTargetOf(span);
  if (target === undefined) return undefined;
  return { type: N_PLUS_ONE_HTTP, groupKey: `${target.method} ${target.host} ${target.template}`, dbSystem: undefined };
}

/** A run being built: running figures only, never the spans themselves beyond the examples. */
interface Run {
  readonly call: NPlusOneCall;
  count: number;
  totalMs: number;
  longestMs: number;
  lastEndMs: number;
  readonly exampleSpanIds: string[];
}

function durationOf(span: TraceSpan): number {
  const d = span.endTimeMs - span.startTimeMs;
  return d > 0 ? d : 0;
}

export class NPlusOneAnalyzer {
  readonly options: ResolvedNPlusOneOptions;

  constructor(options: NPlusOneOptions = {}) {
    this.options = resolveNPlusOneOptions(options);
  }

  /**
   * The N+1 findings of one trace, in the order their runs ended (parents in
   * the tree's order). Callers should skip traces the buffer decided early
   * (`AssembledTrace.truncated`): a cut loop can fall below the thresholds.
   */
  analyze(tree: TraceTree): TraceFinding[] {
    const findings: TraceFinding[] = [];
    for (const [parentId, children] of tree.parents()) {
      const parent = tree.spanById(parentId);
      if (parent === undefined || children.length <= this.options.minCount) continue;
      this.analyzeParent(tree, parent, children, findings);
    }
    return findings;
  }

  private analyzeParent(tree: TraceTree, parent: TraceSpan, children: readonly TraceSpan[], out: TraceFinding[]): void {
    const { maxStatementLength, overlapToleranceMs, maxExampleSpanIds } = this.options;
    const runs = new Map<string, Run>();
    for (const child of children) {
      const call = nPlusOneCallOf(child, maxStatementLength, tree);
      if (call === undefined) continue;
      const key = `${call.type}\u0000${call.groupKey}`;
      let run = runs.get(key);
      if (run !== undefined && child.startTimeMs < run.lastEndMs - overlapToleranceMs) {
        this.report(tree, parent, run, out); // concurrent with the previous repeat: that run ends here
        run = undefined;
      }
      if (run === undefined) {
        run = { call, count: 0, totalMs: 0, longestMs: 0, lastEndMs: child.endTimeMs, exampleSpanIds: [] };
        runs.set(key, run);
      }
      const duration = durationOf(child);
      run.count++;
      run.totalMs += duration;
      if (duration > run.longestMs) run.longestMs = duration;
      if (child.endTimeMs > run.lastEndMs) run.lastEndMs = child.endTimeMs;
      if (run.exampleSpanIds.length < maxExampleSpanIds) run.exampleSpanIds.push(child.spanId);
    }
    for (const run of runs.values()) this.report(tree, parent, run, out);
  }

  private report(tree: TraceTree, parent: TraceSpan, run: Run, out: TraceFinding[]): void {
    if (run.count <= this.options.minCount || !(run.totalMs > this.options.minTotalMs)) return;
    const entry = tree.entrySpanOf(parent);
    const { call } = run;
    const evidence: Record<string, string | number | readonly string[]> = {
      count: run.count,
      totalMs: run.totalMs,
      longestMs: run.longestMs,
    };
    if (call.type === N_PLUS_ONE_DB) {
      evidence['statement'] = call.groupKey;
      if (call.dbSystem !== undefined) evidence['dbSystem'] = call.dbSystem;
    } else {
      evidence['target'] = call.groupKey;
    }
    evidence['parentOperation'] = tree.operationOf(parent);
    evidence['parentSpanId'] = parent.spanId;
    evidence['exampleSpanIds'] = run.exampleSpanIds;
    out.push({
      type: call.type,
      service: entry.service,
      operation: tree.operationOf(entry),
      groupKey: call.groupKey,
      traceId: parent.traceId,
      impactMs: run.totalMs - run.longestMs,
      evidence,
    });
  }
}
