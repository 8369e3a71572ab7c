import { formatConfigIssue } from '../../../src/config/config-issue';
import { mapOpenSloDocuments } from '../../../src/config/openslo/openslo-catalog';
import { parseOpenSloText } from '../../../src/config/openslo/openslo-documents';
import { openSloProblemToIssue } from '../../../src/config/openslo/openslo-problem';
import type { OpenSloMappingOptions } from '../../../src/config/openslo/openslo-slo';
import type { ObjectiveSpec } from '../../../src/slo/objective';

/** Parses and maps one OpenSLO text as the loader does, without files: objectives, and every problem formatted as the CLI prints it. */
export function mapOpenSloText(text: string, file = 'slos.yaml', options: OpenSloMappingOptions = {}): { objectives: readonly ObjectiveSpec[]; issues: string[] } {
  const parsed = parseOpenSloText(text, file);
  const mapped = mapOpenSloDocuments(parsed.documents, options);
  return { objectives: mapped.objectives, issues: [...parsed.problems, ...mapped.problems].map((p) => formatConfigIssue(openSloProblemToIssue(p))) };
}

/** A one-SLO document with `spec` lines inserted as given (indented by the caller to 2 spaces). */
export function sloDocument(name: string, specLines: string): string {
  return `apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: ${name}\nspec:\n${specLines}`;
}
