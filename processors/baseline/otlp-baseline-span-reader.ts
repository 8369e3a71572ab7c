import type { AnyValue, KeyValue, Resource } from '../../src/otlp/model/common';
import type { Span } from '../../src/otlp/model/trace';
import { BaselineSpanSample } from '../../src/engine/baseline-span-sample';
import { readOtlpSpanFields } from '../shared/otlp-span-reader';
import type { OtlpSpanReader } from '../shared/otlp-span-reader';

/**
 * The span attributes the baseline reads (operation naming and the 5xx rule
 * of the error SLI, under the stable and the older HTTP conventions).
 */
type PickedAttributes = {
  'http.request.method': unknown;
  'http.method': unknown;
  'http.route': unknown;
  'http.response.status_code': unknown;
  'http.status_code': unknown;
};

/**
 * Fills one reused BaselineSpanSample from decoded OTLP spans, for the
 * baseline (recording) and anomaly (enrichment) processors.
 *
 * Cheaper than converting every attribute to a record per span, as
 * OtlpSpanSampleReader does for the SLO: only the five attributes the
 * baseline reads are picked, into one reused object with a fixed shape, and
 * only `service.name` is read from the resource. The trace id is referenced,
 * not copied: the baseline copies the few it keeps.
 */
export class OtlpBaselineSpanReader implements OtlpSpanReader<BaselineSpanSample> {
  readonly sample = new BaselineSpanSample();
  private readonly picked: PickedAttributes = {
    'http.request.method': undefined,
    'http.method': undefined,
    'http.route': undefined,
    'http.response.status_code': undefined,
    'http.status_code': undefined,
  };

  constructor() {
    this.sample.attributes = this.picked;
  }

  /** Takes `service.name` from the resource of the spans that follow. */
  useResource(resource: Resource | undefined): void {
    let service = '';
    for (const kv of resource?.attributes ?? []) {
      if (kv.key === 'service.name') {
        const value = kv.value?.stringValue;
        service = typeof value === 'string' ? value : '';
      }
    }
    this.sample.service = service;
  }

  read(span: Span): BaselineSpanSample {
    const sample = this.sample;
    readOtlpSpanFields(sample, span);
    sample.traceId = span.traceId;
    this.pick(span.attributes);
    return sample;
  }

  private pick(attributes: readonly KeyValue[] | undefined): void {
    const picked = this.picked;
    picked['http.request.method'] = undefined;
    picked['http.method'] = undefined;
    picked['http.route'] = undefined;
    picked['http.response.status_code'] = undefined;
    picked['http.status_code'] = undefined;
    if (attributes === undefined) return;
    for (let i = 0; i < attributes.length; i++) {
      const kv = attributes[i] as KeyValue;
      switch (kv.key) {
        case 'http.request.method':
        case 'http.method':
        case 'http.route':
        case 'http.response.status_code':
        case 'http.status_code':
          picked[kv.key] = scalarOf(kv.value);
          break;
        default:
          break;
      }
    }
  }
}

/** A string or number attribute value; anything else undefined. int64 beyond 2^53 loses precision (a status code never is). */
function scalarOf(value: AnyValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return undefined;
}
