import { settingsOf } from '../../src/config/component-factory';
import { processorsInSeveralPipelines } from '../../src/config/one-pipeline-processors';
import type { ConfigIssue } from '../../src/config/config-issue';
import type { SlowatchConfig } from '../../src/config/slowatch-config';
import { baselineProcessorFactory } from '../baseline/config';
import { anomalyProcessorFactory } from './config';

/** `file` of issues that concern how components are put together (they have no single line). */
const SOURCE = '<config>';

/**
 * The rules that tie `anomaly` processors to `baseline` processors, which no
 * single component's schema can check. Run by the gateway (checkGatewayConfig),
 * `slowatch validate` and the agent:
 * - a baseline processor belongs to one pipeline: listed in two pipelines fed
 *   by one receiver it would count every span twice;
 * - an anomaly processor's `baseline` must be defined, be in the same
 *   pipeline and come before it (it reads what the baseline recorded, and
 *   the baseline records only once the rest of the pipeline accepted);
 * - it may only watch signals that baseline models;
 * - a baseline feeds at most one anomaly processor (two would publish the
 *   same anomaly series twice).
 * Only components used by a pipeline are checked.
 */
export function anomalyLinkIssues(config: SlowatchConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const pipelines = config.service.pipelines;
  const used = [...new Set(pipelines.flatMap((p) => p.processors))];

  issues.push(...processorsInSeveralPipelines(config, [baselineProcessorFactory.type]));

  const reader = new Map<string, string>();
  for (const id of used) {
    const anomaly = settingsOf(config.processors[id], anomalyProcessorFactory);
    if (anomaly === undefined) continue;
    const baselineId = anomaly.baselineId;
    const baseline = settingsOf(config.processors[baselineId], baselineProcessorFactory);
    if (baseline === undefined) {
      const defined = Object.values(config.processors)
        .filter((c) => c.type === baselineProcessorFactory.type)
        .map((c) => c.id);
      issues.push({
        path: `processors.${id}.baseline`,
        message: `baseline processor "${baselineId}" is not defined under processors (defined baseline processors: ${defined.length > 0 ? defined.join(', ') : 'none'})`,
        file: SOURCE,
      });
      continue;
    }
    for (const pipeline of pipelines) {
      const at = pipeline.processors.indexOf(id);
      if (at < 0) continue;
      const baselineAt = pipeline.processors.indexOf(baselineId);
      const example = `e.g. processors: [${baselineId}, ${id}]`;
      if (baselineAt < 0) {
        issues.push({
          path: `service.pipelines.${pipeline.id}.processors[${at}]`,
          message: `processor "${id}" reads baseline "${baselineId}", which is not in pipeline ${pipeline.id}; list it before "${id}", ${example}`,
          file: SOURCE,
        });
      } else if (baselineAt > at) {
        issues.push({
          path: `service.pipelines.${pipeline.id}.processors[${at}]`,
          message: `processor "${id}" must come after the baseline it reads ("${baselineId}" is at [${baselineAt}]), ${example}`,
          file: SOURCE,
        });
      }
    }
    const unmodelled = anomaly.signals.filter((s) => !baseline.signals.includes(s));
    if (unmodelled.length > 0) {
      issues.push({
        path: `processors.${id}.signals`,
        message: `${unmodelled.join(', ')} ${unmodelled.length === 1 ? 'is' : 'are'} not modelled by baseline "${baselineId}" (its signals: ${baseline.signals.join(', ')})`,
        file: SOURCE,
      });
    }
    const other = reader.get(baselineId);
    if (other !== undefined) {
      issues.push({
        path: `processors.${id}.baseline`,
        message: `baseline "${baselineId}" is already read by processor "${other}": a baseline feeds one anomaly processor`,
        file: SOURCE,
      });
    } else {
      reader.set(baselineId, id);
    }
  }
  return issues;
}
