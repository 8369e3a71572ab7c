import { MappingType, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { BigValueColorMode, BigValueGraphMode, LegendDisplayMode, LegendPlacement, VisibilityMode, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelinePanelBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { googleAlertWindows } from '../slo/alert-windows';
import { HOUR_MS, SLO_WINDOWS } from '../slo/durations';
import type { AlertWindow } from '../slo/objective';
import { DASHED_LINE, PROMETHEUS_DATASOURCE, buildWithPanelIds, labelValuesVariable, prometheusQuery, thresholds, slowatchDashboard } from './dashboard-conventions';

/*
 * One SLO in detail, picked by the `sloth_service` and `sloth_slo`
 * variables: its SLI against the objective, the budget burning down over the
 * period, each alert window's burn rate against the factor its rule fires
 * at, and when the alerts fired. Sloth's rule names only, as the overview.
 */

export const SLO_DETAIL_UID = 'slowatch-slo-detail';

/** The label matchers of the selected SLO. */
const SELECTED = 'sloth_service="$sloth_service", sloth_slo="$sloth_slo"';

const LEGEND_TABLE = (): VizLegendOptionsBuilder =>
  new VizLegendOptionsBuilder().displayMode(LegendDisplayMode.Table).placement(LegendPlacement.Right).showLegend(true).calcs(['lastNotNull', 'max']);

function windowLabel(ms: number): string {
  const window = SLO_WINDOWS.find((w) => w.ms === ms);
  if (window === undefined) throw new Error(`no SLO window lasts ${ms} ms`);
  return window.label;
}

function burnRateOver(window: string): string {
  return `max(slo:sli_error:ratio_rate${window}{${SELECTED}}) / max(slo:error_budget:ratio{${SELECTED}})`;
}

/**
 * The burn rate at which an alert rule fires, as PromQL, from the SLO's own
 * period (`slo:time_period:days`): budget share × period hours / long window
 * hours, Sloth's factor (14.4, 6, 3, 1 at 30d). Computed rather than typed in
 * so the lines are right for a 28d or 7d period too. It assumes the default
 * (Google, SRE Workbook) windows that Sloth and `alerting.windows: google`
 * use; an SLO with custom windows has other thresholds.
 */
function alertFactorExpr(window: AlertWindow): string {
  const longHours = window.longWindowMs / HOUR_MS;
  return `max(slo:time_period:days{${SELECTED}}) * 24 * ${window.errorBudgetPercent / 100} / ${longHours}`;
}

function sloStat(title: string, description: string, expr: string, unit: string): StatPanelBuilder {
  return new StatPanelBuilder()
    .title(title)
    .description(description)
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(prometheusQuery(expr))
    .unit(unit)
    .graphMode(BigValueGraphMode.None)
    .colorMode(BigValueColorMode.None)
    .span(4)
    .height(4);
}

export function objectivePanel(): StatPanelBuilder {
  return sloStat('Objective', 'The share of good events the SLO promises.', `max(slo:objective:ratio{${SELECTED}})`, 'percentunit').decimals(3);
}

export function periodPanel(): StatPanelBuilder {
  return sloStat('Period', 'The rolling period the objective and the budget apply to.', `max(slo:time_period:days{${SELECTED}})`, 'suffix: d');
}

export function periodSliPanel(): StatPanelBuilder {
  return sloStat(
    'SLI over the period',
    'The share of good events over the period: 1 − period burn rate × error budget.',
    `1 - max(slo:period_burn_rate:ratio{${SELECTED}}) * max(slo:error_budget:ratio{${SELECTED}})`,
    'percentunit',
  ).decimals(3);
}

export function budgetRemainingStatPanel(): StatPanelBuilder {
  return sloStat(
    'Error budget remaining',
    'What is left of the error budget over the period; negative once overspent.',
    // The worst series' budget, when group_by splits the SLO.
    `min(slo:period_error_budget_remaining:ratio{${SELECTED}})`,
    'percentunit',
  )
    .colorMode(BigValueColorMode.Background)
    .thresholds(thresholds('red', [[0, 'orange'], [0.25, 'green']]));
}

export function periodBurnRatePanel(): StatPanelBuilder {
  return sloStat('Burn rate (period)', 'Error ratio over the period / (1 − objective); above 1× the budget runs out before the period ends.', `max(slo:period_burn_rate:ratio{${SELECTED}})`, 'suffix:×')
    .colorMode(BigValueColorMode.Value)
    .thresholds(thresholds('green', [[1, 'red']]));
}

export function currentBurnRatePanel(): StatPanelBuilder {
  return sloStat('Burn rate (5m)', 'Error ratio over the last 5 minutes / (1 − objective).', `max(slo:current_burn_rate:ratio{${SELECTED}})`, 'suffix:×')
    .colorMode(BigValueColorMode.Value)
    .thresholds(thresholds('green', [[1, 'orange'], [6, 'red']]));
}

export function sliAgainstObjectivePanel(): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title('SLI against the objective')
    .description('The share of good events over 5m, 1h and the period, against the objective (dashed). Below the line, the SLO is burning budget faster than it may.')
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(prometheusQuery(`1 - max(slo:sli_error:ratio_rate5m{${SELECTED}})`, { refId: 'A', legend: 'SLI 5m' }))
    .withTarget(prometheusQuery(`1 - max(slo:sli_error:ratio_rate1h{${SELECTED}})`, { refId: 'B', legend: 'SLI 1h' }))
    .withTarget(
      prometheusQuery(`1 - max(slo:period_burn_rate:ratio{${SELECTED}}) * max(slo:error_budget:ratio{${SELECTED}})`, { refId: 'C', legend: 'SLI over the period' }),
    )
    .withTarget(prometheusQuery(`max(slo:objective:ratio{${SELECTED}})`, { refId: 'D', legend: 'objective' }))
    .overrideByName('objective', [DASHED_LINE, { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }])
    .unit('percentunit')
    .decimals(3)
    .legend(LEGEND_TABLE())
    .span(24)
    .height(8);
}

export function budgetBurnDownPanel(): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title('Error budget burn-down')
    .description('What is left of the rolling period\'s error budget, over the last 30 days (the default period). At 0 the budget is spent.')
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(prometheusQuery(`min(slo:period_error_budget_remaining:ratio{${SELECTED}})`, { legend: 'budget remaining' }))
    .timeFrom('30d')
    .unit('percentunit')
    .fillOpacity(20)
    .thresholds(thresholds('red', [[0, 'green']]))
    .span(12)
    .height(8);
}

