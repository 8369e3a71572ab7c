import { EMPTY_ATTRIBUTES, SpanSample } from '../../src/engine/span-sample';
import type { AttributeMap } from '../../src/engine/span-sample';
import { attributesToRecord } from '../../src/otlp/attributes';
import type { KeyValue, Resource } from '../../src/otlp/model/common';
import type { Span } from '../../src/otlp/model/trace';
import { readOtlpSpanEndTimeMs, readOtlpSpanFields } from './otlp-span-reader';
import type { OtlpSpanReader } from './otlp-span-reader';
import { boundedLabelValue } from '../../src/engine/label-value';

/**
 * Reads OTLP spans into a SpanSample with all their attributes and the end
 * time, for the SLO processor, whose selectors and group_by keys may name
 * any span or resource attribute. (Engines that read a few fixed attributes
 * use OtlpPickedSpanReader, which allocates nothing per span.) Resource
 * attributes are converted once per resource, not per span, and a span
 * without attributes allocates nothing.
 */
export class OtlpSpanSampleReader implements OtlpSpanReader<SpanSample> {
  readonly sample = new SpanSample();

  useResource(resource: Resource | undefined): void {
    const resourceAttributes = toAttributeMap(resource?.attributes);
    const service = resourceAttributes['service.name'];
    this.sample.service = typeof service === 'string' ? boundedLabelValue(service) : '';
    this.sample.resourceAttributes = resourceAttributes;
  }

  read(span: Span): SpanSample {
    const sample = this.sample;
    readOtlpSpanFields(sample, span);
    sample.endTimeMs = readOtlpSpanEndTimeMs(span);
    sample.attributes = toAttributeMap(span.attributes);
    return sample;
  }
}

/** OTLP attributes as the plain map the engines read; no allocation for none. */
function toAttributeMap(attributes: readonly KeyValue[] | undefined): AttributeMap {
  return attributes === undefined || attributes.length === 0 ? EMPTY_ATTRIBUTES : attributesToRecord(attributes);
}
