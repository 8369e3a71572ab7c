import type { ObjectiveSpec } from '../../slo/objective';
import type { ConfigIssue } from '../config-issue';
import { displaySpecPath, readListedSpecFiles } from '../listed-spec-files';
import type { ListedSpecFilesOptions } from '../listed-spec-files';
import { mapOpenSloDocuments } from './openslo-catalog';
import { parseOpenSloText } from './openslo-documents';
import type { OpenSloDocument } from './openslo-documents';
import { openSloProblemToIssue } from './openslo-problem';
import type { OpenSloProblem } from './openslo-problem';
import type { OpenSloMappingOptions } from './openslo-slo';

/**
 * Reads the OpenSLO files a config lists (paths or globs), parses and maps
 * them into slowatch objectives. This is the only part of the OpenSLO import
 * that touches the file system; it runs once, when the config is resolved.
 * Memory: the files' text and parsed documents, held only while loading.
 */

export interface OpenSloLoadOptions extends OpenSloMappingOptions, ListedSpecFilesOptions {}

export type OpenSloLoadResult =
  | { readonly ok: true; readonly objectives: readonly ObjectiveSpec[]; /** Absolute paths read, in list order. */ readonly files: readonly string[] }
  | {
      readonly ok: false;
      /** Problems with the list itself, `openslo[1]: "./x/*.yaml" matches no file (…)`: they belong to the config file. */
      readonly listProblems: readonly string[];
      /** Problems inside the OpenSLO files, each naming its file, document and field. */
      readonly issues: readonly ConfigIssue[];
    };

export function loadOpenSloFiles(patterns: readonly string[], options: OpenSloLoadOptions): OpenSloLoadResult {
  const { files, read, listProblems } = readListedSpecFiles('openslo', patterns, options);
  const documents: OpenSloDocument[] = [];
  const problems: OpenSloProblem[] = [];
  for (const { display, text } of read) {
    const parsed = parseOpenSloText(text, display);
    documents.push(...parsed.documents);
    problems.push(...parsed.problems);
  }
  const mapped = mapOpenSloDocuments(documents, options);
  // By file as listed, then document, then line; the sort is stable, so ties keep the order found.
  const fileOrder = new Map(files.map((file, i) => [displaySpecPath(file, options), i]));
  const allProblems = [...problems, ...mapped.problems].sort(
    (a, b) => (fileOrder.get(a.file) ?? 0) - (fileOrder.get(b.file) ?? 0) || (a.document?.index ?? -1) - (b.document?.index ?? -1) || (a.line ?? Infinity) - (b.line ?? Infinity),
  );
  if (listProblems.length > 0 || allProblems.length > 0) return { ok: false, listProblems, issues: allProblems.map(openSloProblemToIssue) };
  return { ok: true, objectives: mapped.objectives, files };
}
