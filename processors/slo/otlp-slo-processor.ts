import type { SloEngine } from '../../src/engine/slo-engine';
import type { SpanSample } from '../../src/engine/span-sample';
import type { Logger } from '../../src/logging/logger';
import type { Consumer } from '../../src/pipeline/consumer';
import type { IntervalLoop } from '../shared/interval-loop';
import { OtlpRecordingProcessor } from '../shared/otlp-recording-processor';
import { OtlpSpanSampleReader } from '../shared/otlp-span-sample-reader';

/**
 * The gateway's adapter from decoded OTLP traces to the SLO engine: the same
 * engine, maths and metrics as the agent's SloSpanProcessor. Spans count
 * once the rest of the pipeline has accepted the batch (see
 * OtlpRecordingProcessor), so a client's retry after a 503 never counts
 * twice, which would inflate the SLO exactly during the outages it measures.
 */
export class OtlpSloProcessor extends OtlpRecordingProcessor<SpanSample> {
  /** @param startLoop starts the evaluation loop this processor runs from start to shutdown; none when omitted */
  constructor(engine: SloEngine, next: Consumer, logger: Logger, startLoop?: () => IntervalLoop) {
    super({ reader: new OtlpSpanSampleReader(), engine, next, logger, what: 'SLO processing of OTLP spans', startLoop });
  }
}
