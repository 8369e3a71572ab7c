/**
 * What restoring an engine's saved state did, for the log line the storage
 * extension prints at start. Shared by every engine that restores state (the
 * SLO engine counts objectives; the baseline engine its own units), so the
 * storage extension reports them alike.
 */
export interface StateRestoreSummary {
  /** Units (for the SLO engine: objectives) whose saved state was taken over. */
  readonly restored: number;
  /** Units found in the saved state but not taken over: they start cold. */
  readonly skipped: number;
  /**
   * One human sentence per unit skipped, naming it and what changed, and per
   * restored unit that lost part of its state (e.g. series beyond a lowered
   * max_series). Empty when everything was restored as saved.
   */
  readonly reasons: readonly string[];
}
