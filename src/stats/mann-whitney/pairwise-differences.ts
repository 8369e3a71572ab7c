/**
 * Order statistics of the n·m pairwise differences `experiment[i] − control[j]`
 * without materializing them: both the Hodges–Lehmann estimate and the
 * bounds of the Wilcoxon rank-sum confidence interval are such order
 * statistics.
 *
 * Selection in a sorted matrix, after D. B. Johnson & T. Mizoguchi (1978),
 * "Selecting the Kth element in X + Y and X1 + X2 + … + Xm", SIAM J. Comput.
 * 7(2): with both samples sorted, row i (one experiment value) is ascending
 * when the control is read from its largest value down, and every column is
 * ascending too. Each round takes the weighted median of the row medians of
 * the remaining candidates as the pivot, counts the differences below and up
 * to it in every row with one monotone staircase walk, and keeps the side
 * holding the k-th. At least a quarter of the candidates go each round, so:
 *
 * Time: O((n log n + m) · log(n·m)); memory: about 32 bytes per experiment
 * value (four Int32Array, one Float64Array and the row order, of length n)
 * plus at most max(64, n + m) gathered candidates — never n·m.
 *
 * Floating point: fl(a − b) is monotone in a and in b, so the rows and columns
 * stay sorted after rounding and the counts are exact for the computed
 * differences.
 */

/** A sample sorted ascending, without NaN. */
export type SortedSample = Float64Array;

/**
 * The k-th smallest (1-based) of `experiment[i] − control[j]` over all pairs.
 * @param experiment sorted ascending, non-empty
 * @param control sorted ascending, non-empty
 */
export function kthSmallestPairwiseDifference(experiment: SortedSample, control: SortedSample, k: number): number {
  const rows = experiment.length;
  const columns = control.length;
  const total = rows * columns;
  if (!Number.isInteger(k) || k < 1 || k > total) {
    throw new RangeError(`k must be an integer in [1, ${total}], got ${k}`);
  }
  // Row i, column j holds experiment[i] − control[columns − 1 − j]: ascending along both.
  const at = (row: number, column: number): number => (experiment[row] as number) - (control[columns - 1 - column] as number);

  // Candidates of row i are the columns [first[i], end[i]); every difference left of
  // first[i] is ≤ every candidate, every difference from end[i] on is ≥ every candidate.
  const first = new Int32Array(rows);
  const end = new Int32Array(rows).fill(columns);
  const below = new Int32Array(rows);
  const notAbove = new Int32Array(rows);
  const rowMedian = new Float64Array(rows);
  // Gathering and sorting this many candidates costs about one selection round.
  const gatherLimit = Math.max(64, rows + columns);
  let candidates = total;
  let excludedBelow = 0;

  while (candidates > gatherLimit) {
    const pivot = weightedMedianOfRowMedians(first, end, rowMedian, at, candidates);
    let countBelow = 0;
    let countNotAbove = 0;
    // Staircase walks: as the row grows, its differences grow, so the boundary column only moves left.
    let column = columns;
    for (let row = 0; row < rows; row++) {
      while (column > 0 && at(row, column - 1) >= pivot) column--;
      below[row] = column;
      countBelow += column;
    }
    column = columns;
    for (let row = 0; row < rows; row++) {
      while (column > 0 && at(row, column - 1) > pivot) column--;
      notAbove[row] = column;
      countNotAbove += column;
    }
    if (k > countBelow && k <= countNotAbove) return pivot;
    candidates = 0;
    excludedBelow = 0;
    for (let row = 0; row < rows; row++) {
      const rowFirst = first[row] as number;
      const rowEnd = end[row] as number;
      if (k <= countBelow) {
        end[row] = Math.max(rowFirst, Math.min(rowEnd, below[row] as number));
      } else {
        first[row] = Math.min(rowEnd, Math.max(rowFirst, notAbove[row] as number));
      }
      candidates += (end[row] as number) - (first[row] as number);
      excludedBelow += first[row] as number;
    }
  }

  const remaining = new Float64Array(candidates);
  let filled = 0;
  for (let row = 0; row < rows; row++) {
    for (let column = first[row] as number; column < (end[row] as number); column++) remaining[filled++] = at(row, column);
  }
  remaining.sort();
  return remaining[k - excludedBelow - 1] as number;
}

/**
 * The pivot of one selection round: the median of each row's candidates,
 * then the median of those weighted by each row's candidate count. At least
 * half the candidates are in rows whose median is ≤ it, and half of those
 * are ≤ their row median, hence the quarter eliminated per round.
 */
function weightedMedianOfRowMedians(
  first: Int32Array,
  end: Int32Array,
  rowMedian: Float64Array,
  at: (row: number, column: number) => number,
  candidates: number,
): number {
  const activeRows: number[] = [];
  for (let row = 0; row < first.length; row++) {
    const rowFirst = first[row] as number;
    const rowEnd = end[row] as number;
    if (rowEnd > rowFirst) {
      rowMedian[row] = at(row, (rowFirst + rowEnd - 1) >> 1);
      activeRows.push(row);
    }
  }
  activeRows.sort((left, right) => (rowMedian[left] as number) - (rowMedian[right] as number));
  let weight = 0;
  for (const row of activeRows) {
    weight += (end[row] as number) - (first[row] as number);
    if (2 * weight >= candidates) return rowMedian[row] as number;
  }
  // Unreachable: the weights sum to `candidates`.
  return rowMedian[activeRows[activeRows.length - 1] as number] as number;
}

/**
 * The two-sample Hodges–Lehmann estimator of the shift experiment − control
 * (J. L. Hodges & E. L. Lehmann, 1963, "Estimates of location based on rank
 * tests", Ann. Math. Statist. 34): the median of all n·m pairwise
 * differences, the mean of the two middle ones when n·m is even.
 */
export function hodgesLehmannShift(experiment: SortedSample, control: SortedSample): number {
  const total = experiment.length * control.length;
  if (total % 2 === 1) return kthSmallestPairwiseDifference(experiment, control, (total + 1) / 2);
  const lowerMiddle = kthSmallestPairwiseDifference(experiment, control, total / 2);
  const upperMiddle = kthSmallestPairwiseDifference(experiment, control, total / 2 + 1);
  return lowerMiddle + (upperMiddle - lowerMiddle) / 2;
}
