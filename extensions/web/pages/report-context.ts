import type { Clock } from '../../../src/clock';
import type { RecommendationSource } from '../../../src/recommend/recommendation';
import type { ReportStore } from '../../../src/storage/report-store';
import type { ReportLoader } from './report-loader';

/** What the report pages and the /api/v1 report routes read, each on every request. */
export interface ReportPagesContext {
  /** The store; undefined while no storage extension is configured (the pages say how to enable one, the API answers 503). */
  readonly store: () => ReportStore | undefined;
  readonly loadReport: ReportLoader;
  readonly clock: Clock;
  /** The live recommendations (the recommend processors' stores). */
  readonly recommendations: () => readonly RecommendationSource[];
}

/** What the pages and the API say when there is no store. */
export const NO_STORE_MESSAGE =
  'no store: SLO reports need the storage extension; add `storage: {}` under `extensions:` and list it in `service.extensions` (e.g. [storage, web]), then restart';
