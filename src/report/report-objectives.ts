import { globToRegExp } from '../engine/objective-matcher';
import type { ObjectiveSpec } from '../slo/objective';
import { ReportInputError } from './report-input-error';

/**
 * The objectives a report covers: every one (in name order), or only those
 * named with `--slo`, in the order given, each once. An unknown name is an
 * error listing the known ones, so a typo never yields a silently empty report.
 */
export function selectReportObjectives(known: readonly ObjectiveSpec[], names: readonly string[] | undefined): ObjectiveSpec[] {
  const byName = new Map(known.map((spec) => [spec.name, spec]));
  if (names === undefined || names.length === 0) return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const unknown = names.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    const list = [...byName.keys()].sort();
    throw new ReportInputError(
      `unknown SLO ${unknown.map((name) => JSON.stringify(name)).join(', ')}; known: ${list.length === 0 ? '(none)' : list.join(', ')}`,
    );
  }
  return [...new Set(names)].map((name) => byName.get(name) as ObjectiveSpec);
}

/**
 * Whether an operation is one of the objective's: every operation when the
 * selector lists none; otherwise one of its globs (`*` matches any run of
 * characters, as in the selector itself).
 */
export function operationMatcher(spec: ObjectiveSpec): (operation: string) => boolean {
  const patterns = spec.selector.operations.map(globToRegExp);
  if (patterns.length === 0) return () => true;
  return (operation) => patterns.some((pattern) => pattern.test(operation));
}
