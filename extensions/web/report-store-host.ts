import type { Component } from '../../src/pipeline/component';
import type { ReportStore } from '../../src/storage/report-store';

/**
 * A component that serves pages and JSON read from the store (the `web`
 * extension). After building the extensions, the service hands it the
 * storage extension's store once, as a getter: the store opens in the
 * storage extension's `start`, which may come after this call, and may be
 * absent for good (no `storage` extension configured, or it failed to
 * open). The getter is called on every request, so the pages follow.
 */
export interface ReportStoreHost {
  /** Sets where the store comes from; a second call replaces the first. */
  addReportStore(getStore: () => ReportStore | undefined): void;
}

export function isReportStoreHost(component: Component): component is Component & ReportStoreHost {
  return typeof (component as Partial<ReportStoreHost>).addReportStore === 'function';
}
