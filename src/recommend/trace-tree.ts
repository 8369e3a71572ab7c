/**
 * An index over one assembled trace, shared by the trace analyzers (N+1,
 * sequential calls, critical path) so that each does not rebuild it:
 * span by id, children of each span in start order, roots, the operation
 * name of a span and the entry span a finding is reported on.
 *
 * Tolerates what real traces contain:
 * - orphans: a span whose parent is not in the trace (lost, sampled out, or
 *   still in flight when the trace was decided) is treated as a root;
 * - duplicate span ids: the first span with an id wins, later ones are still
 *   listed under their parent but cannot be found by id;
 * - parent cycles (malformed data): ancestor walks stop after as many steps
 *   as there are spans, so they always end.
 *
 * Memory: O(spans): one Map entry per span id and per parent id, one array
 * slot per span (about 150 bytes per span on V8). Building is
 * O(n log n) for the sorts; the tree holds the caller's span objects, not
 * copies. Pure: no clock, no I/O.
 */
import { OtlpSpanKind, SpanSample } from '../engine/span-sample';
import { OperationNamer } from '../engine/span-semantics';
import { httpTargetOf } from './http-target';
import type { HttpTarget } from './http-target';
import { SqlNormalizationCache } from './sql-normalization-cache';
import { backslashEscapesFor, dbStatementOf, dbSystemOf } from './sql-normalizer';
import type { TraceSpan } from './trace-span';

export interface TraceTreeOptions {
  /**
   * Names operations (`METHOD route`, else the span name) exactly as the SLO
   * engine does. Pass the processor's long-lived instance so that its bounded
   * cache is shared across traces.
   * @default a new OperationNamer per tree
   */
  readonly operationNamer?: OperationNamer;
  /**
   * Normalised statements by raw text, shared across traces (pass the
   * processor's long-lived instance).
   * @default a new cache per tree
   */
  readonly sqlCache?: SqlNormalizationCache;
}

const NO_CHILDREN: readonly TraceSpan[] = Object.freeze([]);

/** Start order; ties broken by end time then span id, so the order never depends on arrival order. */
export function compareSpansByStart(a: TraceSpan, b: TraceSpan): number {
  if (a.startTimeMs !== b.startTimeMs) return a.startTimeMs - b.startTimeMs;
  if (a.endTimeMs !== b.endTimeMs) return a.endTimeMs - b.endTimeMs;
  return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
}

/** Whether a span is where a request or message enters a service: the unit findings are reported on. */
export function isEntrySpan(span: TraceSpan): boolean {
  return span.kind === OtlpSpanKind.SERVER || span.kind === OtlpSpanKind.CONSUMER;
}

export class TraceTree {
  /** The spans as given. */
  readonly spans: readonly TraceSpan[];
  /** Spans without a parent in this trace (true roots and orphans), in start order. */
  readonly roots: readonly TraceSpan[];
  private readonly byId = new Map<string, TraceSpan>();
  private readonly children = new Map<string, TraceSpan[]>();
  private readonly namer: OperationNamer;
  private readonly sqlCache: SqlNormalizationCache;
  /**
   * Per-span memos of what several analyzers read from one span (each
   * normalises statements and parses URLs otherwise): null = none.
   */
  private readonly statements = new Map<TraceSpan, string | null>();
  private readonly httpTargets = new Map<TraceSpan, HttpTarget | null>();
  /** Reused adapter: the SLO engine's naming reads a SpanSample; only `name` and `attributes` matter to it. */
  private readonly sample = new SpanSample();

  constructor(spans: readonly TraceSpan[], options: TraceTreeOptions = {}) {
    this.spans = spans;
    this.namer = options.operationNamer ?? new OperationNamer();
    this.sqlCache = options.sqlCache ?? new SqlNormalizationCache();
    for (const span of spans) {
      if (!this.byId.has(span.spanId)) this.byId.set(span.spanId, span);
    }
    const roots: TraceSpan[] = [];
    for (const span of spans) {
      const parentId = span.parentSpanId;
      // A span naming itself as parent is a root (malformed, but must not hide the span).
      if (parentId === '' || parentId === span.spanId || !this.byId.has(parentId)) {
        roots.push(span);
        continue;
      }
      const siblings = this.children.get(parentId);
      if (siblings === undefined) this.children.set(parentId, [span]);
      else siblings.push(span);
    }
    for (const siblings of this.children.values()) siblings.sort(compareSpansByStart);
    roots.sort(compareSpansByStart);
    this.roots = roots;
  }

  spanById(spanId: string): TraceSpan | undefined {
    return this.byId.get(spanId);
  }

  /** The span's parent within this trace; `undefined` for roots and orphans. */
  parentOf(span: TraceSpan): TraceSpan | undefined {
    if (span.parentSpanId === '' || span.parentSpanId === span.spanId) return undefined;
    return this.byId.get(span.parentSpanId);
  }

  /** Direct children of the span (by its id), in start order. */
  childrenOf(span: TraceSpan): readonly TraceSpan[] {
    return this.children.get(span.spanId) ?? NO_CHILDREN;
  }

  /** Ids of the spans that have at least one child, with those children in start order. */
  parents(): IterableIterator<[string, readonly TraceSpan[]]> {
    return this.children.entries();
  }

  /** `METHOD route` when the span has a method (`http.request.method` or `http.method`) and `http.route`, else its name: the SLO engine's naming. */
  operationOf(span: TraceSpan): string {
    this.sample.name = span.name;
    this.sample.attributes = span.attributes;
    return this.namer.operation(this.sample);
  }

  /**
   * The span's statement (`db.query.text` or `db.statement`) normalised at
   * the default length with its database's escaping rules, computed once per
   * span; `undefined` without one. Kind and database system are the
   * caller's checks.
   */
  normalizedStatementOf(span: TraceSpan): string | undefined {
    let normalized = this.statements.get(span);
    if (normalized === undefined) {
      const text = dbStatementOf(span.attributes);
      normalized = text === undefined ? null : this.sqlCache.normalize(text, backslashEscapesFor(dbSystemOf(span.attributes)));
      this.statements.set(span, normalized);
    }
    return normalized ?? undefined;
  }

  /** `httpTargetOf(span.attributes)`, computed once per span. */
  httpTargetOf(span: TraceSpan): HttpTarget | undefined {
    let target = this.httpTargets.get(span);
    if (target === undefined) {
      target = httpTargetOf(span.attributes) ?? null;
      this.httpTargets.set(span, target);
    }
    return target ?? undefined;
  }

  /**
   * The span a finding about `span` is reported on: `span` itself when it is
   * a SERVER or CONSUMER span, else its nearest such ancestor, else the top
   * of its ancestor chain (the root, or an orphan's highest known ancestor).
   */
  entrySpanOf(span: TraceSpan): TraceSpan {
    let current = span;
    for (let steps = 0; steps <= this.spans.length; steps++) {
      if (isEntrySpan(current)) return current;
      const parent = this.parentOf(current);
      if (parent === undefined) return current;
      current = parent;
    }
    return current; // a parent cycle without an entry span
  }
}
