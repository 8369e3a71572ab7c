import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigIssue } from '../../../src/config/config-issue';
import { loadSlothFiles } from '../../../src/config/sloth/sloth-files';
import type { SlothLoadOptions } from '../../../src/config/sloth/sloth-files';
import { RulesInputError } from '../../../src/rules/rules-input-error';
import { PROMQL_SLI_REFUSAL, parseSlothPluginSpec } from '../../../src/rules/sloth-spec';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const SHARED_SLOTH = path.resolve(REPO_ROOT, '..', 'shared', 'anchors', 'sloth');
const sharedExists = existsSync(SHARED_SLOTH);
if (!sharedExists) console.warn(`../shared/anchors/sloth not found (${SHARED_SLOTH}): skipping the Sloth anchor inputs for processors.slo.sloth`);

const OPTIONS: Omit<SlothLoadOptions, 'baseDir'> = {
  defaultSelector: { spanKind: 'server', operations: [], attributes: {} },
  maxSeries: 200,
  minEvents: 0,
};

describe('loadSlothFiles', () => {
  it('maps plugin SLIs and names each objective <service>-<name>', () => {
    const result = loadSlothFiles(['specs/payments.yaml'], { ...OPTIONS, baseDir: path.join(REPO_ROOT, 'test/fixtures/sloth'), displayBaseDir: 'x' });
    expect(result.ok && result.objectives.map((o) => o.name)).toEqual(['payments-charge-availability', 'ledger-writes-latency']);
  });

  it('names the file of a YAML syntax error and of a second spec document', () => {
    expect(() => parseSlothPluginSpec('version: [', { file: 'a.yaml' })).toThrow(RulesInputError);
    const twoDocs = 'version: prometheus/v1\nservice: a\nslos: [{ name: x, objective: 99, sli: { plugin: { id: slowatch/availability } }, alerting: { name: X } }]\n---\nversion: prometheus/v1\nservice: b\nslos: [{ name: y, objective: 99, sli: { raw: { error_ratio_query: "0" } }, alerting: { name: Y } }]\n';
    expect(() => parseSlothPluginSpec(twoDocs, { file: 'a.yaml' })).toThrow(`a.yaml: document 2: slos[0].sli.raw: ${PROMQL_SLI_REFUSAL}`);
    expect(parseSlothPluginSpec(twoDocs.split('---')[0] ?? '')[0]).toMatchObject({ path: 'slos[0]', sli: { kind: 'plugin', id: 'slowatch/availability', options: {} } });
  });
});

describe.skipIf(!sharedExists)('the Sloth anchors (../shared/anchors/sloth/*/input*) under processors.slo.sloth', () => {
  const inputs = sharedExists
    ? readdirSync(SHARED_SLOTH, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .flatMap((dir) => readdirSync(path.join(SHARED_SLOTH, dir.name)).filter((file) => file.startsWith('input')).map((file) => `${dir.name}/${file}`))
    : [];

  it('finds the inputs', () => {
    expect(inputs.length).toBeGreaterThanOrEqual(5);
  });

  it.each(inputs)('%s fails with the documented message (PromQL SLIs; OpenSLO v1alpha is not a Sloth prometheus/v1 spec)', (input) => {
    const result = loadSlothFiles([input], { ...OPTIONS, baseDir: SHARED_SLOTH, displayBaseDir: 'anchors' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.listProblems).toEqual([]);
    const issues = result.issues.map(formatConfigIssue);
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(issue.endsWith(`(${path.join('anchors', input)})`)).toBe(true);
    if (input.startsWith('05-openslo')) {
      expect(issues).toContain(`version: must be prometheus/v1 (other Sloth spec versions, e.g. Kubernetes PrometheusServiceLevel, are not supported), got nothing (${path.join('anchors', input)})`);
    } else {
      for (const issue of issues) expect(issue).toMatch(new RegExp(`^slos\\[\\d+\\]\\.sli\\.(events|raw): ${PROMQL_SLI_REFUSAL.replace(/[.()]/g, '\\$&')} `));
    }
  });
});
