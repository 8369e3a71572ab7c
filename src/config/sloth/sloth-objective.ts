import type { RulesInputIssue } from '../../rules/rules-input-error';
import type { SlothPluginSlo } from '../../rules/sloth-spec';
import type { AlertingSpec, ObjectiveSpec, SpanSelector } from '../../slo/objective';
import { mapSlothPluginSli } from './sloth-plugin-sli';
import { OBJECTIVE_NAME_MAX_LENGTH, isObjectiveName } from '../../slo/objective-name';
import { percentToRatio } from '../../slo/percent';

/**
 * One Sloth `prometheus/v1` SLO (plugin SLI) as a slowatch objective
 * (docs/sloth-specs.md has the whole mapping):
 *
 *   service               → service (one service.name)
 *   name                  → name `<service>-<name>`: Sloth's `sloth_id`, unique across specs
 *   objective (percent)   → objective (ratio); 100 is refused (no budget)
 *   sli.plugin            → sli and selector (sloth-plugin-sli.ts)
 *   alerting.*_alert      → alerting.page / ticket: on unless `disable: true` (Sloth's rule;
 *                           alerting.name is then required, as Sloth requires it)
 *   period                → rolling 30d, Sloth's default, with Sloth's 30d alert windows
 *   labels, description,  → ignored: they decorate Prometheus series; slowatch's
 *   alert labels/annots.     metrics carry slo and service, and group_by takes attribute keys
 */

export interface SlothMappingOptions {
  /** The processor's default selector (span kind server, every operation). */
  readonly defaultSelector: SpanSelector;
  /** Series kept per objective. */
  readonly maxSeries: number;
  /** No alert fires while the short window holds fewer events than this. */
  readonly minEvents: number;
}

export type SlothObjectiveMapping = { readonly ok: true; readonly objective: ObjectiveSpec } | { readonly ok: false; readonly issues: readonly RulesInputIssue[] };


export function mapSlothSlo(slo: SlothPluginSlo, options: SlothMappingOptions): SlothObjectiveMapping {
  const issues: RulesInputIssue[] = [];
  const service = slo.service.kind === 'fixed' ? slo.service.name : undefined;
  const name = service === undefined ? slo.name : `${service}-${slo.name}`;
  if (!isObjectiveName(name)) {
    issues.push({
      path: `${slo.path}.name`,
      message: `the objective name "<service>-<name>" must be lower-case letters, digits and "-" (not first or last), at most ${OBJECTIVE_NAME_MAX_LENGTH} characters, got ${JSON.stringify(name)}`,
    });
  }
  if (slo.objectivePercent >= 100) {
    issues.push({ path: `${slo.path}.objective`, message: `must be below 100 (an objective of 100 % leaves no error budget), got ${slo.objectivePercent}` });
  }
  const mapped = mapSlothPluginSli(slo.sli, `${slo.path}.sli`, options.defaultSelector.spanKind ?? 'any');
  if (!mapped.ok) issues.push(...mapped.issues);
  if (!mapped.ok || issues.length > 0) return { ok: false, issues };

  const alerting: AlertingSpec = { page: slo.alerting?.page !== undefined, ticket: slo.alerting?.ticket !== undefined, windows: slo.windows };
  return {
    ok: true,
    objective: {
      name,
      ...(service !== undefined && { service }),
      selector: mapped.selector,
      sli: mapped.sli,
      objective: percentToRatio(slo.objectivePercent),
      period: { kind: 'rolling', durationMs: slo.periodMs },
      budgeting: { kind: 'occurrences' },
      groupBy: [],
      maxSeries: options.maxSeries,
      alerting,
      minEvents: options.minEvents,
    },
  };
}

