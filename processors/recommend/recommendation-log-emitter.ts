import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import type { Component } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';
import { recommendationLogsRequest } from '../../src/recommend/recommendation-log-record';
import type { RecommendationChange } from '../../src/recommend/recommendation-store';
import type { RecommendHub } from './recommend-hub';

/**
 * The gateway's `recommend` processor in a logs pipeline: forwards the logs
 * it receives unchanged, and injects one OTLP log record per recommendation
 * change (opened, reopened, escalated, resolved) into the rest of the
 * pipeline, `event.name = slowatch.recommendation`. A refused export is
 * counted and logged once; the recommendations stay in the engine (the JSON
 * API and the metrics still show them).
 */
export class RecommendationLogEmitter implements Consumer, Component {
  private readonly failures: FailureCounter;
  private running = false;
  private emitted = 0;

  constructor(
    private readonly hub: RecommendHub,
    private readonly next: Consumer,
    logger: Logger,
    private readonly version: string,
  ) {
    this.failures = new FailureCounter(logger, 'sending recommendation log records downstream');
    hub.addListener((changes, now) => this.emit(changes, now));
  }

  /** Log records handed downstream since start. */
  get recordsEmitted(): number {
    return this.emitted;
  }

  start(): Promise<void> {
    this.running = true;
    this.hub.start();
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.hub.stop();
    this.running = false;
    return Promise.resolve();
  }

  consume(batch: TelemetryBatch): Promise<void> {
    return this.next.consume(batch);
  }

  private emit(changes: readonly RecommendationChange[], nowMs: number): void {
    if (!this.running || changes.length === 0) return;
    const request = recommendationLogsRequest(changes, nowMs, this.version);
    this.emitted += changes.length;
    this.next.consume({ signal: 'logs', request, itemCount: changes.length }).catch((error: unknown) => this.failures.record(error));
  }
}
