/**
 * The Numenta Anomaly Benchmark's scoring rules, re-implemented from their
 * description (Lavin & Ahmad, "Evaluating Real-time Anomaly Detection
 * Algorithms — the Numenta Anomaly Benchmark", ICMLA 2015, and the NAB
 * repository's scorer/sweeper as of v1.1). Pure functions over indices and
 * numbers: no files, no clocks.
 *
 * The rules, as implemented here:
 * - Each file has labelled anomaly windows (index ranges). A point is a
 *   detection when its anomaly score is ≥ the threshold.
 * - The first `probationaryLength(n)` = min(⌊0.15 n⌋, 750) points of a file
 *   are the probationary period: they are never scored, neither as
 *   detections nor as parts of windows.
 * - A detection at index i inside a window [s, e] (width w = e − s + 1) is
 *   worth A_tp · σ(−(e − i + 1) / w) / σ(−1), where σ is the scaled sigmoid
 *   σ(y) = 2 / (1 + e^{5y}) − 1 (−1 for y > 3). The earliest point of the
 *   window is worth exactly A_tp; the last about 0. Only the best (i.e. the
 *   earliest) detection of a window counts; a window with none costs −A_fn.
 * - A detection outside every window is a false positive worth A_fp · σ(y)
 *   (negative), y = |i − e_prev| / (w_prev − 1) measured from the end of the
 *   preceding window; with no preceding window it is worth −A_fp. Every such
 *   point counts.
 * - The threshold is one number for the whole corpus, chosen per profile to
 *   maximise the summed raw score over every distinct score value.
 * - The normalised score is 100 · (S − S_null) / (S_perfect − S_null), where
 *   S_null is the null detector's best raw score (no detection: −A_fn per
 *   window) and S_perfect = A_tp × (number of windows).
 */

/** A profile's cost matrix (NAB `config/profiles.json`). */
export interface CostMatrix {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}

/** One labelled window as inclusive point indices into its file. */
export interface IndexWindow {
  readonly start: number;
  readonly end: number;
}

/** NAB's probationary share of each file. */
export const PROBATIONARY_PERCENT = 0.15;

/** NAB caps the probationary period at 15 % of 5 000 points. */
const PROBATION_CAP_POINTS = 5000;

/** NAB's scaled sigmoid: 2·sigmoid(−5y) − 1, and −1 beyond y = 3. */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3) return -1;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1;
}

/** Points at the start of a file of `length` points that are never scored. */
export function probationaryLength(length: number): number {
  return Math.min(Math.floor(PROBATIONARY_PERCENT * length), PROBATIONARY_PERCENT * PROBATION_CAP_POINTS);
}

/** What a detection at one point would be worth, before any threshold. */
export interface ScoredPoint {
  /** -1 outside windows and for probationary points; otherwise the window's corpus-wide id. */
  readonly window: number;
  /** Whether the point is in the probationary period (ignored by scoring). */
  readonly probationary: boolean;
  /** The (weighted) value of a detection here: ≥ 0 inside a window, ≤ 0 outside. */
  readonly value: number;
}

/**
 * Labels the points of one file: for each point, the window it belongs to and
 * what a detection there is worth under `cost`. `windowIdBase` makes window
 * ids unique across files.
 *
 * @param windows sorted, disjoint, inside [0, length).
 */
export function labelFile(length: number, windows: readonly IndexWindow[], cost: CostMatrix, windowIdBase: number): ScoredPoint[] {
  const probation = probationaryLength(length);
  const maxTp = scaledSigmoid(-1);
  const points: ScoredPoint[] = new Array<ScoredPoint>(length);
  let next = 0;
  let prevEnd = -1;
  let prevWidth = 0;
  for (let i = 0; i < length; i++) {
    const w = windows[next];
    const inside = w !== undefined && i >= w.start && i <= w.end;
    let value: number;
    if (inside) {
      const width = w.end - w.start + 1;
      value = (scaledSigmoid(-(w.end - i + 1) / width) * cost.tpWeight) / maxTp;
    } else if (prevEnd < 0) {
      value = -cost.fpWeight;
    } else {
      value = scaledSigmoid(Math.abs(prevEnd - i) / (prevWidth - 1)) * cost.fpWeight;
    }
    const probationary = i < probation;
    points[i] = { window: inside && !probationary ? windowIdBase + next : -1, probationary, value };
    if (inside && i === w.end) {
      prevEnd = w.end;
      prevWidth = w.end - w.start + 1;
      next++;
    }
  }
  return points;
}

/** Counts of scorable points at one threshold (NAB's TP/TN/FP/FN are per point). */
export interface PointCounts {
  tp: number;
  tn: number;
  fp: number;
  fn: number;
}

/** The raw score of a set of files at one threshold. */
export interface ThresholdScore {
  readonly threshold: number;
  readonly score: number;
  /** Windows with at least one detection. */
  readonly detectedWindows: number;
  readonly counts: Readonly<PointCounts>;
}

/** One file ready for scoring: its anomaly scores and labelled points, same length. */
export interface ScorableFile {
  readonly scores: ArrayLike<number>;
  readonly points: readonly ScoredPoint[];
}

