import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSloReportHtml } from '../../src/report/render-html';
import { renderSloReportJson } from '../../src/report/render-json';
import { renderSloReportMarkdown } from '../../src/report/render-markdown';
import { buildSloReport } from '../../src/report/slo-report';
import type { SloReport } from '../../src/report/slo-report';
import { readSloReportInput } from '../../src/report/store-report-reader';
import { SlowatchStore } from '../../src/storage/slowatch-store';
import { STORE_FROM_MS, STORE_TO_MS, writeReportStoreFixture } from './report-store-fixture';

/**
 * The report of the fixed store (report-store-fixture.ts, a real SQLite
 * file) in the three formats, byte for byte. After an intended change,
 * regenerate with `SLOWATCH_UPDATE_GOLDEN=1 npx vitest run
 * test/report/store-report-golden.test.ts`, review the diff, and commit it.
 * The CLI tests compare `slowatch report` against the same files.
 */
export const STORE_GOLDEN_DIR = path.join(__dirname, 'golden');
const update = process.env.SLOWATCH_UPDATE_GOLDEN === '1';

function expectGolden(file: string, actual: string): void {
  const golden = path.join(STORE_GOLDEN_DIR, file);
  if (update) {
    mkdirSync(STORE_GOLDEN_DIR, { recursive: true });
    writeFileSync(golden, actual);
  }
  expect(existsSync(golden), `${golden} is missing`).toBe(true);
  expect(actual).toBe(readFileSync(golden, 'utf8'));
}

describe('the SLO report of a fixed store', () => {
  let dir: string;
  let report: SloReport;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-report-golden-'));
    const file = path.join(dir, 'slowatch.db');
    writeReportStoreFixture(file);
    const store = SlowatchStore.open({ path: file, readonly: true });
    try {
      report = buildSloReport(readSloReportInput(store, { fromMs: STORE_FROM_MS, toMs: STORE_TO_MS, label: '2024-05-01 to 2024-06-01' }));
    } finally {
      store.close();
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders Markdown as in golden/store-report.md', () => {
    expectGolden('store-report.md', renderSloReportMarkdown(report));
  });

  it('renders HTML as in golden/store-report.html', () => {
    expectGolden('store-report.html', renderSloReportHtml(report));
  });

  it('renders JSON as in golden/store-report.json', () => {
    expectGolden('store-report.json', renderSloReportJson(report));
  });
});
