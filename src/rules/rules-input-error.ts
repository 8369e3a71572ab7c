/** One problem in a spec or windows file: the YAML path (`slos[0].sli`) and what is wrong. */
export interface RulesInputIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * A Sloth, OpenSLO or AlertWindows file that cannot be turned into rules.
 * Carries every issue found, not just the first; the message is one line per
 * issue, `<file>: <path>: <message>`.
 */
export class RulesInputError extends Error {
  override readonly name = 'RulesInputError';
  readonly issues: readonly RulesInputIssue[];

  constructor(issues: readonly RulesInputIssue[], file?: string) {
    const prefix = file === undefined ? '' : `${file}: `;
    super(issues.map((issue) => `${prefix}${issue.path === '' ? '' : `${issue.path}: `}${issue.message}`).join('\n'));
    this.issues = issues;
  }
}
