import type { BaselineSeriesState } from '../baseline/baseline-state';

/** Version of the `BaselineEngineState` layout; bumped on any incompatible change. */
export const BASELINE_ENGINE_STATE_FORMAT = 1;

/**
 * Everything the baseline engine needs to resume after a restart without a
 * new warm-up, as one structured-clone-able value (plain objects, arrays,
 * strings, numbers, booleans, null and typed arrays; `v8.serialize` /
 * `v8.deserialize` give it back unchanged): the engine's interval, the
 * model's fingerprint (modelled signals and detector options) and every
 * key's state, open interval included.
 *
 * Serialised size: ≈ 17 KB per key with the defaults (4 modelled signals ×
 * 3 753 B of robust seasonal detector + ≈ 1.9 KB of ring, readings and
 * exemplars; 16 939 B measured on Node 20 for one key with an empty open
 * interval, 18 236 B with 50 spans in it: see
 * test/engine/baseline-engine-state.test.ts). 2 000 keys ≈ 34–37 MB per
 * snapshot, allocated while `exportState` runs.
 */
export interface BaselineEngineState {
  readonly format: typeof BASELINE_ENGINE_STATE_FORMAT;
  /** The engine clock's now at export: how much of the open interval went unobserved after a restart. */
  readonly savedAtMs: number;
  readonly intervalMs: number;
  /** `BaselineModel.stateFingerprint()`: the state of a key depends on it. */
  readonly fingerprint: string;
  /** End of the interval that was open (its partial counts are in each key). */
  readonly openIntervalEndMs: number;
  /** In the engine's order, the overflow key last. */
  readonly keys: readonly BaselineSeriesState[];
}
