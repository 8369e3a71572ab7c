/**
 * A half-open run of consecutive points `[start, stop)` of a series: the
 * pieces that change points cut a series into.
 */
export interface Segment {
  readonly start: number;
  readonly stop: number;
}

/** The two runs a change point at `index` separates: before it and from it on. */
export interface SegmentSides {
  readonly before: Segment;
  readonly after: Segment;
}

/**
 * The segments that the sorted, distinct change point indexes cut
 * `[0, length)` into: `[0, c₁), [c₁, c₂), …, [c_k, length)`. Empty runs
 * (a change point at 0 or at `length`) are left out.
 */
export function segmentsBetween(sortedIndexes: readonly number[], length: number): Segment[] {
  const segments: Segment[] = [];
  let start = 0;
  for (const index of sortedIndexes) {
    if (index !== start) segments.push({ start, stop: index });
    start = index;
  }
  if (start !== length) segments.push({ start, stop: length });
  return segments;
}

/**
 * The sides of a change point at `index` given the current segments. Two
 * cases, as in Otava's significance tester:
 * - `index` is an existing boundary (it ends one segment): the sides are the
 *   whole segments on either side of it (the merge step re-tests a change
 *   point against its neighbours this way);
 * - `index` lies strictly inside a segment: that segment is split there (a
 *   new candidate of the divisive search).
 * Segments are scanned in order and the first match wins.
 * @throws RangeError when `index` is neither.
 */
export function sidesAt(index: number, segments: readonly Segment[]): SegmentSides {
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as Segment;
    if (segment.stop === index) {
      const next = segments[i + 1];
      if (next === undefined) break;
      return { before: segment, after: next };
    }
    if (segment.start < index && index < segment.stop) {
      return { before: { start: segment.start, stop: index }, after: { start: index, stop: segment.stop } };
    }
  }
  throw new RangeError(`change point ${index} is neither inside nor between the segments`);
}
