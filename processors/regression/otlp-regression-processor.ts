import type { SpanSample } from '../../src/engine/span-sample';
import type { Logger } from '../../src/logging/logger';
import type { Consumer } from '../../src/pipeline/consumer';
import type { RegressionEngine } from '../../src/regression/regression-engine';
import type { IntervalLoop } from '../shared/interval-loop';
import { OtlpRecordingProcessor } from '../shared/otlp-recording-processor';
import { OtlpSpanSampleReader } from '../shared/otlp-span-sample-reader';

/**
 * The gateway's adapter from decoded OTLP traces to the regression engine:
 * the same engine as the agent's RegressionSpanProcessor. Spans are sampled
 * once the rest of the pipeline has accepted the batch (see
 * OtlpRecordingProcessor), so a client's retry after a 503 is not sampled
 * twice. The resource's service.version tells the versions apart.
 */
export class OtlpRegressionProcessor extends OtlpRecordingProcessor<SpanSample> {
  /** @param startLoop starts the evaluation loop this processor runs from start to shutdown; none when omitted */
  constructor(engine: RegressionEngine, next: Consumer, logger: Logger, startLoop?: () => IntervalLoop) {
    super({ reader: new OtlpSpanSampleReader(), engine, next, logger, what: 'deploy regression processing of OTLP spans', startLoop });
  }
}
