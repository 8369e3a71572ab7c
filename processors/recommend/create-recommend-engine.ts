import { describeError } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import { RecommendEngine } from '../../src/recommend/recommend-engine';
import type { RecommendationChange } from '../../src/recommend/recommendation-store';
import type { ObjectiveSpec } from '../../src/slo/objective';
import type { RecommendProcessorSettings } from './config';

/** The engine of one `recommend` processor id, for the agent and the gateway alike. */
export function createRecommendEngine(settings: RecommendProcessorSettings, objectives: readonly ObjectiveSpec[], logger: Logger): RecommendEngine {
  const engine = new RecommendEngine({ ...settings.engine, objectives });
  engine.onAnalyzerError = (analyzer, error) =>
    logger.error(`recommend analyzer ${analyzer} failed (${describeError(error)}); further failures are counted in slowatch_recommend_analyzer_errors_total, not logged`);
  return engine;
}

/** One log line per change: what a user reads in the gateway's or the application's log. */
export function describeChange(change: RecommendationChange): string {
  const r = change.recommendation;
  const where = r.operation === '' ? r.service : `${r.service} ${r.operation}`;
  return `recommendation ${change.kind} [${r.severity}] ${r.type} on ${where}: ${r.title} (id ${r.id})`;
}
