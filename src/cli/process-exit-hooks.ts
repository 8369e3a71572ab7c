/** How a command ends: the process's own, unless a test replaces them. */
export interface ProcessExitHooks<Exit extends (code: number) => void = (code: number) => never> {
  readonly setExitCode: (code: number) => void;
  /** Ends at once (commander's usage errors and --help); the process's own never returns. */
  readonly exit: Exit | ((code: number) => never);
}

/** The given hooks, the process's own for those not given. */
export function processExitHooks<Exit extends (code: number) => void = (code: number) => never>(overrides: {
  readonly setExitCode?: (code: number) => void;
  readonly exit?: Exit;
}): ProcessExitHooks<Exit> {
  return {
    setExitCode:
      overrides.setExitCode ??
      ((code: number) => {
        process.exitCode = code;
      }),
    exit: overrides.exit ?? ((code: number) => process.exit(code)),
  };
}
