import type { Component, ComponentContext } from '../../src/pipeline/component';
import type { RecommendationSource } from '../../src/recommend/recommendation';
import type { ReportStore } from '../../src/storage/report-store';
import type { WebExtensionSettings } from './config';
import type { ReportLoader } from './pages/report-loader';
import { storeReportLoader } from './pages/store-report-loader';
import { recommendationsRoute } from './recommendations-api';
import type { RecommendationSourceHost } from './recommendation-source-host';
import { reportRoutes, sloListPage } from './report-routes';
import type { ReportStoreHost } from './report-store-host';
import { WebServer } from './web-server';

export interface WebExtensionOptions {
  /**
   * Reads the report of some SLOs over a period from the store.
   * @default storeReportLoader (`readSloReportInput` + `buildSloReport`, bounded queries)
   */
  readonly loadReport?: ReportLoader;
}

/**
 * The `web` extension: slowatch's report pages and JSON API over HTTP (see
 * README.md and docs/report-pages.md). The pages and `/api/v1/slos`,
 * `/api/v1/events` read the store the service hands over with
 * `addReportStore`; `/api/v1/recommendations` and `/recommendations` read
 * the recommend processors' live stores.
 *
 * Memory: one map entry per recommend processor id (a few dozen bytes each)
 * and the store getter, besides the server's; pages are built per request.
 */
export class WebExtension implements Component, RecommendationSourceHost, ReportStoreHost {
  private readonly sources = new Map<string, RecommendationSource>();
  private getStore: () => ReportStore | undefined = () => undefined;
  private readonly server: WebServer;

  constructor(
    settings: WebExtensionSettings,
    private readonly context: ComponentContext,
    options: WebExtensionOptions = {},
  ) {
    const recommendations = (): RecommendationSource[] => [...this.sources.values()];
    const pages = {
      store: () => this.getStore(),
      loadReport: options.loadReport ?? storeReportLoader,
      clock: context.clock,
      recommendations,
    };
    this.server = new WebServer({
      host: settings.host,
      port: settings.port,
      logger: context.logger,
      routes: [recommendationsRoute(recommendations), ...reportRoutes(pages)],
      htmlIndex: sloListPage(pages),
    });
  }

  /** `http://host:port`, with the port actually bound. */
  get url(): string {
    return this.server.url;
  }

  get port(): number {
    return this.server.port;
  }

  addRecommendationSource(id: string, source: RecommendationSource): void {
    this.sources.set(id, source);
  }

  addReportStore(getStore: () => ReportStore | undefined): void {
    this.getStore = getStore;
  }

  /** Rejects with one line naming the address when it cannot be bound. */
  async start(): Promise<void> {
    try {
      await this.server.start();
    } catch (error) {
      throw new Error(`extension ${this.context.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  shutdown(): Promise<void> {
    return this.server.shutdown();
  }
}
