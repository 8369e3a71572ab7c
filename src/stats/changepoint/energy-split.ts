import type { Segment } from './segment';

/** Where the divisive search would cut next, and how dissimilar the two sides are. */
export interface SplitCandidate {
  /** First point of the right-hand side. */
  readonly index: number;
  /** The maximized energy divergence Q̂ (larger = sides more different). */
  readonly qhat: number;
}

/**
 * The best split of one segment by the E-Divisive criterion of Matteson &
 * James, "A Nonparametric Approach for Multiple Change Point Analysis of
 * Multivariate Data" (JASA 2014), with distance exponent α = 1, as Otava
 * (ex DataStax Hunter) uses it.
 *
 * For a segment starting at s, every τ and κ with s < τ < κ ≤ stop define
 * X = z[s, τ) (n points) and Y = z[τ, κ) (m points), and
 *
 *   Q̂(τ, κ) = 2/(n+m) Σᵢⱼ|Xᵢ − Yⱼ|
 *            − 2m/((n+m)(n−1)) Σ_{i<k}|Xᵢ − X_k|
 *            − 2n/((n+m)(m−1)) Σ_{j<k}|Yⱼ − Y_k|
 *
 * (= nm/(n+m) times the sample energy distance; a within-side term whose
 * divisor n−1 or m−1 is 0 counts as 0). The candidate is the τ of the
 * maximizing pair. Ties go to the smallest τ, then the smallest κ, the order
 * in which Otava's argmax scans its Q̂ matrix.
 *
 * Cost: O(L²) time and two Float64Arrays of L entries (16·L bytes) for a
 * segment of L points: the pair sums are kept as running totals, where a
 * direct evaluation of every (τ, κ) would take O(L³) or an L×L matrix.
 *
 * @returns undefined for a segment of fewer than two points.
 */
export function bestEnergySplit(values: ArrayLike<number>, segment: Segment): SplitCandidate | undefined {
  const { start, stop } = segment;
  const length = stop - start;
  if (length < 2) return undefined;
  // toEarlier[k] = Σ_{i ∈ [start, start+k)} |z_i − z_{start+k}|: distances from a point to all points before it.
  const toEarlier = new Float64Array(length);
  for (let k = 1; k < length; k++) {
    const value = values[start + k] as number;
    let sum = 0;
    for (let i = start; i < start + k; i++) sum += Math.abs((values[i] as number) - value);
    toEarlier[k] = sum;
  }
  // toLeft[k] = Σ_{i ∈ [start, τ)} |z_i − z_{start+k}| for the current τ (only k ≥ τ−start is read).
  const toLeft = new Float64Array(length);
  let withinLeft = 0;
  let bestIndex = -1;
  let bestQ = -Infinity;
  for (let tau = start + 1; tau < stop; tau++) {
    const joinedLeft = tau - 1 - start;
    const joinedValue = values[tau - 1] as number;
    withinLeft += toEarlier[joinedLeft] as number;
    for (let k = joinedLeft + 1; k < length; k++) toLeft[k] = (toLeft[k] as number) + Math.abs(joinedValue - (values[start + k] as number));
    const n = tau - start;
    const leftCoefficient = n > 1 ? 2 / (n - 1) : 0;
    let between = 0;
    let withinRight = 0;
    for (let kappa = tau + 1; kappa <= stop; kappa++) {
      const joinedRight = kappa - 1 - start;
      const fromLeft = toLeft[joinedRight] as number;
      between += fromLeft;
      withinRight += (toEarlier[joinedRight] as number) - fromLeft;
      const m = kappa - tau;
      const total = n + m;
      const q = (2 * between - m * leftCoefficient * withinLeft - (m > 1 ? (2 * n * withinRight) / (m - 1) : 0)) / total;
      if (q > bestQ) {
        bestQ = q;
        bestIndex = tau;
      }
    }
  }
  return { index: bestIndex, qhat: bestQ };
}

/**
 * The strongest candidate over all segments (Otava's "next candidate"): each
 * segment of two or more points proposes its best split, and the highest Q̂
 * wins, the earliest segment on ties.
 */
export function bestEnergySplitAcross(values: ArrayLike<number>, segments: readonly Segment[]): SplitCandidate | undefined {
  let best: SplitCandidate | undefined;
  for (const segment of segments) {
    const candidate = bestEnergySplit(values, segment);
    if (candidate !== undefined && (best === undefined || candidate.qhat > best.qhat)) best = candidate;
  }
  return best;
}
