import { SPAN_KIND_NAMES } from '../../engine/span-kind-names';
import type { SpanKindName } from '../../engine/span-kind-names';
import { describeValue } from '../describe-value';
import { isMapping } from './openslo-documents';
import type { OpenSloField } from './openslo-field';
import type { Lookup } from './openslo-lookup';

/**
 * OpenSLO SLIs → what slowatch computes from spans.
 *
 * slowatch computes SLIs from the spans it sees, not by querying a metrics
 * backend, so the only metric source it can use is its own: `type: slowatch`
 * (any case), given inline on `metricSource` or by a DataSource of that type
 * named by `metricSourceRef`. Its `spec` (and the DataSource's
 * `connectionDetails`) selects spans with the keys of `processors.slo`
 * selectors, camel-cased as OpenSLO writes keys:
 *
 *   service      service.name; default: the SLO's spec.service; "*" = every service (one series each)
 *   operations   span names, * as a wildcard; default: every operation
 *   spanKind     server (default), client, internal, producer, consumer, any
 *   attributes   span or resource attributes that must equal these values
 *
 * plus, on a metric, `spans` (which spans the metric counts: all for total
 * and thresholdMetric, ok for good, error for bad; each only accepts its
 * own, and may be left out) and, on a thresholdMetric, `unit` (ms or s,
 * default ms) in which objectives' `value` is written. A metric's spec
 * overrides its DataSource key by key.
 *
 * - ratioMetric good/total or bad/total → availability: good spans are the
 *   selected spans without error status. good or bad may repeat the
 *   selection but must not narrow it: slowatch counts good spans among the
 *   spans total selects. When both name the same DataSource, total's own
 *   spec may refine it and good's may not.
 * - thresholdMetric → latency: objectives' `op: lt|lte` and `value` become
 *   the threshold.
 * - ratioMetric raw/rawType (a precomputed ratio) cannot be computed from spans.
 */

export const SLOWATCH_SOURCE_TYPE = 'slowatch';

export type SpanKindChoice = SpanKindName | 'any';

/** Keys a slowatch metric source or DataSource writes to select spans; undefined = not said. */
export interface SpanSelection {
  /** service.name; '*' = every service. */
  readonly service?: string;
  readonly operations?: readonly string[];
  readonly spanKind?: SpanKindChoice;
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface SpanIndicator {
  /** ratio → availability SLI; threshold → latency SLI. */
  readonly metric: 'ratio' | 'threshold';
  readonly selection: SpanSelection;
  /** Milliseconds per unit of the objectives' `value` (threshold metrics); 1 for ratio metrics. */
  readonly unitMs: number;
}

const SELECTION_KEYS = ['service', 'operations', 'spanKind', 'attributes'] as const;
const SPAN_KINDS: readonly SpanKindChoice[] = [...SPAN_KIND_NAMES, 'any'];
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000 };

type MetricRole = 'total' | 'good' | 'bad' | 'threshold';

const SPANS_OF_ROLE: Readonly<Record<MetricRole, string>> = { total: 'all', good: 'ok', bad: 'error', threshold: 'all' };

/** A DataSource document's `spec` → the selection it contributes; undefined after reporting a problem. */
export function mapDataSource(spec: OpenSloField): SpanSelection | undefined {
  if (spec.mapping('a mapping with type and connectionDetails', true) === undefined) return undefined;
  const typeField = spec.get('type');
  const type = typeField.string(`"${SLOWATCH_SOURCE_TYPE}"`, true);
  if (type === undefined) return undefined;
  if (type.toLowerCase() !== SLOWATCH_SOURCE_TYPE) return typeField.fail(onlySlowatch(type));
  const details = spec.get('connectionDetails');
  details.rejectUnknownKeys(SELECTION_KEYS);
  return readSelection(details);
}

