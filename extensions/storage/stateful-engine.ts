import type { StateRestoreSummary } from '../../src/engine/state-restore-summary';

export type { StateRestoreSummary };

/**
 * An engine whose state survives a restart: the SLO, baseline and anomaly
 * engines. `exportState` returns plain data that `v8.serialize` accepts
 * (typed arrays, maps, numbers…); `restoreState` takes what a previous
 * process exported and keeps what still fits the current configuration.
 */
export interface StatefulEngine {
  exportState(): unknown;
  restoreState(state: unknown): StateRestoreSummary;
}

export function isStatefulEngine(engine: unknown): engine is StatefulEngine {
  const candidate = engine as Partial<StatefulEngine> | null;
  return typeof candidate?.exportState === 'function' && typeof candidate.restoreState === 'function';
}
