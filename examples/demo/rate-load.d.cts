// Types of rate-load.cjs, for the TypeScript tests.

export interface RateLoadOptions {
  /**
   * Requests in flight at most; beyond it requests are dropped and counted.
   * @default 64
   */
  readonly maxInFlight?: number;
  /**
   * How often the scheduler sends what the rate has accrued, in ms.
   * @default 20
   */
  readonly tickMs?: number;
}

export interface RateLoadStats {
  readonly sent: number;
  /** Answers by HTTP status. */
  readonly statuses: Record<string, number>;
  /** Requests that got no answer (refused, reset, timed out). */
  readonly failed: number;
  /** Requests not sent because maxInFlight were in flight. */
  readonly dropped: number;
  /** Requests sent per mix path, `{n}` unexpanded. */
  readonly sentByPath: Record<string, number>;
}

export declare class RateLoad {
  constructor(baseUrl: string, options?: RateLoadOptions);
  setMix(ratePerSecond: number, mix: readonly { readonly path: string; readonly weight: number }[]): void;
  setBaseUrl(baseUrl: string): void;
  start(): void;
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  stats(): RateLoadStats;
}
