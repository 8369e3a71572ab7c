import type { SpanSample } from '../../src/engine/span-sample';
import { EMPTY_ATTRIBUTES } from '../../src/engine/span-sample';
import { anyValueToJs } from '../../src/otlp/attributes';
import type { AnyValue, KeyValue, Resource } from '../../src/otlp/model/common';
import type { Span } from '../../src/otlp/model/trace';
import { readOtlpSpanFields } from './otlp-span-reader';
import type { OtlpSpanReader } from './otlp-span-reader';
import { boundedLabelValue } from '../../src/engine/label-value';

/**
 * The span attributes the engines' span semantics read (src/engine/span-semantics):
 * operation naming (`METHOD route`) and the 5xx rule of the error SLI, under
 * the stable and the older HTTP conventions.
 */
type PickedSpanAttributes = {
  'http.request.method': unknown;
  'http.method': unknown;
  'http.route': unknown;
  'http.response.status_code': unknown;
  'http.status_code': unknown;
};

export interface OtlpPickedSpanReaderOptions {
  /**
   * Resource attributes copied into `sample.resourceAttributes` (as
   * anyValueToJs converts them), read once per resource. `service.name` is
   * always read into `sample.service`, listed here or not.
   * @default [] (resourceAttributes stays empty)
   */
  readonly resourceAttributes?: readonly string[];
}

/**
 * Fills one reused sample from decoded OTLP spans for the engines that read
 * only a few fixed attributes: the baseline (recording and enrichment) and
 * the deploy regression (operation naming, resource `service.version`).
 *
 * Cheaper than OtlpSpanSampleReader, which converts every attribute into a
 * new record per span for the SLO's arbitrary selectors: here the five
 * attributes of span semantics are picked into one reused object with a
 * fixed shape, so reading a span allocates nothing; the wanted resource
 * attributes are converted once per resource. The span's end time is not
 * read (no BigInt division): these engines count spans by the clock.
 */
export class OtlpPickedSpanReader<S extends SpanSample> implements OtlpSpanReader<S> {
  readonly sample: S;
  private readonly resourceKeys: readonly string[];
  private readonly picked: PickedSpanAttributes = {
    'http.request.method': undefined,
    'http.method': undefined,
    'http.route': undefined,
    'http.response.status_code': undefined,
    'http.status_code': undefined,
  };

  constructor(sample: S, options: OtlpPickedSpanReaderOptions = {}) {
    this.sample = sample;
    this.resourceKeys = options.resourceAttributes ?? [];
    sample.attributes = this.picked;
    sample.resourceAttributes = EMPTY_ATTRIBUTES;
  }

  /** Takes `service.name` (and the wanted resource attributes) from the resource of the spans that follow. */
  useResource(resource: Resource | undefined): void {
    let service = '';
    let wanted: Record<string, unknown> | undefined;
    for (const kv of resource?.attributes ?? []) {
      const key = kv.key;
      if (key === 'service.name') {
        const value = kv.value?.stringValue;
        service = typeof value === 'string' ? value : '';
      }
      if (key !== undefined && this.resourceKeys.includes(key)) {
        wanted ??= {};
        wanted[key] = anyValueToJs(kv.value);
      }
    }
    this.sample.service = boundedLabelValue(service);
    this.sample.resourceAttributes = wanted ?? EMPTY_ATTRIBUTES;
  }

  read(span: Span): S {
    const sample = this.sample;
    readOtlpSpanFields(sample, span);
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
