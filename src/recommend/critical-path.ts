/**
 * The critical path of a span's subtree: the chain of descendants that
 * determines when the span ends, with the time each one spends on that chain
 * outside of its own children ("self time on the critical path").
 *
 * The walk is the backwards one of Jaeger UI's critical path view, itself
 * after Uber's CRISP ("CRISP: Critical Path Analysis of Large-Scale
 * Microservice Architectures", Zhang et al., USENIX ATC 2022), written here
 * from that description:
 *
 * 1. Put a cursor at the span's end.
 * 2. Among its children, pick the one that ended last at or before the cursor
 *    (children ending after the cursor ran concurrently with one already on
 *    the path and are not on it). The time between that child's end and the
 *    cursor is the span's own time on the path.
 * 3. Walk that child's subtree the same way, over the child's own interval.
 * 4. Move the cursor to the child's start and repeat from 2.
 * 5. When no child is left, the time from the span's start to the cursor is
 *    the span's own time too.
 *
 * Known limit of this walk (shared with Jaeger's): a child still running at
 * the cursor but which ended after it (it overlapped the chosen child) is
 * skipped, so time only it covered counts as the parent's own time.
 *
 * Invariant: the segments tile the root's interval [start, end] without
 * overlap, so their self times add up to the root's duration (up to
 * floating-point rounding).
 *
 * Messy traces:
 * - clock skew: a child's interval is clamped into its parent's (a child
 *   starting before its parent starts at the parent's start; one ending after
 *   its parent ends at the parent's end; one entirely outside becomes a
 *   zero-length interval at the nearer bound and contributes nothing);
 * - a span whose end is before its start counts as zero-length;
 * - zero-duration children are taken at most once each, so the walk always
 *   ends (each child is examined once per parent, in end order);
 * - parent cycles and duplicate span ids: a span id is expanded at most
 *   once; a second visit treats the span as a leaf. Orphans (parent not in the
 *   trace) are not under the root, so they are never visited.
 *
 * Cost: O(d log d) per visited span with d children (one sort by end), so
 * O(n log n) for a subtree of n spans; memory O(n) (an explicit stack instead
 * of recursion, so deep traces cannot overflow the call stack, plus one
 * segment of 4 fields, about 50 bytes, per piece of the path). Pure.
 */
import type { TraceSpan } from './trace-span';
import type { TraceTree } from './trace-tree';

/** One piece of the critical path: `span` itself (not one of its children) was running during [startMs, endMs]. */
export interface CriticalPathSegment {
  readonly span: TraceSpan;
  readonly startMs: number;
  readonly endMs: number;
  /** endMs - startMs, > 0. */
  readonly selfTimeMs: number;
}

/** Key `criticalPathShares` gives the root's own time when `keyOf(root)` is `undefined`. */
export const SELF_KEY = 'self';

/** A span being walked: its clamped interval and how far back the cursor has come. */
interface Frame<T> {
  readonly span: TraceSpan;
  readonly lowMs: number;
  readonly highMs: number;
  cursorMs: number;
  /** Children by end time, latest first; `next` is the first not yet examined. */
  readonly childrenByEnd: readonly TraceSpan[];
  next: number;
  readonly value: T;
}

