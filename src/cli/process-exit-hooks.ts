/** How a command ends: the process's own, unless a test replaces them. */
export interface ProcessExitHooks {
  readonly setExitCode: (code: number) => void;
  /** Ends at once (commander's usage errors and --help); must not return. */
  readonly exit: (code: number) => never;
}

/** The given hooks, the process's own for those not given. */
export function processExitHooks(overrides: Partial<ProcessExitHooks>): ProcessExitHooks {
  return {
    setExitCode:
      overrides.setExitCode ??
      ((code: number) => {
        process.exitCode = code;
      }),
    exit: overrides.exit ?? ((code: number) => process.exit(code)),
  };
}
