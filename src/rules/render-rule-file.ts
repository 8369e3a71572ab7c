import { Document } from 'yaml';
import type { PrometheusRule, RuleGroup } from './rule-model';

/**
 * A Prometheus rule file (`groups:` → `rules:`), as `rule_files` loads it and
 * `promtool check rules` checks it. Labels and annotations are written with
 * sorted keys, multi-line expressions as literal blocks, nothing folded, so
 * the same groups always give the same bytes.
 */
export interface RenderRuleFileOptions {
  /** Comment lines written above `groups:` (without `# `). @default [] */
  readonly header?: readonly string[];
}

export function renderRuleFile(groups: readonly RuleGroup[], options: RenderRuleFileOptions = {}): string {
  const plain = { groups: groups.map((group) => ({ name: group.name, rules: group.rules.map(plainRule) })) };
  const document = new Document(plain);
  const body = document.toString({ lineWidth: 0, indentSeq: false });
  const header = (options.header ?? []).map((line) => `# ${line}`.trimEnd()).join('\n');
  return header === '' ? body : `${header}\n\n${body}`;
}

function plainRule(rule: PrometheusRule): Record<string, unknown> {
  if ('record' in rule) return { record: rule.record, expr: rule.expr, labels: sorted(rule.labels) };
  return { alert: rule.alert, expr: rule.expr, labels: sorted(rule.labels), annotations: sorted(rule.annotations) };
}

function sorted(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
