import { parseAllDocuments } from 'yaml';
import type { AlertWindow } from '../slo/objective';
import { DAY_MS } from '../slo/durations';
import { formatPrometheusDuration } from './prometheus-duration';
import type { RuleSlo } from './rule-model';
import { RulesInputError } from './rules-input-error';
import { alertWindowsForPeriod } from './sloth-alert-windows';
import type { SlothAlertWindows } from './sloth-alert-windows';
import { SpecReader, join } from './spec-reader';

/**
 * OpenSLO `openslo/v1alpha` SLOs as Sloth converts them: each objective with
 * `ratioMetrics` (good and total PromQL queries with `{{.window}}`) becomes
 * one SLO named `<metadata.name>-<objective index>`, error ratio
 * `1 - good / total`, objective `target × 100`, period from
 * `timeWindows[0]` (count + Day or Week), and no alerts (v1alpha has none).
 * Threshold metrics, calendar windows and Timeslices budgeting are refused
 * with the field named.
 */
export interface OpensloV1alphaOptions {
  /** Custom AlertWindows, tried before Sloth's 30d and 28d defaults. @default [] */
  readonly alertWindows?: readonly SlothAlertWindows[];
  readonly file?: string;
}

export const OPENSLO_V1ALPHA = 'openslo/v1alpha';
export const OPENSLO_CLI_MODE = 'cli-gen-openslo';

const UNIT_MS: Readonly<Record<string, number>> = { Day: DAY_MS, Week: 7 * DAY_MS };

/** True when the text's first document declares `apiVersion: openslo/v1alpha`. */
export function isOpensloV1alpha(text: string): boolean {
  return /^apiVersion:\s*["']?openslo\/v1alpha["']?\s*$/m.test(text);
}

export function parseOpensloV1alpha(text: string, options: OpensloV1alphaOptions = {}): RuleSlo[] {
  const reader = new SpecReader();
  const slos: RuleSlo[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      reader.fail('', `not valid YAML: ${document.errors[0]?.message ?? ''}`);
      continue;
    }
    const value: unknown = document.toJS();
    if (value !== null && value !== undefined) slos.push(...readSlo(reader, value, options));
  }
  if (reader.issues.length === 0 && slos.length === 0) reader.fail('', 'no SLOs: expected an openslo/v1alpha SLO document');
  if (reader.issues.length > 0) throw new RulesInputError(reader.issues, options.file);
  return slos;
}

function readSlo(reader: SpecReader, value: unknown, options: OpensloV1alphaOptions): RuleSlo[] {
  const root = reader.mapping(value, '', ['apiVersion', 'kind', 'metadata', 'spec']);
  if (root === undefined) return [];
  if (root.apiVersion !== OPENSLO_V1ALPHA) reader.fail('apiVersion', `must be ${OPENSLO_V1ALPHA}, got ${JSON.stringify(root.apiVersion) ?? 'nothing'}`);
  if (root.kind !== 'SLO') return reader.fail('kind', `only SLO documents can be converted, got ${JSON.stringify(root.kind) ?? 'nothing'}`) ?? [];
  const metadata = reader.mapping(root.metadata, 'metadata');
  const name = metadata === undefined ? undefined : reader.string(metadata.name, 'metadata.name');
  const spec = reader.mapping(root.spec, 'spec', ['service', 'description', 'budgetingMethod', 'objectives', 'timeWindows', 'indicator']);
  if (spec === undefined) return [];
  if (spec.indicator !== undefined) reader.fail('spec.indicator', 'not supported: give ratioMetrics in each objective');
  const service = reader.string(spec.service, 'spec.service');
  const description = reader.optionalString(spec.description, 'spec.description');
  if (spec.budgetingMethod !== undefined && spec.budgetingMethod !== 'Occurrences') {
    reader.fail('spec.budgetingMethod', `only Occurrences can be converted to Prometheus rules, got ${JSON.stringify(spec.budgetingMethod)}`);
  }
  const periodMs = readPeriod(reader, spec.timeWindows);
  const windows = periodMs === undefined ? undefined : alertWindowsForPeriod(periodMs, options.alertWindows);
  if (periodMs !== undefined && windows === undefined) {
    reader.fail('spec.timeWindows[0]', `no alert windows for a ${formatPrometheusDuration(periodMs)} period: the defaults cover 30 and 28 days; give an AlertWindows file`);
  }
  const objectives = reader.list(spec.objectives, 'spec.objectives') ?? [];
  const slos: RuleSlo[] = [];
  objectives.forEach((item, index) => {
    const path = join('spec.objectives', index);
    const objective = reader.mapping(item, path, ['ratioMetrics', 'target', 'displayName', 'value', 'op']);
    if (objective === undefined) return;
    const target = reader.number(objective.target, join(path, 'target'), (n) => n > 0 && n <= 1, 'a ratio > 0 and <= 1 (e.g. 0.999)');
    const ratio = objective.ratioMetrics === undefined ? reader.fail(join(path, 'ratioMetrics'), 'required: only ratio metrics can be converted') : reader.mapping(objective.ratioMetrics, join(path, 'ratioMetrics'), ['good', 'total', 'counter']);
    const good = ratio === undefined ? undefined : readQuery(reader, ratio.good, join(join(path, 'ratioMetrics'), 'good'));
    const total = ratio === undefined ? undefined : readQuery(reader, ratio.total, join(join(path, 'ratioMetrics'), 'total'));
    if (name === undefined || service === undefined || target === undefined || good === undefined || total === undefined || periodMs === undefined || windows === undefined) return;
    slos.push(toRuleSlo({ name: `${name}-${index}`, service, description, target, good, total, periodMs, windows }));
  });
  return slos;
}

