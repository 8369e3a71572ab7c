/**
 * The 30 Mann–Whitney cases of Kayenta's ClassifierSuite.scala, extracted
 * verbatim into /work/shared/anchors/canary/kayenta_mannwhitney_cases.json
 * (see its MANIFEST.md). Each case's Scala constructor and `classify`
 * arguments and its asserts are kept as strings; they are parsed here into
 * our options, so the table is the only source of expectations.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyMannWhitney } from '../../../src/stats/mann-whitney/classify';
import type { MannWhitneyClassifierOptions, MetricDirection } from '../../../src/stats/mann-whitney/classify';

interface KayentaCase {
  readonly name: string;
  readonly control: number[];
  readonly experiment: number[];
  readonly classifier_args: string;
  readonly classify_args: string;
  readonly asserts: string[];
}

const REPO_ROOT = path.resolve(__dirname, '../../..');
const CASES_FILE = path.resolve(REPO_ROOT, '..', 'shared', 'anchors', 'canary', 'kayenta_mannwhitney_cases.json');
const present = existsSync(CASES_FILE);
if (!present) console.warn(`../shared/anchors/canary/kayenta_mannwhitney_cases.json not found (${CASES_FILE}): skipping the Kayenta classifier cases`);
const cases: KayentaCase[] = present ? (JSON.parse(readFileSync(CASES_FILE, 'utf8')) as { cases: KayentaCase[] }).cases : [];

/** `tolerance = 0.10, confLevel = 0.95, effectSizeThresholds = (0.8, 1.2), effectSizeMeasure="cles"` → options. */
function parseClassifierArgs(text: string): MannWhitneyClassifierOptions {
  const options: { -readonly [K in keyof MannWhitneyClassifierOptions]: MannWhitneyClassifierOptions[K] } = {};
  const argument = /(\w+)\s*=\s*(\([^)]*\)|"[^"]*"|[^,]+)/g;
  let consumed = 0;
  for (const match of text.matchAll(argument)) {
    const [whole, name, rawValue] = match as unknown as [string, string, string];
    consumed += whole.length;
    const value = rawValue.trim();
    const pair = (): [number, number] => {
      const parts = value.replace(/[()]/g, '').split(',').map(Number);
      expect(parts).toHaveLength(2);
      return [parts[0] as number, parts[1] as number];
    };
    switch (name) {
      case 'tolerance':
        options.tolerance = Number(value);
        break;
      case 'confLevel':
        options.confidenceLevel = Number(value);
        break;
      case 'effectSizeThresholds':
        options.effectSizeThresholds = pair();
        break;
      case 'criticalThresholds':
        options.criticalThresholds = pair();
        break;
      case 'effectSizeMeasure':
        expect(['"cles"', '"meanRatio"']).toContain(value);
        options.effectSizeMeasure = value === '"cles"' ? 'cles' : 'meanRatio';
        break;
      default:
        throw new Error(`unknown classifier argument ${name} in ${JSON.stringify(text)}`);
    }
  }
  // Every character but separators was understood.
  expect(text.replace(/[\s,]/g, '').length).toBeLessThanOrEqual(consumed);
  return options;
}

/** `controlMetric, experimentMetric, MetricDirection.Either, NaNStrategy.Remove, isCriticalMetric = true`. */
function parseClassifyArgs(text: string): { direction: MetricDirection; criticalMetric: boolean } {
  const parts = text.split(',').map((part) => part.trim());
  expect(parts.slice(0, 2)).toEqual(['controlMetric', 'experimentMetric']);
  const directions: Record<string, MetricDirection> = { Increase: 'increase', Decrease: 'decrease', Either: 'either' };
  let direction: MetricDirection | undefined;
  let criticalMetric = false;
  for (const part of parts.slice(2)) {
    const directionMatch = /^MetricDirection\.(\w+)$/.exec(part);
    if (directionMatch !== null) direction = directions[directionMatch[1] as string];
    else if (/^isCriticalMetric\s*=\s*true$/.test(part)) criticalMetric = true;
    // NaNStrategy only matters for NaN values and empty samples; these cases have neither.
    else if (!/^NaNStrategy\.(Remove|Replace)$/.test(part)) throw new Error(`unknown classify argument ${part}`);
  }
  if (direction === undefined) throw new Error(`no MetricDirection in ${text}`);
  return { direction, criticalMetric };
}

describe.skipIf(!present)('Kayenta ClassifierSuite: Mann-Whitney cases (../shared/anchors/canary)', () => {
  it('has the 30 cases the manifest announces', () => {
    expect(cases).toHaveLength(30);
  });

  for (const testCase of cases) {
    it(testCase.name, () => {
      expect(testCase.control.every(Number.isFinite) && testCase.experiment.every(Number.isFinite)).toBe(true);
      const { direction, criticalMetric } = parseClassifyArgs(testCase.classify_args);
      const options = { ...parseClassifierArgs(testCase.classifier_args), criticalMetric };
      const result = classifyMannWhitney(testCase.control, testCase.experiment, direction, options);
      expect(testCase.asserts.length).toBeGreaterThan(0);
      for (const assertion of testCase.asserts) {
        const label = /^result\.classification == (\w+)$/.exec(assertion);
        if (label !== null) expect(result.classification, assertion).toBe(label[1]);
        else if (assertion === 'result.critical') expect(result.critical, assertion).toBe(true);
        else if (assertion === '!result.critical') expect(result.critical, assertion).toBe(false);
        // Kayenta's "deviation" is the mean ratio.
        else if (assertion === 'result.deviation.isNaN') expect(result.meanRatio, assertion).toBeNaN();
        else if (assertion === 'result.deviation == 1.0') expect(result.meanRatio, assertion).toBe(1);
        else throw new Error(`unknown assertion ${assertion}`);
      }
      expect(result.controlCount).toBe(testCase.control.length);
      expect(result.experimentCount).toBe(testCase.experiment.length);
    });
  }
});