export function alertTimelinePanel(): StateTimelinePanelBuilder {
  return new StateTimelinePanelBuilder()
    .title('Alerts')
    .description('When the page and ticket burn-rate alerts of this SLO were firing (Prometheus `ALERTS`).')
    .datasource(PROMETHEUS_DATASOURCE)
    // `or vector(0)` draws "ok" rather than nothing while no alert fires.
    .withTarget(prometheusQuery(`max(ALERTS{alertstate="firing", sloth_severity="page", ${SELECTED}}) or vector(0)`, { refId: 'A', legend: 'page' }))
    .withTarget(prometheusQuery(`max(ALERTS{alertstate="firing", sloth_severity="ticket", ${SELECTED}}) or vector(0)`, { refId: 'B', legend: 'ticket' }))
    .mappings([
      {
        type: MappingType.ValueToText,
        options: { '0': { text: 'ok', color: 'green', index: 0 }, '1': { text: 'firing', color: 'red', index: 1 } },
      },
    ])
    .showValue(VisibilityMode.Never)
    .span(12)
    .height(8);
}

export function pageBurnRatePanel(): TimeseriesPanelBuilder {
  return burnRateAgainstThresholds('page', 'Burn rate: page windows', 'The page rules fire when both windows of a pair (5m and 1h, 30m and 6h) burn above their factor (dashed).');
}

export function ticketBurnRatePanel(): TimeseriesPanelBuilder {
  return burnRateAgainstThresholds('ticket', 'Burn rate: ticket windows', 'The ticket rules fire when both windows of a pair (2h and 1d, 6h and 3d) burn above their factor (dashed).');
}

function burnRateAgainstThresholds(severity: 'page' | 'ticket', title: string, description: string): TimeseriesPanelBuilder {
  const rules = googleAlertWindows().filter((w) => w.severity === severity);
  const windows = [...new Set(rules.flatMap((w) => [w.shortWindowMs, w.longWindowMs]))].sort((a, b) => a - b).map(windowLabel);
  const panel = new TimeseriesPanelBuilder()
    .title(title)
    .description(description)
    .datasource(PROMETHEUS_DATASOURCE)
    .unit('suffix:×')
    .min(0)
    .legend(LEGEND_TABLE())
    .span(12)
    .height(9);
  let refId = 'A'.charCodeAt(0);
  for (const window of windows) panel.withTarget(prometheusQuery(burnRateOver(window), { refId: String.fromCharCode(refId++), legend: window }));
  for (const rule of rules) {
    const legend = `${rule.severity} threshold ${windowLabel(rule.shortWindowMs)}/${windowLabel(rule.longWindowMs)}`;
    panel.withTarget(prometheusQuery(alertFactorExpr(rule), { refId: String.fromCharCode(refId++), legend }));
  }
  panel.overrideByRegexp('/threshold/', [DASHED_LINE, { id: 'color', value: { mode: 'fixed', fixedColor: severity === 'page' ? 'red' : 'orange' } }]);
  return panel;
}

/** The SLO detail dashboard (uid `slowatch-slo-detail`), templated by `sloth_service` and `sloth_slo`. */
export function sloDetailDashboard(): Dashboard {
  const builder = slowatchDashboard({ title: 'slowatch / SLO detail', uid: SLO_DETAIL_UID, description: 'One SLO: SLI against the objective, error budget burn-down, burn rate per alert window against the alert thresholds, alert timeline.', tag: 'slo', from: 'now-24h' })
    .withVariable(labelValuesVariable({ name: 'sloth_service', label: 'Service', query: 'label_values(sloth_slo_info, sloth_service)' }))
    .withVariable(labelValuesVariable({ name: 'sloth_slo', label: 'SLO', query: 'label_values(sloth_slo_info{sloth_service="$sloth_service"}, sloth_slo)' }))
    .withPanel(objectivePanel())
    .withPanel(periodPanel())
    .withPanel(periodSliPanel())
    .withPanel(budgetRemainingStatPanel())
    .withPanel(periodBurnRatePanel())
    .withPanel(currentBurnRatePanel())
    .withPanel(sliAgainstObjectivePanel())
    .withPanel(budgetBurnDownPanel())
    .withPanel(alertTimelinePanel())
    .withRow(new RowBuilder('Burn rate per alert window'))
    .withPanel(pageBurnRatePanel())
    .withPanel(ticketBurnRatePanel());
  return buildWithPanelIds(builder);
}
