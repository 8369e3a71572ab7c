import { formatConfigIssue } from './config-issue';
import type { ConfigIssue } from './config-issue';

/**
 * The configuration cannot be used. Thrown once, at load, with every issue
 * found (not just the first), so one edit-and-retry fixes them all.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    // The message is the issues, one per line: what a terminal or a log should show.
    super(issues.map(formatConfigIssue).join('\n'));
    this.issues = issues;
  }
}
