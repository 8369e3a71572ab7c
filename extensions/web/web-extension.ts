import type { Component, ComponentContext } from '../../src/pipeline/component';
import type { RecommendationSource } from '../../src/recommend/recommendation';
import type { WebExtensionSettings } from './config';
import { recommendationsRoute } from './recommendations-api';
import type { RecommendationSourceHost } from './recommendation-source-host';
import { WebServer } from './web-server';

/**
 * The `web` extension: slowatch's JSON API over HTTP (see README.md).
 * Today `GET /api/v1/recommendations` and the index at `GET /`; later
 * routes join the table built here.
 *
 * Memory: one map entry per recommend processor id (a few dozen bytes each)
 * besides the server's.
 */
export class WebExtension implements Component, RecommendationSourceHost {
  private readonly sources = new Map<string, RecommendationSource>();
  private readonly server: WebServer;

  constructor(
    settings: WebExtensionSettings,
    private readonly context: ComponentContext,
  ) {
    this.server = new WebServer({
      host: settings.host,
      port: settings.port,
      logger: context.logger,
      routes: [recommendationsRoute(() => [...this.sources.values()])],
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
