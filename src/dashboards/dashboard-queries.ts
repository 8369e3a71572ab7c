import type { Dashboard, Panel, RowPanel } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboards } from './build-dashboards';
import type { GeneratedDashboard } from './build-dashboards';

/** One PromQL query of one panel. */
export interface DashboardQuery {
  /** The dashboard's uid. */
  readonly dashboard: string;
  /** The panel's title. */
  readonly panel: string;
  /** The query's id within the panel (`A`, `B`, …). */
  readonly refId: string;
  /** The PromQL, with the variables substituted when a map was given. */
  readonly expr: string;
  /**
   * The panel says what an empty answer means (`noValue`: "No open
   * recommendation"): the query may legitimately return nothing, e.g. before
   * any deploy was judged. Every other query returns at least one series
   * once its processors run.
   */
  readonly mayBeEmpty: boolean;
}

/**
 * What Grafana substitutes by itself, with values that suit an instant query
 * against a Prometheus scraping every few seconds. A map given to
 * `dashboardQueries` overrides them.
 */
export const GRAFANA_BUILTIN_VARIABLES: Readonly<Record<string, string>> = Object.freeze({
  __rate_interval: '1m',
  __interval: '1m',
  __range: '1h',
});

/** A `$name` or `${name}` (with an optional `:format`) that the map does not give. */
export class UnresolvedVariableError extends Error {
  override readonly name = 'UnresolvedVariableError';
}

const VARIABLE_REFERENCE = /\$\{(\w+)(?::\w+)?\}|\$(\w+)/g;

/**
 * `expr` with each `$name` / `${name}` replaced by `variables[name]`, or by
 * Grafana's built-in value (`GRAFANA_BUILTIN_VARIABLES`). Values go in as
 * they are: a regex matcher (`=~"$operation"`) takes `.*` for "All".
 * Throws `UnresolvedVariableError` naming the variable when one is missing.
 */
export function substituteVariables(expr: string, variables: Readonly<Record<string, string>>): string {
  return expr.replace(VARIABLE_REFERENCE, (_match, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = Object.hasOwn(variables, name) ? variables[name] : GRAFANA_BUILTIN_VARIABLES[name];
    if (value === undefined) throw new UnresolvedVariableError(`variable $${name} has no value in ${expr}`);
    return value;
  });
}

/**
 * Every PromQL query of every panel of every dashboard, in layout order, for
 * the end-to-end test that runs them against a real Prometheus.
 *
 * @param variables values of the dashboards' variables (`sloth_service`,
 *   `sloth_slo`, `service`, `operation`) and optionally of Grafana's
 *   built-ins; when left out, the exprs are returned as written
 * @param dashboards @default buildDashboards()
 */
export function dashboardQueries(variables?: Readonly<Record<string, string>>, dashboards: readonly GeneratedDashboard[] = buildDashboards()): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  for (const { uid, dashboard } of dashboards) {
    for (const panel of panelsOf(dashboard)) {
      const mayBeEmpty = panel.fieldConfig?.defaults.noValue !== undefined;
      for (const target of panel.targets ?? []) {
        const { refId, expr } = target as { refId?: string; expr?: string };
        if (expr === undefined) continue;
        let substituted: string;
        try {
          substituted = variables === undefined ? expr : substituteVariables(expr, variables);
        } catch (error) {
          if (error instanceof UnresolvedVariableError) throw new UnresolvedVariableError(`${uid} / ${panel.title ?? '?'}: ${error.message}`);
          throw error;
        }
        queries.push({ dashboard: uid, panel: panel.title ?? '', refId: refId ?? '', expr: substituted, mayBeEmpty });
      }
    }
  }
  return queries;
}

/** The dashboard's panels, rows left out and the panels of collapsed rows included, in layout order. */
export function panelsOf(dashboard: Dashboard): Panel[] {
  const panels: Panel[] = [];
  for (const panel of dashboard.panels ?? []) {
    if (panel.type === 'row') panels.push(...(panel as RowPanel).panels);
    else panels.push(panel);
  }
  return panels;
}
