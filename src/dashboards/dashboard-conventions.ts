import { DashboardBuilder, DashboardCursorSync, DatasourceVariableBuilder, QueryVariableBuilder, ThresholdsConfigBuilder, ThresholdsMode, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import type { DataSourceRef, Dashboard, Panel, RowPanel, DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';

/*
 * What every slowatch dashboard shares: the tag, the datasource, how a
 * Prometheus query and a label-values variable are written, and the labels
 * Sloth's rules carry. The dashboards are plain data; nothing here reads a
 * clock or the environment, so the generated JSON is the same on every run.
 */

/** Every dashboard carries this tag (Grafana's dashboard search, the provisioning folder). */
export const DASHBOARD_TAG = 'slowatch';

/**
 * The dashboard variable that picks the Prometheus datasource. A variable,
 * rather than a fixed uid, so one JSON works both ways it is loaded:
 * provisioned next to `grafana/provisioning/datasources/prometheus.yaml`
 * (the variable starts on that datasource's uid) and imported through the UI
 * into a Grafana whose Prometheus has another uid (the variable falls back to
 * the default Prometheus datasource, and the user can switch).
 */
export const DATASOURCE_VARIABLE = 'datasource';

/** The uid `grafana/provisioning/datasources/prometheus.yaml` gives its datasource. */
export const PROVISIONED_DATASOURCE_UID = 'slowatch-prometheus';

/** What every panel and query points at: the datasource variable. */
export const PROMETHEUS_DATASOURCE: DataSourceRef = Object.freeze({ type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` });

/**
 * The labels that identify one SLO on Sloth's recording rules. Grouping by
 * them (`max by (…)`) drops everything else (instance, custom labels), so the
 * series of two rules line up one to one and can be divided or merged.
 */
export const SLO_LABELS = 'sloth_id, sloth_service, sloth_slo';

/** The datasource variable, starting on the provisioned datasource. */
export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label('Prometheus')
    .type('prometheus')
    .current({ text: PROVISIONED_DATASOURCE_UID, value: PROVISIONED_DATASOURCE_UID });
}

export interface LabelValuesVariableOptions {
  /** The variable's name, as exprs reference it (`$service`). */
  readonly name: string;
  /** Shown in front of the drop-down. */
  readonly label: string;
  /** Grafana's Prometheus variable query, e.g. `label_values(sloth_slo_info, sloth_service)`. */
  readonly query: string;
  /**
   * Several values and an "All" entry. Exprs must then match with `=~`.
   * @default false
   */
  readonly multi?: boolean;
  /**
   * The regex "All" stands for; `.*` also matches series without the label.
   * @default '.*'
   */
  readonly allValue?: string;
}

/** A variable filled from a label's values, refreshed when the time range changes (new services appear). */
export function labelValuesVariable(options: LabelValuesVariableOptions): QueryVariableBuilder {
  const variable = new QueryVariableBuilder(options.name)
    .label(options.label)
    .query(options.query)
    .datasource(PROMETHEUS_DATASOURCE)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
  if (options.multi === true) variable.multi(true).includeAll(true).allValue(options.allValue ?? '.*');
  return variable;
}

export interface PrometheusQueryOptions {
  /** Grafana's legend template, e.g. `{{sloth_service}} / {{sloth_slo}}`. @default Prometheus' series name */
  readonly legend?: string;
  /** The query's id within its panel; tables name columns after it (`Value #A`). @default 'A' */
  readonly refId?: string;
  /** One instant evaluation at the end of the range, in table format (table panels). @default false (a range query) */
  readonly table?: boolean;
}

/** A PromQL query on the datasource variable. */
export function prometheusQuery(expr: string, options: PrometheusQueryOptions = {}): DataqueryBuilder {
  const query = new DataqueryBuilder().expr(expr).refId(options.refId ?? 'A').datasource(PROMETHEUS_DATASOURCE);
  if (options.legend !== undefined) query.legendFormat(options.legend);
  if (options.table === true) query.instant().format(PromQueryFormat.Table);
  else query.range();
  return query;
}

/** Absolute thresholds: the first color from -∞, then each `[value, color]` step. */
export function thresholds(base: string, steps: readonly (readonly [number, string])[] = []): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    // Grafana's base step is the one with a null value.
    { value: null, color: base },
    ...steps.map(([value, color]) => ({ value, color })),
  ]);
}

/** A dashed line, for reference series (thresholds, objectives) drawn next to measurements. */
export const DASHED_LINE: DynamicConfigValue = Object.freeze({ id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } });

/**
 * Builds the dashboard and numbers its panels 1, 2, … in layout order, rows
 * included. The SDK leaves ids out; fixed ids keep panel links (`viewPanel=`)
 * and the checked-in JSON stable.
 */
export function buildWithPanelIds(builder: DashboardBuilder): Dashboard {
  const dashboard = builder.build();
  let id = 0;
  const panels: (Panel | RowPanel)[] = dashboard.panels ?? [];
  for (const panel of panels) {
    id++;
    panel.id = id;
  }
  return dashboard;
}

/** What sets one slowatch dashboard apart from the others. */
export interface SlowatchDashboardOptions {
  readonly title: string;
  readonly uid: string;
  readonly description: string;
  /** Its tag beside `slowatch`. */
  readonly tag: string;
  /** Start of the default time range, e.g. `now-24h`. */
  readonly from: string;
}

/**
 * A dashboard builder with the settings every slowatch dashboard shares:
 * tags, editable, shared crosshair, the default time range up to now,
 * 1-minute refresh, the browser's time zone and the datasource variable.
 */
export function slowatchDashboard(options: SlowatchDashboardOptions): DashboardBuilder {
  return new DashboardBuilder(options.title)
    .uid(options.uid)
    .description(options.description)
    .tags([DASHBOARD_TAG, options.tag])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: options.from, to: 'now' })
    .refresh('1m')
    .timezone('browser')
    .withVariable(datasourceVariable());
}
