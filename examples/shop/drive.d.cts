// Types of drive.cjs, for the TypeScript tests.

export interface DriveOptions {
  /**
   * Requests in total, spread round-robin over the paths.
   * @default one per path
   */
  readonly requests?: number;
  /**
   * Requests in flight at most.
   * @default 1
   */
  readonly concurrency?: number;
}

export interface DriveResult {
  readonly requests: number;
  /** Answers by HTTP status, e.g. `{ '200': 98, '503': 2 }`. */
  readonly statuses: Record<string, number>;
  /** Requests that got no answer (refused, reset, timed out). */
  readonly errors: number;
  readonly elapsedMs: number;
}

export declare function drive(baseUrl: string, paths: readonly string[], options?: DriveOptions): Promise<DriveResult>;
