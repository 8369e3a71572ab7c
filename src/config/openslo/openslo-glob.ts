import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * File paths and globs as a config lists them (`openslo: [./slos/*.yaml]`),
 * expanded against a base directory. Node 20 has no fs.glob, and the syntax
 * needed is small:
 *
 *   *    any run of characters within one path segment (not a leading ".")
 *   ?    one character within a segment
 *   **   as a whole segment: zero or more directories
 *
 * A pattern without these is a plain path and must name a file. A glob must
 * match at least one file. Matches are files only, sorted. `**` does not
 * descend into symbolic links, so a link loop cannot make the walk endless.
 */

export interface ExpandOptions {
  /** Most files one pattern may match; beyond it the pattern is refused. @default 1000 */
  readonly maxFiles?: number;
  /** Most directory entries one pattern may visit (bounds the walk of `**` over a big tree). @default 100000 */
  readonly maxVisited?: number;
}

export type ExpandResult = { readonly ok: true; readonly files: readonly string[] } | { readonly ok: false; readonly reason: string };

const GLOB_CHARS = /[*?]/;

export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern);
}

/** Absolute paths of the files `pattern` names, relative patterns resolved against `baseDir`. */
export function expandPathPattern(pattern: string, baseDir: string, options: ExpandOptions = {}): ExpandResult {
  const absolute = path.resolve(baseDir, pattern);
  if (!isGlob(pattern)) {
    const kind = fileKind(absolute);
    if (kind === 'file') return { ok: true, files: [absolute] };
    if (kind === 'directory') return { ok: false, reason: `${absolute} is a directory; name files, or use a glob such as ${path.join(pattern, '*.yaml')}` };
    return { ok: false, reason: `no such file: ${absolute}` };
  }

  const segments = absolute.split(path.sep);
  const firstGlob = segments.findIndex((segment) => isGlob(segment));
  const root = segments.slice(0, firstGlob).join(path.sep) || path.sep;
  const rest = segments.slice(firstGlob);
  const maxFiles = options.maxFiles ?? 1000;
  const budget = { visited: 0, max: options.maxVisited ?? 100_000 };
  const found = new Set<string>();
  walk(root, rest, found, budget);
  if (budget.visited > budget.max) return { ok: false, reason: `visits more than ${budget.max} directory entries under ${root}; narrow the glob` };
  if (found.size === 0) return { ok: false, reason: `matches no file (looked under ${root})` };
  if (found.size > maxFiles) return { ok: false, reason: `matches ${found.size} files, more than the ${maxFiles} allowed; narrow the glob` };
  return { ok: true, files: [...found].sort() };
}

function walk(dir: string, segments: readonly string[], found: Set<string>, budget: { visited: number; max: number }): void {
  const [segment, ...rest] = segments;
  if (segment === undefined || budget.visited > budget.max) return;
  if (segment === '**') {
    walk(dir, rest, found, budget); // zero directories
    for (const entry of listDirectory(dir, budget)) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) walk(path.join(dir, entry.name), segments, found, budget);
    }
    return;
  }
  if (!isGlob(segment)) {
    const next = path.join(dir, segment);
    if (rest.length === 0) {
      if (fileKind(next) === 'file') found.add(next);
    } else {
      walk(next, rest, found, budget);
    }
    return;
  }
  const matcher = segmentMatcher(segment);
  for (const entry of listDirectory(dir, budget)) {
    if (!matcher.test(entry.name)) continue;
    const next = path.join(dir, entry.name);
    const kind = fileKind(next); // follows a link named explicitly by the pattern
    if (rest.length === 0) {
      if (kind === 'file') found.add(next);
    } else if (kind === 'directory') {
      walk(next, rest, found, budget);
    }
  }
}

function listDirectory(dir: string, budget: { visited: number }) {
  try {
    const entries = readdirSync(dir, { withFileTypes: true });
    budget.visited += entries.length;
    return entries;
  } catch {
    return [];
  }
}

/** One segment's glob as an anchored regular expression; `*` and `?` never match a leading dot. */
function segmentMatcher(segment: string): RegExp {
  let source = '';
  for (const char of segment) {
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const leadingDot = segment.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${leadingDot}${source}$`);
}

function fileKind(file: string): 'file' | 'directory' | undefined {
  try {
    const stats = statSync(file);
    if (stats.isFile()) return 'file';
    return stats.isDirectory() ? 'directory' : undefined;
  } catch {
    return undefined;
  }
}
