import type { Span } from '../../src/otlp/model/trace';
import { BaselineSpanSample } from '../../src/engine/baseline-span-sample';
import { OtlpPickedSpanReader } from '../shared/otlp-picked-span-reader';

/**
 * Fills one reused BaselineSpanSample from decoded OTLP spans, for the
 * baseline (recording) and anomaly (enrichment) processors: the picked
 * attributes of OtlpPickedSpanReader (allocation-free per span), only
 * `service.name` from the resource, plus the trace id. The trace id is
 * referenced, not copied: the baseline copies the few it keeps.
 */
export class OtlpBaselineSpanReader extends OtlpPickedSpanReader<BaselineSpanSample> {
  constructor() {
    super(new BaselineSpanSample());
  }

  override read(span: Span): BaselineSpanSample {
    const sample = super.read(span);
    sample.traceId = span.traceId;
    return sample;
  }
}
