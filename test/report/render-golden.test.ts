import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSloReportHtml } from '../../src/report/render-html';
import { renderSloReportJson } from '../../src/report/render-json';
import { renderSloReportMarkdown } from '../../src/report/render-markdown';
import { buildSloReport } from '../../src/report/slo-report';
import { REPORT_INPUT } from './report-fixture';

/**
 * The three renderings of a fixed report, byte for byte. After an intended
 * change of the output, regenerate with `SLOWATCH_UPDATE_GOLDEN=1 npx vitest
 * run test/report/render-golden.test.ts`, review the diff, and commit it.
 */
const GOLDEN_DIR = path.join(__dirname, 'golden');
const update = process.env.SLOWATCH_UPDATE_GOLDEN === '1';

function expectGolden(file: string, actual: string): void {
  const golden = path.join(GOLDEN_DIR, file);
  if (update) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(golden, actual);
  }
  expect(existsSync(golden), `${golden} is missing`).toBe(true);
  expect(actual).toBe(readFileSync(golden, 'utf8'));
}

describe('SLO report renderings', () => {
  const report = buildSloReport(REPORT_INPUT);

  it('renders Markdown as in golden/slo-report.md', () => {
    expectGolden('slo-report.md', renderSloReportMarkdown(report));
  });

  it('renders HTML as in golden/slo-report.html', () => {
    expectGolden('slo-report.html', renderSloReportHtml(report));
  });

  it('renders JSON as in golden/slo-report.json', () => {
    expectGolden('slo-report.json', renderSloReportJson(report));
  });

  it('renders the same text every time (no clock, no locale)', () => {
    const again = buildSloReport(REPORT_INPUT);
    expect(renderSloReportMarkdown(again)).toBe(renderSloReportMarkdown(report));
    expect(renderSloReportHtml(again)).toBe(renderSloReportHtml(report));
  });
});
