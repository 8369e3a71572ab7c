import type { ConfigIssue } from './config-issue';
import type { SlowatchConfig } from './slowatch-config';

/**
 * Processor types that count or sample every span they see. Listed in two
 * pipelines fed by one receiver, such a processor would see each span twice
 * (doubled SLO counts, doubled baselines, doubled reservoir weight), so
 * each id belongs to one pipeline; `type/name` ids give each pipeline its own.
 */
export const ONE_PIPELINE_PROCESSOR_TYPES: readonly string[] = ['slo', 'baseline', 'regression'];

/**
 * One issue per processor id of those types that more than one pipeline
 * lists, at the second pipeline's path. `file` is `<config>`: the rule spans
 * components, so it has no single line.
 */
export function processorsInSeveralPipelines(config: SlowatchConfig, types: readonly string[] = ONE_PIPELINE_PROCESSOR_TYPES): ConfigIssue[] {
  const pipelines = config.service.pipelines;
  const issues: ConfigIssue[] = [];
  for (const id of new Set(pipelines.flatMap((p) => p.processors))) {
    const type = config.processors[id]?.type;
    if (type === undefined || !types.includes(type)) continue;
    const users = pipelines.filter((p) => p.processors.includes(id)).map((p) => p.id);
    if (users.length > 1) {
      issues.push({
        path: `service.pipelines.${users[1]}.processors`,
        message: `processor "${id}" is already used by pipeline ${users[0]}: a ${type} processor belongs to one pipeline (define ${type}/<name> per pipeline)`,
        file: '<config>',
      });
    }
  }
  return issues;
}
