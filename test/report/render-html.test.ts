import { describe, expect, it } from 'vitest';
import { decimate, renderBurnDownSvg } from '../../src/report/burn-down-chart';
import { escapeHtml, renderSloReportHtml } from '../../src/report/render-html';
import { renderSloReportJson, SLO_REPORT_JSON_FORMAT, SLO_REPORT_JSON_VERSION } from '../../src/report/render-json';
import { renderSloReportMarkdown } from '../../src/report/render-markdown';
import { buildSloReport } from '../../src/report/slo-report';
import type { SloReportInput } from '../../src/report/slo-report';
import { FROM_MS, REPORT_INPUT, TO_MS } from './report-fixture';

const hostile = '<script>alert("x")</script> & \'co\'';
const HOSTILE_INPUT: SloReportInput = {
  period: { fromMs: FROM_MS, toMs: TO_MS, label: hostile },
  slos: [
    {
      ...(REPORT_INPUT.slos[1] as SloReportInput['slos'][number]),
      name: `bad<name>&"`,
      service: hostile,
      anomalies: [{ atMs: FROM_MS, operation: hostile, signal: 'throughput', unit: 'spans/s', observed: 1, expected: null, score: 0.5 }],
      recommendations: [{ id: hostile, type: hostile, title: hostile, severity: 'low', impact: { perRequestMs: 1 } }],
    },
  ],
};

function svgPoints(svg: string): [number, number][] {
  const match = /<polyline class="budget" points="([^"]*)"/.exec(svg);
  if (match?.[1] === undefined) throw new Error('no polyline');
  return match[1].split(' ').map((pair) => pair.split(',').map(Number) as [number, number]);
}

describe('renderSloReportHtml', () => {
  it('escapes every text from the input', () => {
    expect(escapeHtml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&#39;');
    const html = renderSloReportHtml(buildSloReport(HOSTILE_INPUT));
    expect(html).not.toContain('<script');
    expect(html).not.toContain('bad<name>');
    expect(html).toContain('bad&lt;name&gt;&amp;&quot;');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;');
    // Fragment ids carry no markup characters at all.
    expect(html).toContain('id="slo-bad_name___"');
  });

  it('is self-contained: no external asset, no script', () => {
    const html = renderSloReportHtml(buildSloReport(REPORT_INPUT));
    expect(html).not.toMatch(/<script|<link|src=|url\(|@import/i);
    expect(html.match(/<svg /g)).toHaveLength(2);
  });

  it('escapes Markdown markup in names', () => {
    const markdown = renderSloReportMarkdown(buildSloReport(HOSTILE_INPUT));
    // Code spans show their text literally (no HTML inside them); everywhere else markup is escaped.
    expect(markdown.replace(/`[^`]*`/g, '')).not.toContain('<script>');
    expect(markdown).toContain('# SLO report: \\<script\\>');
    expect(markdown).toContain('## bad\\<name\\>&"');
  });
});

describe('renderBurnDownSvg', () => {
  const period = { fromMs: FROM_MS, toMs: TO_MS, label: '30d' };

  it('keeps every vertex inside the viewBox, the zero line between top and bottom', () => {
    for (const entry of buildSloReport(REPORT_INPUT).slos) {
      const svg = renderBurnDownSvg(entry.burnDown, period, entry.name, escapeHtml);
      expect(svg).toContain('viewBox="0 0 640 200"');
      const points = svgPoints(svg);
      expect(points).toHaveLength(entry.burnDown.length);
      for (const [x, y] of points) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(640);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThanOrEqual(200);
      }
      // Time runs left to right; the first point (100 %) is at the top of the plot.
      expect(points[0]).toEqual([52, 12]);
      expect(points.at(-1)?.[0]).toBe(628);
    }
  });

  it('draws the zero line at the bottom when nothing is overspent, and says when there is no data', () => {
    const svg = renderBurnDownSvg([{ atMs: FROM_MS, budgetRemaining: 1 }], period, 't', escapeHtml);
    expect(svg).toContain('<line class="zero" x1="52" y1="172.0"');
    expect(renderBurnDownSvg([], period, 't', escapeHtml)).toContain('no burn-down data');
  });

  it('bounds the vertices, keeping the first and last points', () => {
    const many = Array.from({ length: 10_001 }, (_, i) => ({ atMs: FROM_MS + i * 1000, budgetRemaining: 1 - i / 10_000 }));
    expect(decimate(many, 400)).toHaveLength(400);
    expect(decimate(many, 400)[0]).toBe(many[0]);
    expect(decimate(many, 400).at(-1)).toBe(many.at(-1));
    const points = svgPoints(renderBurnDownSvg(many, period, 't', escapeHtml, { maxPoints: 50 }));
    expect(points).toHaveLength(50);
  });
});

describe('renderSloReportJson', () => {
  it('parses back to the report', () => {
    for (const input of [REPORT_INPUT, HOSTILE_INPUT]) {
      const report = buildSloReport(input);
      const { format, version, ...rest } = JSON.parse(renderSloReportJson(report)) as Record<string, unknown>;
      expect(format).toBe(SLO_REPORT_JSON_FORMAT);
      expect(version).toBe(SLO_REPORT_JSON_VERSION);
      expect(rest).toEqual(report);
    }
  });
});
