import type { ConfigIssue } from '../config-issue';
import { formatYamlPath } from '../yaml-path';
import type { YamlPathSegment } from '../yaml-path';

/**
 * One thing slowatch cannot use in an OpenSLO file, located by file, document
 * and field. It becomes a ConfigIssue whose path names the document and the
 * field, so `formatConfigIssue` prints
 *
 *   document 0 (SLO "search-slo") spec.indicator.spec.thresholdMetric.metricSource.type: only "slowatch" metrics … (slos/search.yaml:17)
 */
export interface OpenSloProblem {
  /** The OpenSLO file as shown to the user. */
  readonly file: string;
  /** Which document of the file; undefined for problems with the file as a whole (YAML syntax). */
  readonly document?: OpenSloDocumentLabel;
  /** Path inside the document, e.g. ['spec', 'timeWindow', 0, 'duration']. */
  readonly field: readonly YamlPathSegment[];
  /** What is wrong, what would be valid, and the value received. */
  readonly message: string;
  /** 1-based line in the OpenSLO file. */
  readonly line?: number;
  /** 1-based column; only for YAML syntax errors. */
  readonly column?: number;
}

/** How a document is named in messages: its position, and its kind and name when it has them. */
export interface OpenSloDocumentLabel {
  /** 0-based position among the file's documents (see openslo-documents.ts for how they are counted). */
  readonly index: number;
  readonly kind?: string;
  readonly name?: string;
}

/** `document 0 (SLO "search-slo")`, `document 2 (AlertPolicy)`, `document 1`. */
export function formatDocumentLabel(label: OpenSloDocumentLabel): string {
  const what = label.kind !== undefined && label.kind !== '' ? label.kind : undefined;
  const name = label.name !== undefined && label.name !== '' ? JSON.stringify(label.name) : undefined;
  const detail = [what, name].filter((part) => part !== undefined).join(' ');
  return `document ${label.index}${detail === '' ? '' : ` (${detail})`}`;
}

/** The problem as a config issue: path = document label and field, file and line = the OpenSLO file's. */
export function openSloProblemToIssue(problem: OpenSloProblem): ConfigIssue {
  const field = formatYamlPath(problem.field);
  const path = problem.document === undefined ? field : [formatDocumentLabel(problem.document), field].filter((part) => part !== '').join(' ');
  return {
    path,
    message: problem.message,
    file: problem.file,
    ...(problem.line !== undefined && { line: problem.line }),
    ...(problem.column !== undefined && { column: problem.column }),
  };
}
