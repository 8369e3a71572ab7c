import { settingsOf } from '../../src/config/component-factory';
import type { ConfigIssue } from '../../src/config/config-issue';
import type { SlowatchConfig } from '../../src/config/slowatch-config';
import { sloProcessorFactory } from '../slo/config';
import { recommendProcessorFactory } from './config';

/** `file` of issues that concern how components are put together (they have no single line). */
const SOURCE = '<config>';

/**
 * The rules about `recommend` processors that no single component's schema
 * can check. Run by the gateway (checkGatewayConfig), `slowatch validate` and
 * the agent:
 * - an id is listed by at most one pipeline of each signal: two traces
 *   pipelines fed by one receiver would assemble every span twice (the
 *   metrics and logs halves have the same reason);
 * - its `slo` link names an slo processor that is defined.
 * Only components used by a pipeline are checked.
 */
export function recommendLinkIssues(config: SlowatchConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const pipelines = config.service.pipelines;
  for (const id of new Set(pipelines.flatMap((p) => p.processors))) {
    const settings = settingsOf(config.processors[id], recommendProcessorFactory);
    if (settings === undefined) continue;
    for (const signal of ['traces', 'metrics', 'logs'] as const) {
      const users = pipelines.filter((p) => p.signal === signal && p.processors.includes(id)).map((p) => p.id);
      if (users.length > 1) {
        issues.push({
          path: `service.pipelines.${users[1]}.processors`,
          message: `processor "${id}" is already used by pipeline ${users[0]}: a recommend processor belongs to one ${signal} pipeline (define recommend/<name> for another)`,
          file: SOURCE,
        });
      }
    }
    const sloId = settings.sloId;
    if (sloId !== undefined && settingsOf(config.processors[sloId], sloProcessorFactory) === undefined) {
      const defined = Object.values(config.processors)
        .filter((c) => c.type === sloProcessorFactory.type)
        .map((c) => c.id);
      issues.push({
        path: `processors.${id}.slo`,
        message: `slo processor "${sloId}" is not defined under processors (defined slo processors: ${defined.length > 0 ? defined.join(', ') : 'none'})`,
        file: SOURCE,
      });
    }
  }
  return issues;
}
