import type { Consumer } from '../pipeline/consumer';
import { BackpressureError } from '../pipeline/pipeline-errors';
import type { TelemetryBatch } from '../pipeline/telemetry-batch';

/**
 * Hands one batch to several consumers (the exporters of a pipeline, or the
 * pipelines fed by one receiver). It settles when all have: accepted when
 * every one accepted; otherwise it rejects, preferring a BackpressureError
 * (so the client retries) over other errors. Consumers that accepted keep
 * the batch, so a client's retry may deliver it twice to them: at least once,
 * as in the Collector's fan-out.
 */
export class FanoutConsumer implements Consumer {
  constructor(private readonly consumers: readonly Consumer[]) {}

  async consume(batch: TelemetryBatch): Promise<void> {
    const results = await Promise.allSettled(this.consumers.map((c) => c.consume(batch)));
    let failure: Error | undefined;
    for (const result of results) {
      if (result.status === 'rejected') {
        if (result.reason instanceof BackpressureError) throw result.reason;
        failure ??= result.reason instanceof Error ? result.reason : new Error(String(result.reason));
      }
    }
    if (failure !== undefined) throw failure;
  }
}

/** The end of a pipeline with no exporter: its processors (SLOs) are the point. */
export const discardConsumer: Consumer = { consume: () => Promise.resolve() };

/** One consumer for many: the consumer itself for one, a fan-out for several, discard for none. */
export function combineConsumers(consumers: readonly Consumer[]): Consumer {
  if (consumers.length === 0) return discardConsumer;
  if (consumers.length === 1) return consumers[0] as Consumer;
  return new FanoutConsumer(consumers);
}
