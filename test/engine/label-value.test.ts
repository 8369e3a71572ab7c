import { describe, expect, it } from 'vitest';
import { boundedLabelValue, MAX_LABEL_VALUE_LENGTH } from '../../src/engine/label-value';
import { OperationNamer } from '../../src/engine/span-semantics';
import { SpanSample } from '../../src/engine/span-sample';

describe('boundedLabelValue', () => {
  it('keeps values up to the limit as they are (the same string, no copy)', () => {
    const value = 'x'.repeat(MAX_LABEL_VALUE_LENGTH);
    expect(boundedLabelValue(value)).toBe(value);
    expect(boundedLabelValue('')).toBe('');
  });

  it('cuts longer values to the limit, ending in an ellipsis, so long values with one prefix share a label', () => {
    const a = boundedLabelValue(`${'a'.repeat(300)}1`);
    const b = boundedLabelValue(`${'a'.repeat(300)}2`);
    expect(a).toHaveLength(MAX_LABEL_VALUE_LENGTH);
    expect(a.endsWith('…')).toBe(true);
    expect(a).toBe(b);
  });

  it('never leaves half a surrogate pair', () => {
    const value = `${'a'.repeat(MAX_LABEL_VALUE_LENGTH - 2)}😀😀😀`;
    const bounded = boundedLabelValue(value);
    expect(bounded.length).toBeLessThanOrEqual(MAX_LABEL_VALUE_LENGTH);
    // No lone surrogate (String.prototype.isWellFormed is ES2024, beyond this project's lib).
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(bounded)).toBe(false);
  });
});

describe('OperationNamer with over-long names', () => {
  it('bounds span names and method + route names', () => {
    const namer = new OperationNamer();
    const plain = new SpanSample();
    plain.name = 'n'.repeat(1 << 20);
    expect(namer.operation(plain)).toHaveLength(MAX_LABEL_VALUE_LENGTH);
  });

  it('never caches an over-long route: its cache would hold the raw strings', () => {
    const namer = new OperationNamer();
    for (let i = 0; i < 10; i++) {
      const span = new SpanSample();
      span.name = 'GET';
      span.attributes = { 'http.request.method': 'GET', 'http.route': `/${i}/${'r'.repeat(1 << 16)}` };
      expect(namer.operation(span)).toHaveLength(MAX_LABEL_VALUE_LENGTH);
    }
    expect((namer as unknown as { size: number }).size).toBe(0);
    const short = new SpanSample();
    short.attributes = { 'http.request.method': 'GET', 'http.route': '/cart' };
    expect(namer.operation(short)).toBe('GET /cart');
    expect((namer as unknown as { size: number }).size).toBe(1);
  });
});
