import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectChangePoints } from '../../../src/stats/changepoint/detect-change-points';
import { toChangePoint } from '../../../src/stats/changepoint/change-point';
import type { ChangePoint } from '../../../src/stats/changepoint/change-point';
import { divisiveChangePoints } from '../../../src/stats/changepoint/divisive-detector';
import { permutationSignificance } from '../../../src/stats/changepoint/permutation-significance';
import { tTestSignificance } from '../../../src/stats/changepoint/t-test-significance';
import { numpyDefaultRng } from './numpy-pcg64';

/**
 * The 21 cases of Apache Otava's own tests, re-run against otava.analysis and
 * stored in the shared anchors (see MANIFEST.md there): every case must give
 * exactly Otava's change point indexes, and Otava's means and p-values where
 * they were recorded.
 */
const REPO_ROOT = path.resolve(__dirname, '../../..');
const FIXTURES_PATH = path.resolve(REPO_ROOT, '..', 'shared', 'anchors', 'changepoint', 'otava_fixtures.json');
const present = existsSync(FIXTURES_PATH);
if (!present) console.warn(`${FIXTURES_PATH} not found: skipping the Otava change point fixtures`);

interface ObservedStat {
  readonly index: number;
  readonly mean_before: number;
  readonly mean_after: number;
  readonly pvalue: number;
  readonly forward_change_percent: number;
}

interface FixtureCase {
  readonly name: string;
  readonly series: string;
  readonly params: { readonly window_len?: number; readonly max_pvalue: number; readonly min_magnitude?: number; readonly seed?: number };
  readonly algorithm?: string;
  readonly expected_indexes?: readonly number[];
  readonly expected_first_index?: number;
  readonly expected_count?: number;
  readonly observed_indexes?: readonly number[];
  readonly observed_stats?: readonly ObservedStat[];
}

interface Fixtures {
  readonly series: Record<string, readonly number[]>;
  readonly cases: readonly FixtureCase[];
}

const fixtures: Fixtures = present ? (JSON.parse(readFileSync(FIXTURES_PATH, 'utf8')) as Fixtures) : { series: {}, cases: [] };

/** Runs a case the way its `algorithm` field says Otava ran it. */
function runCase(testCase: FixtureCase, values: readonly number[]): ChangePoint[] {
  const algorithm = testCase.algorithm ?? '';
  if (algorithm.startsWith('ChangePointDetector(TTestSignificanceTester')) {
    return divisiveChangePoints(values, { significance: tTestSignificance, maxPValue: testCase.params.max_pvalue }).map(toChangePoint);
  }
  if (algorithm.startsWith('ChangePointDetector(PermutationsSignificanceTester') || algorithm.startsWith('compute_change_points_orig')) {
    // Otava shuffles with numpy's default_rng(seed); the helper draws the same integers.
    const generator = numpyDefaultRng(testCase.params.seed ?? 1);
    const significance = permutationSignificance({ permutations: 100, randomIndex: (max) => generator.interval(max) });
    return divisiveChangePoints(values, { significance, maxPValue: testCase.params.max_pvalue }).map(toChangePoint);
  }
  return detectChangePoints(values, {
    windowLength: testCase.params.window_len ?? 50,
    maxPValue: testCase.params.max_pvalue,
    minMagnitude: testCase.params.min_magnitude ?? 0,
  });
}

function expectClose(actual: number, expected: number, relative: number, absolute: number, what: string): void {
  const tolerance = Math.max(absolute, relative * Math.abs(expected));
  expect(Math.abs(actual - expected), `${what}: got ${actual}, expected ${expected}`).toBeLessThanOrEqual(tolerance);
}

describe.skipIf(!present)('Otava change point fixtures', () => {
  it('holds the 21 cases', () => {
    expect(fixtures.cases).toHaveLength(21);
  });

  it.each(fixtures.cases.map((testCase, i) => [`#${i} ${testCase.name} (${testCase.series})`, testCase] as const))('%s', (_label, testCase) => {
    const values = fixtures.series[testCase.series];
    expect(values, `series ${testCase.series}`).toBeDefined();
    const found = runCase(testCase, values ?? []);
    const indexes = found.map((point) => point.index);
    if (testCase.expected_indexes !== undefined) {
      expect(indexes).toEqual(testCase.expected_indexes);
    } else {
      expect(indexes).toHaveLength(testCase.expected_count ?? -1);
      expect(indexes[0]).toBe(testCase.expected_first_index);
      expect(indexes).toEqual(testCase.observed_indexes);
    }
    for (const observed of testCase.observed_stats ?? []) {
      const point = found.find((candidate) => candidate.index === observed.index);
      expect(point, `change point ${observed.index}`).toBeDefined();
      if (point === undefined) continue;
      // The fixture rounds means to 6 decimals and percentages to 3.
      expectClose(point.meanBefore, observed.mean_before, 1e-4, 1e-6, `mean before ${observed.index}`);
      expectClose(point.meanAfter, observed.mean_after, 1e-4, 1e-6, `mean after ${observed.index}`);
      expectClose(point.forwardChangePercent, observed.forward_change_percent, 1e-4, 1e-3, `change % ${observed.index}`);
      expectClose(point.pValue, observed.pvalue, 1e-6, 1e-300, `p-value ${observed.index}`);
    }
  });
});