/**
 * Every distinct threshold and its summed raw score over `files`, from the
 * highest threshold down. The first entry is the threshold above every score
 * (no detection at all). A point is a detection at threshold T when its score
 * is ≥ T, so the entry for T counts every point scoring ≥ T.
 *
 * O(P log P) for P scorable points: one sort, then one pass in which each
 * window keeps its best detection so far.
 */
export function sweepThresholds(files: readonly ScorableFile[], cost: CostMatrix): ThresholdScore[] {
  const scoreList: number[] = [];
  const valueList: number[] = [];
  const windowList: number[] = [];
  let windowCount = 0;
  const windowIds = new Set<number>();
  for (const file of files) {
    if (file.scores.length !== file.points.length) throw new RangeError('scores and points differ in length');
    for (let i = 0; i < file.points.length; i++) {
      const p = file.points[i];
      if (p === undefined || p.probationary) continue;
      scoreList.push(Number(file.scores[i]));
      valueList.push(p.value);
      windowList.push(p.window);
      if (p.window >= 0 && !windowIds.has(p.window)) {
        windowIds.add(p.window);
        windowCount++;
      }
    }
  }
  const order = Array.from(scoreList.keys()).sort((a, b) => (scoreList[b] ?? 0) - (scoreList[a] ?? 0));
  const best = new Map<number, number>();
  let windowPart = -cost.fnWeight * windowCount;
  let fpPart = 0;
  const counts: PointCounts = { tp: 0, tn: 0, fp: 0, fn: 0 };
  for (const w of windowList) {
    if (w >= 0) counts.fn++;
    else counts.tn++;
  }
  const out: ThresholdScore[] = [];
  const firstScore = order.length > 0 ? (scoreList[order[0] ?? 0] ?? 0) : 0;
  let threshold = Math.max(1.1, firstScore + 1);
  for (let k = 0; k < order.length; k++) {
    const idx = order[k] ?? 0;
    const s = scoreList[idx] ?? 0;
    if (s !== threshold) {
      out.push({ threshold, score: windowPart + fpPart, detectedWindows: best.size, counts: { ...counts } });
      threshold = s;
    }
    const w = windowList[idx] ?? -1;
    const v = valueList[idx] ?? 0;
    if (w >= 0) {
      counts.tp++;
      counts.fn--;
      const prev = best.get(w);
      if (prev === undefined) {
        windowPart += cost.fnWeight + v;
        best.set(w, v);
      } else if (v > prev) {
        windowPart += v - prev;
        best.set(w, v);
      }
    } else {
      counts.fp++;
      counts.tn--;
      fpPart += v;
    }
  }
  out.push({ threshold, score: windowPart + fpPart, detectedWindows: best.size, counts: { ...counts } });
  return out;
}

/** The entry of a sweep with the highest score (the highest threshold among ties). */
export function bestThreshold(sweep: readonly ThresholdScore[]): ThresholdScore {
  let best: ThresholdScore | undefined;
  for (const entry of sweep) {
    if (best === undefined || entry.score > best.score) best = entry;
  }
  if (best === undefined) throw new RangeError('empty sweep');
  return best;
}

/** The raw score of `files` when every point scoring ≥ `threshold` is a detection. */
export function scoreAtThreshold(files: readonly ScorableFile[], cost: CostMatrix, threshold: number): ThresholdScore {
  let score = 0;
  let detectedWindows = 0;
  const counts: PointCounts = { tp: 0, tn: 0, fp: 0, fn: 0 };
  for (const file of files) {
    const best = new Map<number, number>();
    for (let i = 0; i < file.points.length; i++) {
      const p = file.points[i];
      if (p === undefined || p.probationary) continue;
      const detected = Number(file.scores[i]) >= threshold;
      if (p.window >= 0) {
        if (!best.has(p.window)) best.set(p.window, -cost.fnWeight);
        if (detected) {
          counts.tp++;
          best.set(p.window, Math.max(best.get(p.window) ?? -cost.fnWeight, p.value));
        } else {
          counts.fn++;
        }
      } else if (detected) {
        counts.fp++;
        score += p.value;
      } else {
        counts.tn++;
      }
    }
    for (const v of best.values()) {
      score += v;
      if (v > -cost.fnWeight) detectedWindows++;
    }
  }
  return { threshold, score, detectedWindows, counts };
}

/** NAB's normalisation: null detector → 0, perfect detector → 100. */
export function normalizeScore(raw: number, nullRaw: number, perfectRaw: number): number {
  return (100 * (raw - nullRaw)) / (perfectRaw - nullRaw);
}

/** The raw score of a detector that never fires: −A_fn for each scorable window. */
export function nullDetectorScore(files: readonly ScorableFile[], cost: CostMatrix): number {
  return bestThreshold(sweepThresholds(files.map((f) => ({ points: f.points, scores: new Float64Array(f.points.length) })), cost)).score;
}

/**
 * NAB's perfect raw score: A_tp for every window of the corpus (a detection
 * at each window's first point and nowhere else), as NAB's normaliser counts
 * it from the label file.
 */
export function perfectDetectorScore(windowCount: number, cost: CostMatrix): number {
  return windowCount * cost.tpWeight;
}
