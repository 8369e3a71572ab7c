// Types of load-story.cjs, for the TypeScript tests.
import type { RateLoad } from './rate-load.cjs';

export interface MixEntry {
  /** Starts with `/`; `{n}` becomes a counter modulo 100. */
  readonly path: string;
  /** A positive integer: the path's share is weight / sum of weights. */
  readonly weight: number;
}

export interface LoadPhase {
  readonly durationMs: number;
  readonly ratePerSecond: number;
  readonly mix: readonly MixEntry[];
}

export interface StoryPlan {
  readonly baselineVersion: string;
  readonly steady: LoadPhase;
  /** The steady mix plus GET /error. */
  readonly burst: LoadPhase;
  /** Steady traffic between the burst and the deploy. */
  readonly settleMs: number;
  readonly deploy: { readonly version: string; readonly extraLatencyMs: number; readonly ratePerSecond: number; readonly mix: readonly MixEntry[] };
  readonly nPlusOneAfterMs: number;
  readonly nPlusOne: { readonly ratePerSecond: number; readonly mix: readonly MixEntry[] };
}

export interface ExpectedCounts {
  readonly requestsBeforeDeploy: number;
  readonly errorsBeforeDeploy: number;
  readonly errorRatioBeforeDeploy: number;
  /** Requests per steady-mix path on the baseline version. */
  readonly baselineSamplesByPath: Record<string, number>;
  /** Requests per second per steady-mix path on the new version, once the N+1 route has joined. */
  readonly newVersionSamplesPerSecondByPath: Record<string, number>;
}

export declare function storyPlan(options?: { readonly fast?: boolean }): StoryPlan;
export declare function expectedCounts(plan: StoryPlan): ExpectedCounts;
export declare function runStory(options: {
  readonly plan: StoryPlan;
  readonly load: RateLoad;
  readonly deploy: (release: { version: string; extraLatencyMs: number }) => Promise<void>;
  readonly say: (line: string) => void;
  readonly signal?: AbortSignal;
}): Promise<void>;
export declare function sleep(ms: number, signal?: AbortSignal): Promise<void>;
export declare const BASELINE_VERSION: string;
export declare const SLOWER_VERSION: string;
export declare const STEADY_MIX: readonly MixEntry[];
export declare const BURST_MIX: readonly MixEntry[];
export declare const N_PLUS_ONE_MIX: readonly MixEntry[];
