import type { ReportPeriod, SloReport } from '../../../src/report/slo-report';
import type { ReportStore } from '../../../src/storage/report-store';

/**
 * The seam between the pages and the report model: given the store, a
 * period and SLO names, the `SloReport` of those SLOs over that period
 * (`buildSloReport` over what a reader gathered). The pages never compute
 * a budget themselves, so a page and `slowatch report` over the same store
 * and period say the same thing. Injected, so tests (and a Prometheus-backed
 * reader later) can hand in their own.
 */
export interface ReportLoadRequest {
  readonly period: ReportPeriod;
  /** Only these SLOs (names from `store.objectives()`), never empty. */
  readonly slos: readonly string[];
}

export type ReportLoader = (store: ReportStore, request: ReportLoadRequest) => SloReport;
