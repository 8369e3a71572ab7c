import type { Component } from '../../src/pipeline/component';
import type { RecommendationSource } from '../../src/recommend/recommendation';

/**
 * A component that serves recommendations from sources the service hands it
 * (the `web` extension). After building the pipelines, the service calls
 * `addRecommendationSource` once for every recommend processor id, before
 * or after `start`: sources are read on each request.
 */
export interface RecommendationSourceHost {
  /** Adds the source of processor `id`; the same id again replaces the earlier source. */
  addRecommendationSource(id: string, source: RecommendationSource): void;
}

export function isRecommendationSourceHost(component: Component): component is Component & RecommendationSourceHost {
  return typeof (component as Partial<RecommendationSourceHost>).addRecommendationSource === 'function';
}
