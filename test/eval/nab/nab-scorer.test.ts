import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countLabelledWindows, loadNabCorpus, loadProfiles, parseNabTimestamp, windowsToIndices } from '../../../eval/nab/nab-corpus';
import { evaluateNab } from '../../../eval/nab/evaluate-nab';
import type { CostMatrix, ScorableFile } from '../../../eval/nab/nab-scorer';
import {
  bestThreshold,
  labelFile,
  normalizeScore,
  nullDetectorScore,
  perfectDetectorScore,
  probationaryLength,
  scaledSigmoid,
  scoreAtThreshold,
  sweepThresholds,
} from '../../../eval/nab/nab-scorer';

const STANDARD: CostMatrix = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
const LOW_FN: CostMatrix = { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 };

/** σ(y) = 2 / (1 + e^{5y}) − 1, written out for the hand computations below. */
function sigma(y: number): number {
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/** One file of 100 points, probation 15, one window [40, 49]; detections at the given indices. */
function oneFile(detections: readonly number[], cost: CostMatrix = STANDARD): ScorableFile {
  const scores = new Float64Array(100);
  for (const i of detections) scores[i] = 1;
  return { scores, points: labelFile(100, [{ start: 40, end: 49 }], cost, 0) };
}

describe('scaled sigmoid and probation', () => {
  it('matches the values NAB documents', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3.01)).toBe(-1);
  });

  it('is 15 % of the file, capped at 750 points', () => {
    expect(probationaryLength(100)).toBe(15);
    expect(probationaryLength(4032)).toBe(604);
    expect(probationaryLength(22695)).toBe(750);
  });
});

describe('one file, scored by hand', () => {
  it('a detection at the first point of the window is worth exactly A_tp', () => {
    expect(scoreAtThreshold([oneFile([40])], STANDARD, 0.5).score).toBeCloseTo(1, 12);
  });

  it('a detection in the middle of the window is worth σ(−0.5) / σ(−1)', () => {
    // Position −(49 − 45 + 1) / 10 = −0.5.
    expect(scoreAtThreshold([oneFile([45])], STANDARD, 0.5).score).toBeCloseTo(sigma(-0.5) / sigma(-1), 12);
    expect(sigma(-0.5) / sigma(-1)).toBeCloseTo(0.859793, 6);
  });

  it('only the earliest detection of a window counts', () => {
    expect(scoreAtThreshold([oneFile([40, 45, 49])], STANDARD, 0.5).score).toBeCloseTo(1, 12);
  });

  it('a true positive at the window start plus a false positive 11 points after the window', () => {
    // FP at 60: position |49 − 60| / (10 − 1) = 11/9; worth 0.11 · σ(11/9) ≈ −0.109513.
    const expected = 1 + 0.11 * sigma(11 / 9);
    expect(expected).toBeCloseTo(0.890487, 5);
    const r = scoreAtThreshold([oneFile([40, 60])], STANDARD, 0.5);
    expect(r.score).toBeCloseTo(expected, 12);
    expect(r.counts).toEqual({ tp: 1, fp: 1, fn: 9, tn: 74 });
  });

  it('a missed window and a false positive before any window: −A_fn − A_fp', () => {
    expect(scoreAtThreshold([oneFile([20])], STANDARD, 0.5).score).toBeCloseTo(-1.11, 12);
    expect(scoreAtThreshold([oneFile([20], LOW_FN)], LOW_FN, 0.5).score).toBeCloseTo(-2.11, 12);
  });

  it('ignores detections in the probationary period', () => {
    expect(scoreAtThreshold([oneFile([3, 40])], STANDARD, 0.5).score).toBeCloseTo(1, 12);
  });

  it('a false positive far after the window costs the full A_fp', () => {
    // |49 − 99| / 9 = 5.6 > 3: σ = −1.
    expect(scoreAtThreshold([oneFile([99])], STANDARD, 0.5).score).toBeCloseTo(-1.11, 12);
  });
});

