/**
 * Retry back-off waits that shutdown can cut short: `sleep` resolves after
 * `ms` (its timer unref'd, so a wait never holds the process open) or as soon
 * as `wakeAll` is called, whichever comes first. Shared by the exporters
 * that retry (otlp, alertmanager, webhook).
 */
export class InterruptibleSleeps {
  private readonly sleepers = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.sleepers.add(wake);
    });
  }

  /** Ends every wait in progress now. */
  wakeAll(): void {
    for (const wake of [...this.sleepers]) wake();
  }
}