function toRuleSlo(o: {
  name: string;
  service: string;
  description: string | undefined;
  target: number;
  good: string;
  total: string;
  periodMs: number;
  windows: readonly AlertWindow[];
}): RuleSlo {
  const indent = (query: string, spaces: string): string => query.trim().split('\n').map((line) => `${spaces}${line}`).join('\n');
  // 1 - good/total, laid out as Sloth lays it out.
  const errorRatioQuery = `\n  1 - (\n    (\n${indent(o.good, '      ')}\n    )\n    /\n    (\n${indent(o.total, '      ')}\n    )\n  )\n`;
  return {
    name: o.name,
    service: { kind: 'fixed', name: o.service },
    objectivePercent: o.target * 100,
    ...(o.description !== undefined && { description: o.description }),
    labels: {},
    sli: { kind: 'raw', errorRatioQuery },
    periodMs: o.periodMs,
    periodSli: 'average',
    windows: o.windows,
    origin: { mode: OPENSLO_CLI_MODE, spec: OPENSLO_V1ALPHA },
  };
}

function readQuery(reader: SpecReader, value: unknown, path: string): string | undefined {
  const metric = reader.mapping(value, path, ['source', 'queryType', 'query', 'metadata']);
  if (metric === undefined) return undefined;
  if (metric.source !== undefined && metric.source !== 'prometheus') reader.fail(join(path, 'source'), `only prometheus can be converted, got ${JSON.stringify(metric.source)}`);
  if (metric.queryType !== undefined && metric.queryType !== 'promql') reader.fail(join(path, 'queryType'), `only promql can be converted, got ${JSON.stringify(metric.queryType)}`);
  return reader.string(metric.query, join(path, 'query'));
}

function readPeriod(reader: SpecReader, value: unknown): number | undefined {
  const list = reader.list(value, 'spec.timeWindows');
  if (list === undefined) return undefined;
  if (list.length !== 1) return reader.fail('spec.timeWindows', `must have exactly one window, got ${list.length}`);
  const window = reader.mapping(list[0], 'spec.timeWindows[0]', ['count', 'unit', 'isRolling', 'calendar']);
  if (window === undefined) return undefined;
  if (window.calendar !== undefined || window.isRolling === false) return reader.fail('spec.timeWindows[0]', 'calendar windows cannot be converted: Prometheus rules use rolling windows');
  const count = reader.number(window.count, 'spec.timeWindows[0].count', (n) => Number.isInteger(n) && n > 0, 'a whole number > 0');
  const unitMs = typeof window.unit === 'string' ? UNIT_MS[window.unit] : undefined;
  if (unitMs === undefined) return reader.fail('spec.timeWindows[0].unit', `must be Day or Week, got ${JSON.stringify(window.unit) ?? 'nothing'}`);
  return count === undefined ? undefined : count * unitMs;
}
