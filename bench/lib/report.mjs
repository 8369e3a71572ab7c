// Writing a benchmark's JSON report.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes `report` to `file` as indented JSON, through a temporary file and a
 * rename, so an interrupted run never leaves a half-written result behind.
 */
export function writeReport(file, report) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = file.replace(/\.json$/, '') + '.tmp.json';
  writeFileSync(tmp, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(tmp, file);
}
