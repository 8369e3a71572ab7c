import type { RecommendationImpact, RecommendationSeverity } from './recommendation';

type Evidence = Readonly<Record<string, string | number | readonly string[]>>;

const HOUR_MS = 3_600_000;

/**
 * How bad a recommendation is. The SLO comes first: a problem that alone
 * burns the error budget faster than it accrues (share ≥ 1) is critical, a
 * quarter of it is high. Otherwise the share of the operation's latency a fix
 * would save decides (half or more high, a fifth or more medium). Runtime
 * findings, which have no operation, are judged on their own figures:
 * event-loop p99 delay of a second (critical) or a quarter second (high); a
 * quarter of wall time in GC (high); a heap that reaches its limit within 6 h
 * (critical) or a day (high).
 */
export function severityOf(type: string, impact: RecommendationImpact, evidence: Evidence): RecommendationSeverity {
  const figure = (key: string): number => {
    const value = evidence[key];
    return typeof value === 'number' ? value : Number.NaN;
  };
  switch (type) {
    case 'event_loop_blocking': {
      const p99 = figure('medianP99DelayMs');
      return p99 >= 1000 ? 'critical' : p99 >= 250 ? 'high' : 'medium';
    }
    case 'gc_pressure':
      return figure('gcTimeShare') >= 0.25 ? 'high' : 'medium';
    case 'memory_leak_suspected': {
      const toLimit = figure('projectedMsToLimit');
      return toLimit <= 6 * HOUR_MS ? 'critical' : toLimit <= 24 * HOUR_MS ? 'high' : 'medium';
    }
    default:
      break;
  }
  const budget = impact.errorBudgetShare;
  if (budget !== undefined && budget >= 1) return 'critical';
  if (budget !== undefined && budget >= 0.25) return 'high';
  if (impact.latencyShare >= 0.5) return 'high';
  if (impact.latencyShare >= 0.2) return 'medium';
  return 'low';
}