/** An SLI's `spec` (an SLI document's, or an SLO's inline `indicator.spec`) → the span indicator; undefined after reporting. */
export function mapIndicatorSpec(spec: OpenSloField, dataSources: Lookup<SpanSelection>): SpanIndicator | undefined {
  if (spec.mapping('a mapping with thresholdMetric or ratioMetric', true) === undefined) return undefined;
  const threshold = spec.get('thresholdMetric');
  const ratio = spec.get('ratioMetric');
  if (threshold.isAbsent === ratio.isAbsent) {
    return spec.fail(`must have exactly one of thresholdMetric and ratioMetric, got ${threshold.isAbsent ? 'neither' : 'both'}`);
  }
  if (!threshold.isAbsent) {
    if (threshold.mapping('a mapping with metricSource', true) === undefined) return undefined;
    const metric = mapMetricSource(threshold.get('metricSource'), 'threshold', dataSources);
    return metric === undefined ? undefined : { metric: 'threshold', selection: metric.selection, unitMs: metric.unitMs };
  }
  return mapRatioMetric(ratio, dataSources);
}

function mapRatioMetric(ratio: OpenSloField, dataSources: Lookup<SpanSelection>): SpanIndicator | undefined {
  if (ratio.mapping('a mapping with good (or bad) and total', true) === undefined) return undefined;
  const raw = ratio.get('raw');
  if (!raw.isAbsent) return raw.fail('a precomputed ratio cannot be computed from spans; use good (or bad) and total with metricSource type slowatch');
  const good = ratio.get('good');
  const bad = ratio.get('bad');
  if (good.isAbsent === bad.isAbsent) return ratio.fail(`must have exactly one of good and bad beside total, got ${good.isAbsent ? 'neither' : 'both'}`);
  const numeratorField = good.isAbsent ? bad : good;
  const numeratorRole: MetricRole = good.isAbsent ? 'bad' : 'good';
  const totalField = ratio.get('total');
  if (totalField.mapping('a mapping with metricSource', true) === undefined) return undefined;
  if (numeratorField.mapping('a mapping with metricSource', true) === undefined) return undefined;
  const total = mapMetricSource(totalField.get('metricSource'), 'total', dataSources);
  const numerator = mapMetricSource(numeratorField.get('metricSource'), numeratorRole, dataSources);
  if (total === undefined || numerator === undefined) return undefined;
  // A DataSource both metrics share is one selection, which total's own spec may refine; what else the numerator says must agree with total.
  const numeratorSays = numerator.ref !== undefined && numerator.ref === total.ref ? numerator.own : numerator.selection;
  for (const key of SELECTION_KEYS) {
    const narrowed = numeratorSays[key];
    if (narrowed !== undefined && JSON.stringify(narrowed) !== JSON.stringify(total.selection[key])) {
      return numeratorField.get('metricSource').fail(
        `must select the same spans as total (slowatch counts ${numeratorRole} spans among the spans total selects), but its ${key} is ${describeSelectionValue(narrowed)} and total's is ${describeSelectionValue(total.selection[key])}`,
      );
    }
  }
  return { metric: 'ratio', selection: total.selection, unitMs: 1 };
}

interface MappedMetric {
  /** The DataSource's keys overlaid with the metric's own. */
  readonly selection: SpanSelection;
  /** The keys the metric's own spec sets. */
  readonly own: SpanSelection;
  /** The DataSource named by metricSourceRef. */
  readonly ref?: string;
  readonly unitMs: number;
}

