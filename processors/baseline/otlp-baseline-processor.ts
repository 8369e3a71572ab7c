import type { BaselineEngine } from '../../src/engine/baseline-engine';
import type { BaselineSpanSample } from '../../src/engine/baseline-span-sample';
import type { Logger } from '../../src/logging/logger';
import type { Consumer } from '../../src/pipeline/consumer';
import type { IntervalLoop } from '../shared/interval-loop';
import { OtlpRecordingProcessor } from '../shared/otlp-recording-processor';
import { OtlpBaselineSpanReader } from './otlp-baseline-span-reader';

/**
 * The gateway's adapter from decoded OTLP traces to the baseline engine.
 *
 * Spans are recorded only once the rest of the pipeline (the anomaly
 * processor's enrichment, the exporters) has accepted the batch, as the
 * SLO processor does (see OtlpRecordingProcessor): recording a batch that a
 * client sends again after a 503 would count its spans twice, inflating
 * throughput exactly during the outages worth seeing.
 */
export class OtlpBaselineProcessor extends OtlpRecordingProcessor<BaselineSpanSample> {
  /** @param startLoop starts the roll-up loop this processor runs from start to shutdown; none when omitted */
  constructor(engine: BaselineEngine, next: Consumer, logger: Logger, startLoop?: () => IntervalLoop) {
    super({ reader: new OtlpBaselineSpanReader(), engine, next, logger, what: 'baseline processing of OTLP spans', startLoop });
  }
}
