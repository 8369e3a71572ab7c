import { SpanSample } from '../../src/engine/span-sample';
import type { Logger } from '../../src/logging/logger';
import type { Consumer } from '../../src/pipeline/consumer';
import { SERVICE_VERSION_ATTRIBUTE } from '../../src/regression/regression-engine';
import type { RegressionEngine } from '../../src/regression/regression-engine';
import type { IntervalLoop } from '../shared/interval-loop';
import { OtlpRecordingProcessor } from '../shared/otlp-recording-processor';
import { OtlpPickedSpanReader } from '../shared/otlp-picked-span-reader';

/**
 * The gateway's adapter from decoded OTLP traces to the regression engine:
 * the same engine as the agent's RegressionSpanProcessor. Spans are sampled
 * once the rest of the pipeline has accepted the batch (see
 * OtlpRecordingProcessor), so a client's retry after a 503 is not sampled
 * twice. The resource's service.version tells the versions apart.
 *
 * The engine reads only the operation's name (method and route) and the
 * resource's service.version, so the reader picks just those: no attribute
 * record per span (OtlpPickedSpanReader), service.version converted once
 * per resource.
 */
export class OtlpRegressionProcessor extends OtlpRecordingProcessor<SpanSample> {
  /** @param startLoop starts the evaluation loop this processor runs from start to shutdown; none when omitted */
  constructor(engine: RegressionEngine, next: Consumer, logger: Logger, startLoop?: () => IntervalLoop) {
    super({ reader: new OtlpPickedSpanReader(new SpanSample(), { resourceAttributes: [SERVICE_VERSION_ATTRIBUTE] }), engine, next, logger, what: 'deploy regression processing of OTLP spans', startLoop });
  }
}
