/** What a comparison of a new version against its baseline concluded, for one operation. */
export type RegressionOutcome = 'regression' | 'improvement' | 'pass';

/** The latest verdict of one key (service, operation, span kind): what the metrics publish. */
export interface RegressionVerdict {
  readonly outcome: RegressionOutcome;
  /** The classifier's own word (`High`, `Low`, `Pass`, …). */
  readonly classification: string;
  readonly critical: boolean;
  readonly baselineVersion: string;
  readonly version: string;
  /** Both versions served traffic concurrently when the verdict was made (a canary, or a rolling deploy in progress). */
  readonly canary: boolean;
  /** Experiment mean / control mean. */
  readonly effectSize: number;
  readonly pValue: number;
  /** Confidence interval of the latency shift (new − baseline), milliseconds. */
  readonly confidenceInterval: readonly [number, number];
  /** Hodges–Lehmann estimate of the latency shift, milliseconds. */
  readonly estimateMs: number;
  readonly controlCount: number;
  readonly experimentCount: number;
  readonly controlMeanMs: number;
  readonly experimentMeanMs: number;
  /** When the verdict was made. */
  readonly atMs: number;
  /** When the new version was first seen. */
  readonly deployedAtMs: number;
}

/** A regression or improvement of one operation's latency after a deploy. Pass verdicts make no event. */
export interface RegressionEvent extends RegressionVerdict {
  readonly outcome: 'regression' | 'improvement';
  readonly service: string;
  readonly operation: string;
  /** `server`, `client`, `internal`, `producer`, `consumer` or `unspecified`. */
  readonly spanKind: string;
}

/** A new version of a service, reported once on the first evaluation after its first span. */
export interface DeployEvent {
  readonly service: string;
  readonly baselineVersion: string;
  readonly version: string;
  /** When the new version's first span arrived. */
  readonly firstSeenMs: number;
  readonly atMs: number;
}
