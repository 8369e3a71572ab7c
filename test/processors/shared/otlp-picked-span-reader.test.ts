import { describe, expect, it } from 'vitest';
import { OtlpPickedSpanReader } from '../../../processors/shared/otlp-picked-span-reader';
import { SpanSample } from '../../../src/engine/span-sample';
import type { Span } from '../../../src/otlp/model/trace';

const END_NS = 1_767_225_600_123_456_789n;

function span(attributes: Span['attributes']): Span {
  return { name: 'GET', kind: 2, startTimeUnixNano: END_NS - 2_500_000n, endTimeUnixNano: END_NS, attributes };
}

describe('OtlpPickedSpanReader', () => {
  it('picks only the attributes of span semantics into one reused object, never a record per span', () => {
    const reader = new OtlpPickedSpanReader(new SpanSample());
    reader.useResource({ attributes: [{ key: 'service.name', value: { stringValue: 'cart' } }, { key: 'service.version', value: { stringValue: '1.0' } }] });
    const first = reader.read(span([{ key: 'http.route', value: { stringValue: '/a' } }, { key: 'user.id', value: { stringValue: 'u1' } }, { key: 'http.request.method', value: { stringValue: 'GET' } }]));
    const attributes = first.attributes;
    expect(first).toMatchObject({ service: 'cart', kind: 2, name: 'GET', durationMs: 2.5 });
    expect(attributes).toEqual({ 'http.request.method': 'GET', 'http.method': undefined, 'http.route': '/a', 'http.response.status_code': undefined, 'http.status_code': undefined });
    const second = reader.read(span([{ key: 'http.status_code', value: { intValue: 502n } }]));
    expect(second).toBe(first);
    expect(second.attributes).toBe(attributes); // the same object, refilled
    expect(second.attributes).toEqual({ 'http.request.method': undefined, 'http.method': undefined, 'http.route': undefined, 'http.response.status_code': undefined, 'http.status_code': 502 });
    expect(second.resourceAttributes).toEqual({}); // none wanted
  });

  it('reads the wanted resource attributes once per resource, and not the end time', () => {
    const reader = new OtlpPickedSpanReader(new SpanSample(), { resourceAttributes: ['service.version'] });
    reader.useResource({ attributes: [{ key: 'service.name', value: { stringValue: 'cart' } }, { key: 'host.name', value: { stringValue: 'h1' } }, { key: 'service.version', value: { intValue: 7n } }] });
    const resourceAttributes = reader.read(span(undefined)).resourceAttributes;
    expect(resourceAttributes).toEqual({ 'service.version': 7 });
    expect(reader.read(span(undefined)).resourceAttributes).toBe(resourceAttributes);
    expect(reader.sample.endTimeMs).toBe(0); // only the SLO reads it: no BigInt division here
    reader.useResource({ attributes: [{ key: 'service.name', value: { stringValue: 'search' } }] });
    expect(reader.read(span(undefined))).toMatchObject({ service: 'search', resourceAttributes: {} });
    reader.useResource(undefined);
    expect(reader.read(span(undefined))).toMatchObject({ service: '', resourceAttributes: {} });
  });
});
