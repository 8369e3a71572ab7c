import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { generateRuleGroups } from '../../src/rules/generate-slo-rules';
import type { GenerateRulesOptions } from '../../src/rules/generate-slo-rules';
import { parseOpensloV1alpha } from '../../src/rules/openslo-v1alpha';
import { renderRuleFile } from '../../src/rules/render-rule-file';
import type { RuleSlo } from '../../src/rules/rule-model';
import { parseSlothAlertWindows } from '../../src/rules/sloth-alert-windows';
import { parseSlothSpec } from '../../src/rules/sloth-spec';
import { DAY_MS } from '../../src/slo/durations';

const REPO_ROOT = path.resolve(__dirname, '../..');
const SLOTH = path.resolve(REPO_ROOT, '..', 'shared', 'anchors', 'sloth');
const slothPresent = existsSync(path.join(SLOTH, 'MANIFEST.md'));
if (!slothPresent) console.warn(`${SLOTH} not found: skipping the Sloth parity tests (they run in CI, where ../shared exists)`);

const VERSION = 'parity-test';

interface Fixture {
  readonly dir: string;
  readonly input: string;
  readonly expected: string;
  readonly options: GenerateRulesOptions;
  readonly slos: (text: string) => RuleSlo[];
}

const read = (...parts: string[]): string => readFileSync(path.join(SLOTH, ...parts), 'utf8');

/** How upstream generated each expected file (see the fixtures' MANIFEST.md). */
const FIXTURES: readonly Fixture[] = [
  { dir: '01-getting-started', input: 'input.yml', expected: 'expected.yml', options: { version: 'dev', extraLabels: { cmd: 'examplesgen.sh' } }, slos: (t) => parseSlothSpec(t) },
  { dir: '02-base-30d', input: 'input.yaml', expected: 'expected.yaml.tpl', options: { version: VERSION }, slos: (t) => parseSlothSpec(t) },
  { dir: '03-base-28d', input: 'input.yaml', expected: 'expected.yaml.tpl', options: { version: VERSION }, slos: (t) => parseSlothSpec(t, { periodMs: 28 * DAY_MS }) },
  {
    dir: '04-base-custom-7d',
    input: 'input.yaml',
    expected: 'expected.yaml.tpl',
    options: { version: VERSION },
    slos: (t) => parseSlothSpec(t, { periodMs: 7 * DAY_MS, alertWindows: [parseSlothAlertWindows(read('04-base-custom-7d', 'windows-7d.yaml'))] }),
  },
  { dir: '05-openslo-v1alpha', input: 'input.yaml', expected: 'expected.yaml.tpl', options: { version: VERSION }, slos: (t) => parseOpensloV1alpha(t) },
  { dir: '06-raw-sli', input: 'input.yml', expected: 'expected.yml', options: { version: 'dev', extraLabels: { cmd: 'examplesgen.sh' } }, slos: (t) => parseSlothSpec(t) },
];

interface ParsedRule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface ParsedFile {
  groups: { name: string; rules: ParsedRule[] }[];
}

/** Sloth's test templates: `{{ .version }}` and Go-template escapes `{{"…"}}`. */
function renderTemplate(text: string): string {
  return text.replace(/\{\{ \.version \}\}/g, VERSION).replace(/\{\{"(.*?)"\}\}/g, '$1');
}

/** Comparable form: expressions up to whitespace, labels and annotations as maps. */
function comparable(file: ParsedFile) {
  return file.groups.map((group) => ({
    name: group.name,
    rules: group.rules.map((rule) => ({ ...rule, expr: rule.expr.replace(/\s+/g, ' ').trim() })),
  }));
}

describe.skipIf(!slothPresent)('Sloth parity over ../shared/anchors/sloth', () => {
  it('covers every fixture directory', () => {
    const dirs = (read('MANIFEST.md').match(/^\| (\d\d-[a-z0-9-]+) \|/gm) ?? []).map((line) => line.slice(2, -2));
    expect(dirs).toEqual(FIXTURES.map((f) => f.dir));
  });

  for (const fixture of FIXTURES) {
    it(`${fixture.dir}: same groups, rules, labels, windows, factors and expressions`, () => {
      const groups = generateRuleGroups(fixture.slos(read(fixture.dir, fixture.input)), fixture.options);
      const ours = parse(renderRuleFile(groups)) as ParsedFile;
      const expected = parse(renderTemplate(read(fixture.dir, fixture.expected))) as ParsedFile;
      expect(comparable(ours)).toEqual(comparable(expected));
    });
  }

  it('notices a difference: a changed objective or a missing extra label fails the comparison', () => {
    const expected = comparable(parse(read('01-getting-started', 'expected.yml')) as ParsedFile);
    expect(expected.map((g) => g.rules.length)).toEqual([8, 7, 2]);
    const [slo] = parseSlothSpec(read('01-getting-started', 'input.yml'));
    if (slo === undefined) throw new Error('no SLO');
    const changed = generateRuleGroups([{ ...slo, objectivePercent: 99.5 }], { version: 'dev', extraLabels: { cmd: 'examplesgen.sh' } });
    expect(comparable(parse(renderRuleFile(changed)) as ParsedFile)).not.toEqual(expected);
    const unlabelled = generateRuleGroups([slo], { version: 'dev' });
    expect(comparable(parse(renderRuleFile(unlabelled)) as ParsedFile)).not.toEqual(expected);
  });

  it('02-base-30d: the raw SLI with both alerts disabled has no alert group', () => {
    const groups = generateRuleGroups(parseSlothSpec(read('02-base-30d', 'input.yaml')), { version: VERSION });
    expect(groups.map((g) => g.name)).toEqual([
      'sloth-slo-sli-recordings-svc01-slo1',
      'sloth-slo-meta-recordings-svc01-slo1',
      'sloth-slo-alerts-svc01-slo1',
      'sloth-slo-sli-recordings-svc01-slo02',
      'sloth-slo-meta-recordings-svc01-slo02',
    ]);
  });

  it('the embedded default windows equal the Google sets Sloth ships for 30d and 28d', () => {
    for (const [file, days] of [['google-30d.yaml', 30], ['google-28d.yaml', 28]] as const) {
      const windows = parseSlothAlertWindows(read('default-windows', file));
      expect(windows.periodMs).toBe(days * DAY_MS);
      const slo = parseSlothSpec(read('02-base-30d', 'input.yaml'), { periodMs: days * DAY_MS })[0];
      expect(slo?.windows).toEqual(windows.windows);
    }
  });
});
