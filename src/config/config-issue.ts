/** One problem found in the configuration, located as precisely as we can. */
export interface ConfigIssue {
  /**
   * Where in the YAML, dotted and indexed: `processors.slo.objectives[2].objective`.
   * Empty for problems with the file as a whole (not found, YAML syntax).
   */
  readonly path: string;
  /** What is wrong, what would be valid, and the value received. */
  readonly message: string;
  /** The file as shown to the user (relative to the working directory when inside it), or a pseudo-source such as `<environment>`. */
  readonly file: string;
  /** 1-based line; for a missing key, the line of the mapping that lacks it. */
  readonly line?: number;
  /** 1-based column; only for YAML syntax errors, where the column matters. */
  readonly column?: number;
}

/**
 * `path: message (file:line)`, e.g.
 * `processors.slo.objectives[2].objective: must be > 0 and < 100, got 999 (otel-config.yaml:31)`.
 * File-level issues without a line carry the file in their message and get no suffix.
 */
export function formatConfigIssue(issue: ConfigIssue): string {
  const prefix = issue.path === '' ? '' : `${issue.path}: `;
  let suffix = '';
  if (issue.line !== undefined) {
    suffix = ` (${issue.file}:${issue.line}${issue.column !== undefined ? `:${issue.column}` : ''})`;
  } else if (issue.path !== '') {
    suffix = ` (${issue.file})`;
  }
  return `${prefix}${issue.message}${suffix}`;
}

/** Document order: by line, issues without a line last, ties in the order found. */
export function sortConfigIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.index - b.index)
    .map(({ issue }) => issue);
}
