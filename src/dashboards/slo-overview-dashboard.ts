import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard, DynamicConfigValue } from '@grafana/grafana-foundation-sdk/dashboard';
import { BigValueColorMode, BigValueGraphMode, LegendDisplayMode, LegendPlacement, TableCellDisplayMode, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { PROMETHEUS_DATASOURCE, SLO_LABELS, buildWithPanelIds, prometheusQuery, thresholds, slowatchDashboard } from './dashboard-conventions';
import { SLO_DETAIL_UID } from './slo-detail-dashboard';

/*
 * The SLO overview: every SLO on one screen, worst budget first. It reads
 * only Sloth's rule names (`slowatch rules` generates them from the same SLO
 * definitions), so it sums every gateway and agent behind one Prometheus,
 * and it works unchanged on SLOs Sloth itself generated.
 */

export const SLO_OVERVIEW_UID = 'slowatch-slo-overview';

/** The per-SLO grouping every query of this dashboard uses. */
const BY_SLO = `max by (${SLO_LABELS})`;
/**
 * The budget of an SLO split into series (group_by) is its worst series': the
 * lowest remaining, where burn rates and error ratios take the highest.
 */
const WORST_BUDGET_BY_SLO = `min by (${SLO_LABELS})`;

/** SLI over the period = 1 − period burn rate × budget: right whatever the period (30d, 28d, 7d). */
const PERIOD_SLI = `1 - ${BY_SLO} (slo:period_burn_rate:ratio) * ${BY_SLO} (slo:error_budget:ratio)`;

function burnRateOver(window: string): string {
  return `${BY_SLO} (slo:sli_error:ratio_rate${window}) / ${BY_SLO} (slo:error_budget:ratio)`;
}

/** Firing Sloth alerts of a severity per SLO, 0 (not absent) for an SLO with none. */
function firingAlerts(severity: 'page' | 'ticket'): string {
  return `count by (${SLO_LABELS}) (ALERTS{alertstate="firing", sloth_severity="${severity}"}) or 0 * ${BY_SLO} (sloth_slo_info)`;
}

/** Burn rate colors: under 1 the budget lasts the period; 6 and 14.4 are the page rules' factors at 30d. */
const BURN_RATE_STEPS = [
  [1, 'orange'],
  [6, 'red'],
] as const;

export function sloCountPanel(): StatPanelBuilder {
  return new StatPanelBuilder()
    .title('SLOs')
    .description('SLOs with recording rules (`sloth_slo_info`).')
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(prometheusQuery(`count(${BY_SLO} (sloth_slo_info))`))
    .graphMode(BigValueGraphMode.None)
    .colorMode(BigValueColorMode.None)
    .span(6)
    .height(4);
}

export function slosOutOfBudgetPanel(): StatPanelBuilder {
  return new StatPanelBuilder()
    .title('SLOs out of error budget')
    .description('SLOs whose error budget over the period is spent (remaining ≤ 0).')
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(prometheusQuery(`count(${WORST_BUDGET_BY_SLO} (slo:period_error_budget_remaining:ratio) <= 0) or vector(0)`))
    .graphMode(BigValueGraphMode.Area)
    .colorMode(BigValueColorMode.Background)
    .thresholds(thresholds('green', [[1, 'red']]))
    .span(6)
    .height(4);
}

export function firingPageAlertsPanel(): StatPanelBuilder {
  return firingAlertsStat('page', 'Firing page alerts', 'SLOs with a firing page alert (fast burn: 2 % of the budget in 1h, or 5 % in 6h).');
}

export function firingTicketAlertsPanel(): StatPanelBuilder {
  return firingAlertsStat('ticket', 'Firing ticket alerts', 'SLOs with a firing ticket alert (slow burn: 10 % of the budget in 1d or 3d).');
}

function firingAlertsStat(severity: 'page' | 'ticket', title: string, description: string): StatPanelBuilder {
  return new StatPanelBuilder()
    .title(title)
    .description(description)
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(prometheusQuery(`count(${BY_SLO} (ALERTS{alertstate="firing", sloth_severity="${severity}"})) or vector(0)`))
    .graphMode(BigValueGraphMode.Area)
    .colorMode(BigValueColorMode.Background)
    .thresholds(thresholds('green', [[1, severity === 'page' ? 'red' : 'orange']]))
    .span(6)
    .height(4);
}

/** One column of the SLO table: its query, its header and its unit. */
interface SloColumn {
  readonly refId: string;
  readonly header: string;
  readonly expr: string;
  readonly unit: string;
  readonly colors?: readonly (readonly [number, string])[];
  readonly base?: string;
}

const SLO_COLUMNS: readonly SloColumn[] = [
  { refId: 'A', header: 'Budget remaining', expr: `${WORST_BUDGET_BY_SLO} (slo:period_error_budget_remaining:ratio)`, unit: 'percentunit', base: 'red', colors: [[0, 'orange'], [0.25, 'green']] },
  { refId: 'B', header: 'Objective', expr: `${BY_SLO} (slo:objective:ratio)`, unit: 'percentunit' },
  { refId: 'C', header: 'SLI (period)', expr: PERIOD_SLI, unit: 'percentunit' },
  { refId: 'D', header: 'Burn rate 5m', expr: `${BY_SLO} (slo:current_burn_rate:ratio)`, unit: 'suffix:×', colors: BURN_RATE_STEPS },
  { refId: 'E', header: 'Burn rate 1h', expr: burnRateOver('1h'), unit: 'suffix:×', colors: BURN_RATE_STEPS },
  { refId: 'F', header: 'Burn rate 6h', expr: burnRateOver('6h'), unit: 'suffix:×', colors: BURN_RATE_STEPS },
  { refId: 'G', header: 'Burn rate (period)', expr: `${BY_SLO} (slo:period_burn_rate:ratio)`, unit: 'suffix:×', colors: BURN_RATE_STEPS },
  { refId: 'H', header: 'Page alerts', expr: firingAlerts('page'), unit: 'none', colors: [[1, 'red']] },
  { refId: 'I', header: 'Ticket alerts', expr: firingAlerts('ticket'), unit: 'none', colors: [[1, 'orange']] },
];

export function sloTablePanel(): TablePanelBuilder {
  const panel = new TablePanelBuilder()
    .title('Every SLO, by error budget remaining')
    .description(
      'One row per SLO, the least budget first: what is left of the error budget over the period, the objective, the SLI over the period, ' +
        'the burn rate over 5m, 1h, 6h and the period (1× spends exactly the budget in one period), and the firing alerts. Click an SLO for its detail.',
    )
    .datasource(PROMETHEUS_DATASOURCE)
    .targets(SLO_COLUMNS.map((column) => prometheusQuery(column.expr, { refId: column.refId, table: true })))
    // Each instant query is one frame; `merge` joins them on the SLO labels into one row per SLO.
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: { Time: true, sloth_id: true },
        indexByName: Object.fromEntries(['sloth_service', 'sloth_slo', ...SLO_COLUMNS.map((c) => `Value #${c.refId}`)].map((name, i) => [name, i])),
        renameByName: {
          sloth_service: 'Service',
          sloth_slo: 'SLO',
          ...Object.fromEntries(SLO_COLUMNS.map((c) => [`Value #${c.refId}`, c.header])),
        },
      },
    })
    .withTransformation({ id: 'sortBy', options: { sort: [{ field: 'Budget remaining', desc: false }] } })
    .span(24)
    .height(10);
  panel.overrideByName('SLO', [
    {
      id: 'links',
      value: [{ title: 'SLO detail', url: `/d/${SLO_DETAIL_UID}?\${__url_time_range}&var-sloth_service=\${__data.fields.Service}&var-sloth_slo=\${__value.raw}` }],
    },
  ]);
  for (const column of SLO_COLUMNS) {
    const properties: DynamicConfigValue[] = [{ id: 'unit', value: column.unit }];
    if (column.colors !== undefined) {
      properties.push(
        { id: 'thresholds', value: thresholds(column.base ?? 'green', column.colors).build() },
        { id: 'custom.cellOptions', value: { type: TableCellDisplayMode.ColorText } },
      );
    }
    panel.overrideByName(column.header, properties);
  }
  return panel;
}