function mapMetricSource(source: OpenSloField, role: MetricRole, dataSources: Lookup<SpanSelection>): MappedMetric | undefined {
  if (source.mapping('a mapping with type: slowatch and spec (or metricSourceRef)', true) === undefined) return undefined;
  const refField = source.get('metricSourceRef');
  const typeField = source.get('type');
  const ref = refField.string('the name of a DataSource');
  const type = typeField.string(`"${SLOWATCH_SOURCE_TYPE}"`);
  if ((ref === undefined && !refField.isAbsent) || (type === undefined && !typeField.isAbsent)) return undefined;
  if (type !== undefined && type.toLowerCase() !== SLOWATCH_SOURCE_TYPE) return typeField.fail(onlySlowatch(type));
  let base: SpanSelection = {};
  if (ref !== undefined) {
    const found = dataSources(ref);
    if (!found.found) return refField.fail(`no DataSource named ${JSON.stringify(ref)} in the OpenSLO files (DataSources: ${found.known.length > 0 ? found.known.join(', ') : 'none'})`);
    if (found.value === undefined) return undefined; // reported at the DataSource
    base = found.value;
  } else if (type === undefined) {
    return typeField.fail(`required: "${SLOWATCH_SOURCE_TYPE}" (the only metric source slowatch computes from spans), or metricSourceRef naming a DataSource of that type`);
  }

  const spec = source.get('spec');
  if (spec.mapping('a mapping selecting spans (service, operations, spanKind, attributes)') === undefined && !spec.isAbsent) return undefined;
  const keys: string[] = [...SELECTION_KEYS, 'spans', ...(role === 'threshold' ? ['unit'] : [])];
  spec.rejectUnknownKeys(keys);
  const own = readSelection(spec);
  if (own === undefined) return undefined;

  const spansField = spec.get('spans');
  const spans = spansField.string(`"${SPANS_OF_ROLE[role]}"`);
  if (spans !== undefined && spans !== SPANS_OF_ROLE[role]) {
    return spansField.fail(`must be "${SPANS_OF_ROLE[role]}" for ${role === 'threshold' ? 'a thresholdMetric' : `the ${role} metric`}, got ${JSON.stringify(spans)}`);
  }
  let unitMs = 1;
  if (role === 'threshold') {
    const unitField = spec.get('unit');
    const unit = unitField.string('ms or s');
    if (unit !== undefined) {
      const ms = UNIT_MS[unit];
      if (ms === undefined) return unitField.fail(`must be ms or s (the unit of the objectives' value), got ${JSON.stringify(unit)}`);
      unitMs = ms;
    }
  }
  return { selection: { ...base, ...own }, own, ...(ref !== undefined && { ref }), unitMs };
}

/** Reads the selection keys present in a mapping (absent value → empty selection); undefined after reporting. */
function readSelection(field: OpenSloField): SpanSelection | undefined {
  if (field.isAbsent) return {};
  if (!isMapping(field.value)) return field.failExpecting('a mapping selecting spans (service, operations, spanKind, attributes)');
  let ok = true;
  const selection: { -readonly [K in keyof SpanSelection]: SpanSelection[K] } = {};

  const service = field.get('service');
  if (!service.isAbsent) {
    const value = service.string('a service.name, or "*" for every service');
    if (value === undefined) ok = false;
    else selection.service = value;
  }
  const operations = field.get('operations');
  if (!operations.isAbsent) {
    const items = operations.items('a list of operation names');
    const names = items?.map((item) => item.string('an operation name', true));
    if (names === undefined || names.some((name) => name === undefined)) ok = false;
    else selection.operations = names as string[];
  }
  const spanKind = field.get('spanKind');
  if (!spanKind.isAbsent) {
    const value = spanKind.value;
    if (typeof value === 'string' && (SPAN_KINDS as readonly string[]).includes(value)) selection.spanKind = value as SpanKindChoice;
    else ok = spanKind.failExpecting(`one of ${SPAN_KINDS.join(', ')}`) ?? false;
  }
  const attributes = field.get('attributes');
  if (!attributes.isAbsent) {
    const map = attributes.mapping('a mapping of attribute names to values');
    if (map === undefined) ok = false;
    else {
      const values: Record<string, string> = {};
      for (const [key, value] of Object.entries(map)) {
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values[key] = String(value);
        else ok = attributes.get(key).failExpecting('a string, number or boolean') ?? false;
      }
      selection.attributes = values;
    }
  }
  return ok ? selection : undefined;
}

function onlySlowatch(type: string): string {
  return `only "${SLOWATCH_SOURCE_TYPE}" metrics can be computed from spans, got ${JSON.stringify(type)}`;
}

function describeSelectionValue(value: unknown): string {
  if (value === undefined) return 'not set';
  return Array.isArray(value) || (typeof value === 'object' && value !== null) ? JSON.stringify(value) : describeValue(value);
}
