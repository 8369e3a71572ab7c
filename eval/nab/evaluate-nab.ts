import type { NabFile, Profiles } from './nab-corpus';
import type { CostMatrix, ScorableFile, ThresholdScore } from './nab-scorer';
import { bestThreshold, labelFile, normalizeScore, nullDetectorScore, perfectDetectorScore, scoreAtThreshold, sweepThresholds } from './nab-scorer';

/** A detector's result on one profile. */
export interface ProfileResult {
  readonly profile: string;
  /** The corpus-wide threshold that maximises the raw score. */
  readonly threshold: number;
  readonly raw: number;
  readonly nullRaw: number;
  readonly perfectRaw: number;
  /** 100 · (raw − null) / (perfect − null). */
  readonly normalized: number;
  readonly best: ThresholdScore;
  /** Raw score of each file at the chosen threshold, by file key. */
  readonly perFile: ReadonlyMap<string, number>;
}

/**
 * Scores a detector's per-file anomaly scores on every profile: labels the
 * points, sweeps the threshold over the whole corpus, keeps the best, and
 * normalises against the null and the perfect detector.
 *
 * @param scores anomaly scores per file key, same lengths as the files
 * @param labelledWindows windows in the label file (the perfect detector's score counts them all)
 */
export function evaluateNab(
  files: readonly NabFile[],
  scores: ReadonlyMap<string, ArrayLike<number>>,
  profiles: Profiles,
  labelledWindows: number,
): ProfileResult[] {
  const results: ProfileResult[] = [];
  for (const [profile, cost] of Object.entries(profiles)) {
    const scorable = scorableFiles(files, scores, cost);
    const best = bestThreshold(sweepThresholds(scorable, cost));
    const nullRaw = nullDetectorScore(scorable, cost);
    const perfectRaw = perfectDetectorScore(labelledWindows, cost);
    const perFile = new Map<string, number>();
    files.forEach((file, i) => {
      const one = scorable[i];
      if (one !== undefined) perFile.set(file.key, scoreAtThreshold([one], cost, best.threshold).score);
    });
    results.push({
      profile,
      threshold: best.threshold,
      raw: best.score,
      nullRaw,
      perfectRaw,
      normalized: normalizeScore(best.score, nullRaw, perfectRaw),
      best,
      perFile,
    });
  }
  return results;
}

/** Labels every file under one cost matrix, with unique window ids across files. */
export function scorableFiles(files: readonly NabFile[], scores: ReadonlyMap<string, ArrayLike<number>>, cost: CostMatrix): ScorableFile[] {
  let windowBase = 0;
  return files.map((file) => {
    const s = scores.get(file.key);
    if (s === undefined) throw new Error(`no scores for ${file.key}`);
    const points = labelFile(file.values.length, file.windows, cost, windowBase);
    windowBase += file.windows.length;
    return { scores: s, points };
  });
}