function clamp(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

/**
 * The generic backwards walk. `valueOf` derives a per-span value from the
 * parent's (the attribution key, for shares); `emit` receives each piece of
 * self time, latest first.
 */
function walkCriticalPath<T>(
  tree: TraceTree,
  root: TraceSpan,
  rootValue: T,
  valueOf: (span: TraceSpan, parentValue: T) => T,
  emit: (span: TraceSpan, value: T, startMs: number, endMs: number) => void,
): void {
  const expanded = new Set<string>();
  const frameOf = (span: TraceSpan, lowMs: number, highMs: number, value: T): Frame<T> => {
    let childrenByEnd: readonly TraceSpan[] = [];
    if (!expanded.has(span.spanId)) {
      expanded.add(span.spanId);
      // Ties on the end go to the child that started first: it covers more of the interval.
      childrenByEnd = [...tree.childrenOf(span)].sort((a, b) => b.endTimeMs - a.endTimeMs || a.startTimeMs - b.startTimeMs);
    }
    return { span, lowMs, highMs, cursorMs: highMs, childrenByEnd, next: 0, value };
  };
  const rootLow = root.startTimeMs;
  const stack: Frame<T>[] = [frameOf(root, rootLow, Math.max(rootLow, root.endTimeMs), rootValue)];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    let picked: TraceSpan | undefined;
    let pickedLow = 0;
    let pickedHigh = 0;
    while (frame.next < frame.childrenByEnd.length) {
      const child = frame.childrenByEnd[frame.next++]!;
      const low = clamp(child.startTimeMs, frame.lowMs, frame.highMs);
      const high = clamp(child.endTimeMs, low, frame.highMs);
      // Sorted by raw end; after clamping, a child ending after the cursor is
      // skipped for good: the cursor only moves back.
      if (high <= frame.cursorMs) {
        picked = child;
        pickedLow = low;
        pickedHigh = high;
        break;
      }
    }
    if (picked === undefined) {
      if (frame.cursorMs > frame.lowMs) emit(frame.span, frame.value, frame.lowMs, frame.cursorMs);
      stack.pop();
      continue;
    }
    if (frame.cursorMs > pickedHigh) emit(frame.span, frame.value, pickedHigh, frame.cursorMs);
    frame.cursorMs = pickedLow;
    stack.push(frameOf(picked, pickedLow, pickedHigh, valueOf(picked, frame.value)));
  }
}

/**
 * The critical path under `root` (included) in chronological order, zero-length
 * pieces left out. A span appears once per uninterrupted piece of its own time
 * (before its first child on the path, between two of them, after the last);
 * adjacent pieces of one span are joined.
 */
export function criticalPath(tree: TraceTree, root: TraceSpan): CriticalPathSegment[] {
  const segments: CriticalPathSegment[] = [];
  walkCriticalPath<undefined>(tree, root, undefined, () => undefined, (span, _value, startMs, endMs) => {
    // Segments arrive latest first; a zero-length child on the path splits its
    // parent's time in two adjacent pieces, joined back here.
    const later = segments[segments.length - 1];
    if (later !== undefined && later.span === span && later.startMs === endMs) {
      segments[segments.length - 1] = { span, startMs, endMs: later.endMs, selfTimeMs: later.endMs - startMs };
    } else {
      segments.push({ span, startMs, endMs, selfTimeMs: endMs - startMs });
    }
  });
  return segments.reverse();
}

/**
 * Critical-path time under `root`, in milliseconds, summed by key: what the
 * `dominant_dependency` analyzer ranks. `keyOf(span)` names what a span's
 * time is charged to (`'db:postgresql SELECT …'`, `'http:GET api.example.com'`,
 * …) or returns `undefined` to charge it like its parent on the path: so a
 * downstream service's spans under an HTTP client span count for that
 * dependency, and INTERNAL spans of the service count as its own code. The
 * root's key is `keyOf(root) ?? SELF_KEY`.
 *
 * The values add up to the root's duration (clamped at 0), up to rounding.
 */
export function criticalPathShares(
  tree: TraceTree,
  root: TraceSpan,
  keyOf: (span: TraceSpan) => string | undefined,
): Map<string, number> {
  const shares = new Map<string, number>();
  walkCriticalPath<string>(
    tree,
    root,
    keyOf(root) ?? SELF_KEY,
    (span, parentKey) => keyOf(span) ?? parentKey,
    (_span, key, startMs, endMs) => {
      shares.set(key, (shares.get(key) ?? 0) + (endMs - startMs));
    },
  );
  return shares;
}
