import { buildSloReport } from '../../../src/report/slo-report';
import { readSloReportInput } from '../../../src/report/store-report-reader';
import type { ReportLoader } from './report-loader';

/**
 * Most events the pages read per kind and SLO. Each incident costs one
 * aggregate query (its budget), so this also bounds a page's queries: at
 * most about 100 incidents per SLO. `slowatch report` reads more (1000).
 */
export const PAGE_MAX_EVENTS = 200;

/**
 * The pages' default `ReportLoader`: the shared store reader
 * (`readSloReportInput`, the same figures as `slowatch report`) and
 * `buildSloReport`, with the event lists capped at `PAGE_MAX_EVENTS`.
 */
export const storeReportLoader: ReportLoader = (store, request) =>
  buildSloReport(
    readSloReportInput(store, {
      fromMs: request.period.fromMs,
      toMs: request.period.toMs,
      label: request.period.label,
      slos: request.slos,
      maxEvents: PAGE_MAX_EVENTS,
    }),
  );
