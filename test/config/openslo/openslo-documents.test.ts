import { describe, expect, it } from 'vitest';
import { parseOpenSloText } from '../../../src/config/openslo/openslo-documents';
import { parseDurationShorthand, shorthandMs } from '../../../src/config/openslo/openslo-duration';
import { formatConfigIssue } from '../../../src/config/config-issue';
import { openSloProblemToIssue } from '../../../src/config/openslo/openslo-problem';

const issues = (text: string) => parseOpenSloText(text, 'f.yaml').problems.map((p) => formatConfigIssue(openSloProblemToIssue(p)));

describe('OpenSLO files: documents', () => {
  it('numbers `---` documents and the objects of a top-level list in file order, skipping empty documents', () => {
    const text = [
      'apiVersion: openslo/v1\nkind: Service\nmetadata: { name: a }\n',
      '',
      '- apiVersion: openslo/v1\n  kind: SLI\n  metadata: { name: b }\n- apiVersion: openslo/v1\n  kind: DataSource\n  metadata: { name: c }\n',
      'apiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: { name: d }\n',
    ].join('---\n');
    const { documents, problems } = parseOpenSloText(text, 'f.yaml');
    expect(problems).toEqual([]);
    expect(documents.map((d) => [d.label.index, d.label.kind, d.label.name, d.lineOf(['metadata', 'name'])])).toEqual([
      [0, 'Service', 'a', 3],
      [1, 'SLI', 'b', 8],
      [2, 'DataSource', 'c', 11],
      [3, 'AlertPolicy', 'd', 15],
    ]);
  });

  it('reports broken envelopes with the document, field and line', () => {
    expect(issues('apiVersion: openslo/v1alpha\nkind: SLO\nmetadata: { name: x }\n---\napiVersion: openslo/v1\nkind: Slo\nmetadata: { name: y }\n---\napiVersion: openslo/v1\nkind: SLI\nmetadata: {}\n---\n- 3\n')).toEqual([
      'document 0 (SLO "x") apiVersion: slowatch reads OpenSLO openslo/v1 documents, got "openslo/v1alpha" (f.yaml:1)',
      'document 1 ("y") kind: must be one of SLO, SLI, DataSource, AlertPolicy, AlertCondition, AlertNotificationTarget, Service, got "Slo" (f.yaml:6)',
      'document 2 (SLI) metadata.name: required: a non-empty string, got nothing (f.yaml:11)',
      'document 3: must be an OpenSLO object (a mapping with apiVersion, kind, metadata and spec), got 3 (f.yaml:13)',
    ]);
  });

  it('reports YAML syntax errors with line and column, and nothing else', () => {
    expect(issues('apiVersion: openslo/v1\nkind: [SLO\n')).toEqual([expect.stringMatching(/^YAML syntax error: .+ \(f\.yaml:\d+:\d+\)$/)]);
    expect(parseOpenSloText('', 'f.yaml')).toEqual({ documents: [], problems: [] });
  });
});

describe('OpenSLO duration shorthand', () => {
  it.each([
    ['5m', 300_000],
    ['12h', 43_200_000],
    ['30d', 2_592_000_000],
    ['2w', 1_209_600_000],
    ['1M', undefined],
    ['1Q', undefined],
    ['1Y', undefined],
  ])('%s', (text, ms) => {
    const parsed = parseDurationShorthand(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(shorthandMs(parsed.value)).toBe(ms);
  });

  it.each([
    ['1h30m', 'not a duration shorthand: a whole number followed by m (minutes), h, d, w, M (months), Q or Y, e.g. 1h, 4w, 1M'],
    ['10s', 'OpenSLO durations have no seconds; the smallest unit is m (minutes)'],
    ['0d', 'the number must be a positive whole number'],
    ['1.5h', 'not a duration shorthand: a whole number followed by m (minutes), h, d, w, M (months), Q or Y, e.g. 1h, 4w, 1M'],
    ['1D', 'not a duration shorthand: a whole number followed by m (minutes), h, d, w, M (months), Q or Y, e.g. 1h, 4w, 1M'],
  ])('refuses %s', (text, reason) => {
    expect(parseDurationShorthand(text)).toEqual({ ok: false, reason });
  });

  it('accepts 0m only where a zero default exists (alertAfter)', () => {
    expect(parseDurationShorthand('0m', true)).toEqual({ ok: true, value: { count: 0, unit: 'm', text: '0m' } });
  });
});
