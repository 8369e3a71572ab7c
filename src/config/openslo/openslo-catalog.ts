import type { ObjectiveSpec } from '../../slo/objective';
import { mapAlertConditionSpec, mapAlertPolicySpec } from './openslo-alerting';
import type { BurnRateCondition } from './openslo-alerting';
import type { OpenSloDocument, OpenSloKind } from './openslo-documents';
import { OpenSloField } from './openslo-field';
import { mapDataSource, mapIndicatorSpec } from './openslo-indicator';
import type { SpanIndicator, SpanSelection } from './openslo-indicator';
import type { Lookup } from './openslo-lookup';
import { formatDocumentLabel } from './openslo-problem';
import type { OpenSloProblem } from './openslo-problem';
import { mapSloDocument } from './openslo-slo';
import type { OpenSloMappingOptions, SloReferences } from './openslo-slo';

/**
 * The documents of every file one `openslo:` list names, mapped together:
 * references (indicatorRef, metricSourceRef, alertPolicyRef, conditionRef)
 * resolve by metadata.name across all of them, one namespace per kind.
 *
 * Every document is checked, referenced or not: a file that is listed must
 * hold only objects slowatch can use, so nothing in it is silently ignored
 * (AlertNotificationTarget and Service objects are accepted as they are:
 * they carry nothing slowatch acts on). Each object is mapped once, and its
 * problems are reported once, at the object, however many SLOs use it.
 */

export interface OpenSloMappingResult {
  /** In document order; empty when there are problems. */
  readonly objectives: readonly ObjectiveSpec[];
  /** In file order, then document order, then line. */
  readonly problems: readonly OpenSloProblem[];
}

export function mapOpenSloDocuments(documents: readonly OpenSloDocument[], options: OpenSloMappingOptions = {}): OpenSloMappingResult {
  const problems: OpenSloProblem[] = [];
  const byKind = new Map<OpenSloKind, Map<string, OpenSloDocument>>();
  for (const document of documents) {
    const { kind, name } = document.label;
    const named = byKind.get(kind) ?? new Map<string, OpenSloDocument>();
    byKind.set(kind, named);
    const first = named.get(name);
    if (first !== undefined) {
      OpenSloField.root(document, problems)
        .get('metadata')
        .get('name')
        .fail(`another ${kind} has this name (${formatDocumentLabel(first.label)} of ${first.file}); names are unique per kind across the openslo files`);
    } else {
      named.set(name, document);
    }
  }

  const memo = new Map<OpenSloDocument, { value: unknown }>();
  const mapOnce = <T>(document: OpenSloDocument, map: (root: OpenSloField) => T | undefined): T | undefined => {
    const cached = memo.get(document);
    if (cached !== undefined) return cached.value as T | undefined;
    const value = map(OpenSloField.root(document, problems));
    memo.set(document, { value });
    return value;
  };
  const lookup =
    <T>(kind: OpenSloKind, map: (root: OpenSloField) => T | undefined): Lookup<T> =>
    (name) => {
      const named = byKind.get(kind);
      const document = named?.get(name);
      if (document === undefined) return { found: false, known: [...(named?.keys() ?? [])] };
      return { found: true, value: mapOnce(document, map) };
    };

  const dataSources: Lookup<SpanSelection> = lookup('DataSource', (root) => mapDataSource(root.get('spec')));
  const indicators: Lookup<SpanIndicator> = lookup('SLI', (root) => mapIndicatorSpec(root.get('spec'), dataSources));
  const conditions: Lookup<BurnRateCondition> = lookup('AlertCondition', (root) => mapAlertConditionSpec(root.get('spec'), root.document.label.name));
  const policies: Lookup<readonly BurnRateCondition[]> = lookup('AlertPolicy', (root) => mapAlertPolicySpec(root.get('spec'), conditions));
  const references: SloReferences = { dataSources, indicators, conditions, policies };
  /** Checks an object nothing may reference, by looking it up (which maps it once). */
  const checkers: Partial<Record<OpenSloKind, Lookup<unknown>>> = { DataSource: dataSources, SLI: indicators, AlertCondition: conditions, AlertPolicy: policies };

  const objectives: ObjectiveSpec[] = [];
  const madeBy = new Map<string, OpenSloDocument>();
  for (const document of documents) {
    const { kind, name } = document.label;
    if (byKind.get(kind)?.get(name) !== document) continue; // a duplicate, reported above
    if (kind !== 'SLO') {
      checkers[kind]?.(name);
      continue;
    }
    const mapped = mapOnce(document, (root) => mapSloDocument(root, references, options)) ?? [];
    for (const objective of mapped) {
      const other = madeBy.get(objective.name);
      if (other !== undefined) {
        OpenSloField.root(document, problems)
          .get('metadata')
          .get('name')
          .fail(`makes the objective ${JSON.stringify(objective.name)}, which ${formatDocumentLabel(other.label)} of ${other.file} makes too; objective names become the slo label and must be unique`);
        continue;
      }
      madeBy.set(objective.name, document);
      objectives.push(objective);
    }
  }

  const fileOrder = new Map<string, number>();
  for (const document of documents) if (!fileOrder.has(document.file)) fileOrder.set(document.file, fileOrder.size);
  const sorted = problems
    .map((problem, order) => ({ problem, order }))
    .sort(
      (a, b) =>
        (fileOrder.get(a.problem.file) ?? 0) - (fileOrder.get(b.problem.file) ?? 0) ||
        (a.problem.document?.index ?? -1) - (b.problem.document?.index ?? -1) ||
        (a.problem.line ?? Infinity) - (b.problem.line ?? Infinity) ||
        a.order - b.order,
    )
    .map(({ problem }) => problem);
  return { objectives: sorted.length > 0 ? [] : objectives, problems: sorted };
}
