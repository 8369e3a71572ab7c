import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CostMatrix, IndexWindow } from './nab-scorer';

/**
 * Reading the NAB corpus from a checkout laid out as NAB's repository (or the
 * `anchors/nab` copy of it): `data/<group>/<file>.csv`,
 * `labels/combined_windows.json`, `config/profiles.json` and
 * `results/final_results.json`. This is the only file in eval/nab/ that
 * touches the file system, apart from main.ts.
 */

/** One data file of the corpus. */
export interface NabFile {
  /** `<group>/<file>.csv`, NAB's key for the file. */
  readonly key: string;
  readonly group: string;
  readonly name: string;
  /** Timestamps as written in the file. */
  readonly timestampText: readonly string[];
  /** Timestamps as Unix ms (NAB's timestamps carry no zone; read as UTC). */
  readonly timesMs: Float64Array;
  readonly values: Float64Array;
  /** The labelled windows as inclusive index ranges. */
  readonly windows: readonly IndexWindow[];
}

export type Profiles = Readonly<Record<string, CostMatrix>>;

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` as UTC milliseconds. */
export function parseNabTimestamp(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (m === null) throw new Error(`not a NAB timestamp: ${text}`);
  const fraction = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1000);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) + fraction;
}

/** Parses a `timestamp,value` CSV with a header line. */
export function parseNabCsv(text: string): { timestampText: string[]; timesMs: Float64Array; values: Float64Array } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  const rows = lines.slice(1);
  const timestampText: string[] = [];
  const timesMs = new Float64Array(rows.length);
  const values = new Float64Array(rows.length);
  rows.forEach((line, i) => {
    const comma = line.indexOf(',');
    const ts = line.slice(0, comma);
    timestampText.push(ts);
    timesMs[i] = parseNabTimestamp(ts);
    values[i] = Number(line.slice(comma + 1));
  });
  return { timestampText, timesMs, values };
}

/**
 * Turns timestamp windows into index windows: the first point at or after the
 * window's start to the last point at or before its end (NAB's labels are
 * snapped to data timestamps, so these are exact).
 */
export function windowsToIndices(timesMs: Float64Array, windows: readonly (readonly [string, string])[]): IndexWindow[] {
  const out: IndexWindow[] = [];
  for (const [startText, endText] of windows) {
    const start = parseNabTimestamp(startText);
    const end = parseNabTimestamp(endText);
    let s = 0;
    while (s < timesMs.length && (timesMs[s] ?? 0) < start) s++;
    let e = timesMs.length - 1;
    while (e >= 0 && (timesMs[e] ?? 0) > end) e--;
    if (s <= e) out.push({ start: s, end: e });
  }
  return out;
}

/** Every data file under `dataDir/data`, sorted by key, with its windows. */
export function loadNabCorpus(dataDir: string): NabFile[] {
  const labels = JSON.parse(readFileSync(path.join(dataDir, 'labels', 'combined_windows.json'), 'utf8')) as Record<
    string,
    [string, string][]
  >;
  const files: NabFile[] = [];
  const root = path.join(dataDir, 'data');
  for (const group of readdirSync(root).sort()) {
    const groupDir = path.join(root, group);
    if (!statSync(groupDir).isDirectory()) continue;
    for (const name of readdirSync(groupDir).sort()) {
      if (!name.endsWith('.csv')) continue;
      const key = `${group}/${name}`;
      const windows = labels[key];
      if (windows === undefined) continue;
      const parsed = parseNabCsv(readFileSync(path.join(groupDir, name), 'utf8'));
      files.push({ key, group, name, ...parsed, windows: windowsToIndices(parsed.timesMs, windows) });
    }
  }
  return files;
}

/** Number of windows in the label file (NAB's perfect score counts these). */
export function countLabelledWindows(dataDir: string): number {
  const labels = JSON.parse(readFileSync(path.join(dataDir, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, unknown[]>;
  return Object.values(labels).reduce((n, w) => n + w.length, 0);
}

/** The cost matrices of `config/profiles.json`, by profile name. */
export function loadProfiles(dataDir: string): Profiles {
  const raw = JSON.parse(readFileSync(path.join(dataDir, 'config', 'profiles.json'), 'utf8')) as Record<string, { CostMatrix: CostMatrix }>;
  const out: Record<string, CostMatrix> = {};
  for (const [name, p] of Object.entries(raw)) {
    out[name] = { tpWeight: p.CostMatrix.tpWeight, fpWeight: p.CostMatrix.fpWeight, fnWeight: p.CostMatrix.fnWeight };
  }
  return out;
}

/** The published normalised scores, detector → profile → score; empty when the file is absent. */
export function loadPublishedScores(dataDir: string): Record<string, Record<string, number>> {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, 'results', 'final_results.json'), 'utf8')) as Record<string, Record<string, number>>;
  } catch {
    return {};
  }
}
