import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expandPathPattern } from './openslo/openslo-glob';

/** Where a config's list of spec files (`openslo:`, `sloth:`) is resolved and how its files are named in issues. */
export interface ListedSpecFilesOptions {
  /** Absolute directory that relative paths are resolved against: the config file's. */
  readonly baseDir: string;
  /** How baseDir is shown in issues (the config file's directory as the config's own issues show it). @default baseDir */
  readonly displayBaseDir?: string;
  /** Most files one pattern may match. @default 1000 */
  readonly maxFilesPerPattern?: number;
}

/** One listed file, read. */
export interface ListedSpecFile {
  /** Absolute path. */
  readonly file: string;
  /** As issues show it (see displaySpecPath). */
  readonly display: string;
  readonly text: string;
}

export interface ListedSpecFiles {
  /** Every file matched, each once, in list order (read or not). */
  readonly files: readonly string[];
  /** The ones that could be read. */
  readonly read: readonly ListedSpecFile[];
  /** Problems with the list itself (`openslo[1]: "./x/*.yaml" matches no file`, `cannot read …`): they belong to the config file. */
  readonly listProblems: readonly string[];
}

/**
 * Expands and reads the spec files a config lists under `key` (paths or
 * globs, relative to the config's directory), each file once. The only
 * file-system part of the OpenSLO and Sloth imports; it runs once, when the
 * config is resolved.
 */
export function readListedSpecFiles(key: string, patterns: readonly string[], options: ListedSpecFilesOptions): ListedSpecFiles {
  const listProblems: string[] = [];
  const files: string[] = [];
  patterns.forEach((pattern, index) => {
    const expanded = expandPathPattern(pattern, options.baseDir, { ...(options.maxFilesPerPattern !== undefined && { maxFiles: options.maxFilesPerPattern }) });
    if (!expanded.ok) listProblems.push(`${key}[${index}]: ${JSON.stringify(pattern)}: ${expanded.reason}`);
    else for (const file of expanded.files) if (!files.includes(file)) files.push(file);
  });
  const read: ListedSpecFile[] = [];
  for (const file of files) {
    const display = displaySpecPath(file, options);
    try {
      read.push({ file, display, text: readFileSync(file, 'utf8') });
    } catch (error) {
      listProblems.push(`cannot read ${display} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  return { files, read, listProblems };
}

/**
 * A file as issues show it: its path from the config's directory, joined to
 * that directory as the config's own issues show it (so relative to the
 * working directory when the config file is), e.g. `../slos/checkout.yaml`.
 */
export function displaySpecPath(file: string, options: ListedSpecFilesOptions): string {
  if (options.displayBaseDir === undefined) return file;
  const relative = path.relative(options.baseDir, file);
  return path.isAbsolute(relative) ? file : path.join(options.displayBaseDir, relative);
}
