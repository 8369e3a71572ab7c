import { HistoryBuilder } from './history';
import type { BenchmarkHistory } from './history';
import { HistoryInputError } from './history-error';
import { describeJson } from './history-json';

/** One hyperfine `--export-json` file: a single run of one or more commands. */
export interface HyperfineRun {
  readonly file: string;
  /** Per command (its `command` field, which `--command-name` sets): the mean wall time in seconds. */
  readonly means: readonly { readonly command: string; readonly meanSeconds: number }[];
}

/**
 * Whether a parsed JSON document looks like hyperfine's `--export-json`
 * output: `{ "results": [ { "command": "…", "mean": 0.123, "times": […], … } ] }`.
 */
export function isHyperfineExport(document: unknown): document is { results: unknown[] } {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return false;
  const results = (document as { results?: unknown }).results;
  return Array.isArray(results) && results.length > 0 && results.every((result) => typeof result === 'object' && result !== null && 'command' in result && 'mean' in result);
}

/** The means of one hyperfine export. */
export function readHyperfineRun(document: { results: unknown[] }, file: string): HyperfineRun {
  const seen = new Set<string>();
  const means = document.results.map((result, index) => {
    const { command, mean } = result as { command?: unknown; mean?: unknown };
    if (typeof command !== 'string' || command === '') {
      throw new HistoryInputError(file, `[results][${index}].command`, `expected the benchmarked command or its --command-name, got ${describeJson(command)}`);
    }
    if (typeof mean !== 'number' || !Number.isFinite(mean)) {
      throw new HistoryInputError(file, `[results][${index}].mean`, `expected the mean time in seconds, got ${describeJson(mean)}`);
    }
    if (seen.has(command)) {
      throw new HistoryInputError(file, `[results][${index}].command`, `"${command}" appears twice; give each command its own --command-name`);
    }
    seen.add(command);
    return { command, meanSeconds: mean };
  });
  return { file, means };
}

/**
 * A history from hyperfine runs, one point per file in the order given
 * (oldest first): each command becomes a metric named after it, valued by its
 * mean time in seconds. A command missing from some runs has missing values
 * there. The runs carry no time or commit; each point is labelled by its file.
 */
export function historyOfHyperfineRuns(runs: readonly HyperfineRun[]): BenchmarkHistory {
  const builder = new HistoryBuilder();
  for (const run of runs) {
    builder.addPoint({ file: run.file, location: '' });
    for (const { command, meanSeconds } of run.means) builder.setValue(command, meanSeconds);
  }
  return builder.build();
}
