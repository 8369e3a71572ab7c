import { describe, expect, it } from 'vitest';
import { buildSloReport } from '../../src/report/slo-report';
import { renderSloReportMarkdown } from '../../src/report/render-markdown';
import { renderSloReportHtml } from '../../src/report/render-html';
import { renderSloReportJson } from '../../src/report/render-json';
import { REPORT_INPUT } from './report-fixture';

const NOTE = 'read from Prometheus: <lists> are empty';

describe('report notes', () => {
  it('are empty unless the reader gives some', () => {
    expect(buildSloReport(REPORT_INPUT).notes).toEqual([]);
    expect(renderSloReportMarkdown(buildSloReport(REPORT_INPUT))).not.toContain('> Note:');
  });

  it('show under the summary in every format, escaped in HTML', () => {
    const report = buildSloReport({ ...REPORT_INPUT, notes: [NOTE] });
    const markdown = renderSloReportMarkdown(buildSloReport({ ...REPORT_INPUT, notes: ['read from Prometheus'] }));
    const noteAt = markdown.indexOf('> Note: read from Prometheus\n');
    expect(noteAt).toBeGreaterThan(markdown.indexOf('remaining).'));
    expect(noteAt).toBeLessThan(markdown.indexOf('| SLO |'));
    expect(renderSloReportHtml(report)).toContain('<p class="note">Note: read from Prometheus: &lt;lists&gt; are empty</p>');
    expect((JSON.parse(renderSloReportJson(report)) as { notes: string[] }).notes).toEqual([NOTE]);
  });
});