describe('threshold sweep', () => {
  it('agrees with scoring at each threshold and picks the best', () => {
    const scores = new Float64Array(100);
    scores[20] = 0.9; // FP before the window
    scores[45] = 0.7; // TP mid-window
    scores[60] = 0.5; // FP after the window
    const file: ScorableFile = { scores, points: labelFile(100, [{ start: 40, end: 49 }], STANDARD, 0) };
    const sweep = sweepThresholds([file], STANDARD);
    for (const entry of sweep) expect(entry.score).toBeCloseTo(scoreAtThreshold([file], STANDARD, entry.threshold).score, 12);
    expect(sweep.map((e) => e.threshold)).toEqual([1.9, 0.9, 0.7, 0.5, 0]);
    const best = bestThreshold(sweep);
    expect(best.threshold).toBe(0.7);
    expect(best.score).toBeCloseTo(-0.11 + sigma(-0.5) / sigma(-1), 12);
    expect(best.detectedWindows).toBe(1);
  });

  it('scores the null detector at −A_fn per window and normalises it to 0, the perfect one to 100', () => {
    const files = [oneFile([]), oneFile([])];
    const two: ScorableFile[] = files.map((f, k) => ({ scores: f.scores, points: labelFile(100, [{ start: 40, end: 49 }], STANDARD, k) }));
    const nullRaw = nullDetectorScore(two, STANDARD);
    expect(nullRaw).toBe(-2);
    const perfect: ScorableFile[] = two.map((f) => {
      const s = new Float64Array(100);
      s[40] = 1;
      return { scores: s, points: f.points };
    });
    const best = bestThreshold(sweepThresholds(perfect, STANDARD));
    expect(normalizeScore(best.score, nullRaw, perfectDetectorScore(2, STANDARD))).toBeCloseTo(100, 10);
    expect(normalizeScore(nullRaw, nullRaw, 2)).toBe(0);
  });
});

describe('timestamps', () => {
  it('reads NAB timestamps as UTC and snaps windows to data points', () => {
    expect(parseNabTimestamp('2014-04-10 07:15:00')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseNabTimestamp('2014-04-10 07:15:00.000000')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    const times = Float64Array.from([0, 1, 2, 3, 4].map((m) => Date.UTC(2014, 3, 10, 7, 15 + 5 * m)));
    expect(windowsToIndices(times, [['2014-04-10 07:20:00.000000', '2014-04-10 07:30:00.000000']])).toEqual([{ start: 1, end: 3 }]);
  });
});

const nabDir = path.resolve(__dirname, '../../../..', 'shared', 'anchors', 'nab');
const haveNab = existsSync(path.join(nabDir, 'labels', 'combined_windows.json'));
if (!haveNab) console.warn(`../shared/anchors/nab not found at ${nabDir}: skipping the NAB corpus scoring tests`);

describe.skipIf(!haveNab)('on the NAB corpus', () => {
  it('scores the null detector 0 and the perfect detector 100 on every profile', () => {
    const files = loadNabCorpus(nabDir);
    expect(files).toHaveLength(58);
    const windows = countLabelledWindows(nabDir);
    expect(windows).toBe(116);
    const profiles = loadProfiles(nabDir);
    const zeros = new Map(files.map((f) => [f.key, new Float64Array(f.values.length)]));
    const perfect = new Map(
      files.map((f) => {
        const s = new Float64Array(f.values.length);
        for (const w of f.windows) s[w.start] = 1;
        return [f.key, s];
      }),
    );
    for (const r of evaluateNab(files, zeros, profiles, windows)) expect(r.normalized).toBe(0);
    for (const r of evaluateNab(files, perfect, profiles, windows)) expect(r.normalized).toBeCloseTo(100, 10);
    // Every window lies after its file's probationary period, so the null raw score is −A_fn × 116.
    for (const r of evaluateNab(files, zeros, profiles, windows)) expect(r.nullRaw).toBe(-116 * (profiles[r.profile]?.fnWeight ?? 0));
  });

  it('normalises the published raw totals to the published scores', () => {
    // results/<detector>/<detector>_<profile>_scores.csv end with the corpus raw total at the chosen threshold.
    const published = JSON.parse(readFileSync(path.join(nabDir, 'results', 'final_results.json'), 'utf8')) as Record<string, Record<string, number>>;
    const profiles = loadProfiles(nabDir);
    for (const detector of ['twitterADVec', 'numenta', 'windowedGaussian']) {
      for (const [profile, cost] of Object.entries(profiles)) {
        const csv = readFileSync(path.join(nabDir, 'results', detector, `${detector}_${profile}_scores.csv`), 'utf8').trim().split('\n');
        const totals = (csv[csv.length - 1] ?? '').split(',');
        const raw = Number(totals[4]);
        const normalized = normalizeScore(raw, -116 * cost.fnWeight, perfectDetectorScore(116, cost));
        expect(normalized).toBeCloseTo(published[detector]?.[profile] ?? Number.NaN, 6);
      }
    }
  });
});
