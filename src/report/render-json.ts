import type { SloReport } from './slo-report';

/** Names the document, so a reader can tell a report from any other JSON. */
export const SLO_REPORT_JSON_FORMAT = 'slowatch.slo-report';
/** Bumped on any incompatible change of the document's fields. */
export const SLO_REPORT_JSON_VERSION = 1;

/**
 * The SLO report as one JSON document: `format`, `version`, then the
 * `SloReport` fields as they are (times in Unix ms, ratios as ratios, null
 * for what is absent). The report holds only finite numbers and no
 * undefined, so `JSON.parse` gives back an object equal to the report plus
 * `format` and `version`. Two-space indented, with a final newline.
 */
export function renderSloReportJson(report: SloReport): string {
  return `${JSON.stringify({ format: SLO_REPORT_JSON_FORMAT, version: SLO_REPORT_JSON_VERSION, ...report }, null, 2)}\n`;
}
