import { describe, expect, it } from 'vitest';
import { expandUrlTemplate, parseUrlTemplate } from '../../src/alerts/runbook-url';

describe('URL templates', () => {
  it('replaces {label} placeholders with the URL-encoded label values, and missing labels with nothing', () => {
    const parsed = parseUrlTemplate('https://runbooks.example.com/{alertname}/{slo}?route={http_route}&x={missing}');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(expandUrlTemplate(parsed.parts, { alertname: 'SloErrorBudgetBurn', slo: 'a b', http_route: '/cart?x=1' })).toBe(
      'https://runbooks.example.com/SloErrorBudgetBurn/a%20b?route=%2Fcart%3Fx%3D1&x=',
    );
  });

  it('keeps a template without placeholders as it is', () => {
    const parsed = parseUrlTemplate('https://example.com/runbook');
    expect(parsed).toEqual({ ok: true, parts: [{ text: 'https://example.com/runbook' }] });
  });

  it.each([
    ['https://x/{slo', '"{" at position 10 is not closed'],
    ['https://x/slo}', '"}" at position 13 has no "{"'],
    ['https://x/{http.route}', '{http.route} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)'],
    ['https://x/{}', '{} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)'],
  ])('refuses %s: %s', (template, reason) => {
    expect(parseUrlTemplate(template)).toEqual({ ok: false, reason });
  });
});
