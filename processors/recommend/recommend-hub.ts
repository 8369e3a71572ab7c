import type { Clock } from '../../src/clock';
import type { Logger } from '../../src/logging/logger';
import type { RecommendEngine } from '../../src/recommend/recommend-engine';
import type { RecommendationChange } from '../../src/recommend/recommendation-store';
import type { SharedProcessorState } from '../../src/service/runtime-factories';
import { RecommendLoop } from './recommend-loop';

/** Receives the changes of each evaluation (the logs pipeline's emitter). */
export type RecommendationChangeListener = (changes: readonly RecommendationChange[], nowMs: number) => void;

/**
 * What the processors of one `recommend` id share across their pipelines
 * (traces, metrics, logs): one engine, one evaluation loop, and the
 * listeners its changes go to. The loop runs while at least one of them is
 * started, so it does not matter which pipelines list the id.
 */
export class RecommendHub {
  private readonly listeners = new Set<RecommendationChangeListener>();
  private loop: RecommendLoop | undefined;
  private started = 0;

  constructor(
    readonly engine: RecommendEngine,
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  addListener(listener: RecommendationChangeListener): void {
    this.listeners.add(listener);
  }

  start(): void {
    if (this.started++ === 0) {
      this.loop = new RecommendLoop(this.engine, this.clock, this.intervalMs, this.logger, (changes, now) => {
        for (const listener of this.listeners) listener(changes, now);
      });
    }
  }

  stop(): void {
    if (this.started === 0) return;
    // One more evaluation at each processor's stop (receivers have stopped by then), so what was
    // decided reaches the log records before the logs processor stops, whatever the pipelines' order.
    this.loop?.runNow();
    if (--this.started === 0) {
      this.loop?.stop();
      this.loop = undefined;
    }
  }
}

/** The shared state of a `recommend` processor id. */
export interface RecommendSharedState extends SharedProcessorState {
  recommendHub?: RecommendHub;
}