export function budgetRemainingPanel(): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title('Error budget remaining over the period')
    .description('Per SLO, the share of the error budget of the rolling period still unspent; below 0 the SLO is out of budget.')
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(prometheusQuery(`${WORST_BUDGET_BY_SLO} (slo:period_error_budget_remaining:ratio)`, { legend: '{{sloth_service}} / {{sloth_slo}}' }))
    .unit('percentunit')
    .legend(new VizLegendOptionsBuilder().displayMode(LegendDisplayMode.Table).placement(LegendPlacement.Right).showLegend(true).calcs(['lastNotNull']))
    .span(12)
    .height(9);
}

export function currentBurnRatePanel(): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title('Burn rate (5m)')
    .description('Per SLO, how fast the error budget burns now: error ratio over 5m / (1 − objective). At 1× the budget lasts exactly one period.')
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(prometheusQuery(`${BY_SLO} (slo:current_burn_rate:ratio)`, { legend: '{{sloth_service}} / {{sloth_slo}}' }))
    .unit('suffix:×')
    .min(0)
    .legend(new VizLegendOptionsBuilder().displayMode(LegendDisplayMode.Table).placement(LegendPlacement.Right).showLegend(true).calcs(['lastNotNull', 'max']))
    .span(12)
    .height(9);
}

/** The SLO overview dashboard (uid `slowatch-slo-overview`). */
export function sloOverviewDashboard(): Dashboard {
  const builder = slowatchDashboard({ title: 'slowatch / SLO overview', uid: SLO_OVERVIEW_UID, description: 'Every SLO, sorted by error budget remaining: objective, SLI over the period, burn rates and firing alerts, from the rules `slowatch rules` generates.', tag: 'slo', from: 'now-24h' })
    .withPanel(sloCountPanel())
    .withPanel(slosOutOfBudgetPanel())
    .withPanel(firingPageAlertsPanel())
    .withPanel(firingTicketAlertsPanel())
    .withPanel(sloTablePanel())
    .withRow(new RowBuilder('Over time'))
    .withPanel(budgetRemainingPanel())
    .withPanel(currentBurnRatePanel());
  return buildWithPanelIds(builder);
}
