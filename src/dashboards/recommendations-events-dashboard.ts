import { RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { BigValueColorMode, BigValueGraphMode, GraphDrawStyle, StackingConfigBuilder, StackingMode } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { PROMETHEUS_DATASOURCE, buildWithPanelIds, labelValuesVariable, prometheusQuery, thresholds, slowatchDashboard } from './dashboard-conventions';

/*
 * What slowatch found and what happened: the open recommendations with what
 * a fix is worth, anomaly starts, deploys and their verdicts. Panels whose
 * query is legitimately empty (nothing to recommend, no deploy judged yet)
 * say so with `noValue`, which `dashboardQueries` reports as `mayBeEmpty`.
 */

export const RECOMMENDATIONS_EVENTS_UID = 'slowatch-recommendations-events';

const SERVICES = 'service=~"$service"';

/** A count; `alertAt` turns the background orange from that value on. */
function countStat(title: string, description: string, expr: string, alertAt?: number): StatPanelBuilder {
  return new StatPanelBuilder()
    .title(title)
    .description(description)
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(prometheusQuery(expr))
    .graphMode(BigValueGraphMode.Area)
    .colorMode(alertAt === undefined ? BigValueColorMode.None : BigValueColorMode.Background)
    .thresholds(thresholds('green', alertAt === undefined ? [] : [[alertAt, 'orange']]))
    .span(6)
    .height(4);
}

export function openRecommendationsPanel(): StatPanelBuilder {
  return countStat('Open recommendations', 'Recommendations of the `recommend` processor that are open now.', `count(slowatch_recommendation_info{${SERVICES}}) or vector(0)`, 1);
}

export function openAnomaliesPanel(): StatPanelBuilder {
  return countStat('Open anomalies', 'Anomalies open now, over every operation and signal.', `sum(slowatch_anomaly_active{${SERVICES}}) or vector(0)`, 1);
}

export function deploysPanel(): StatPanelBuilder {
  return countStat(
    'Deploys',
    'New `service.version` values seen in the time range.',
    `sum(increase(slowatch_regression_deploys_total{${SERVICES}}[$__range])) or vector(0)`,
  );
}

export function deployRegressionsPanel(): StatPanelBuilder {
  return countStat(
    'Deploy regressions',
    'Operations a new version made slower (Kayenta\'s Mann-Whitney classifier) in the time range.',
    `sum(increase(slowatch_regression_events_total{${SERVICES}, outcome="regression"}[$__range])) or vector(0)`,
    1,
  );
}

export function recommendationsTablePanel(): TablePanelBuilder {
  return new TablePanelBuilder()
    .title('Recommendations')
    .description('Open recommendations, the largest time saved per affected request first. `slowatch recommendations` or the web API give the evidence and example traces.')
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(
      prometheusQuery(
        `max by (id, type, service, operation) (slowatch_recommendation_impact_seconds{${SERVICES}}) * on (id) group_left (severity) max by (id, severity) (slowatch_recommendation_info{${SERVICES}})`,
        { table: true },
      ),
    )
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: { Time: true },
        indexByName: { severity: 0, type: 1, service: 2, operation: 3, Value: 4, id: 5 },
        renameByName: { severity: 'Severity', type: 'Type', service: 'Service', operation: 'Operation', Value: 'Time saved per request', id: 'Id' },
      },
    })
    .withTransformation({ id: 'sortBy', options: { sort: [{ field: 'Time saved per request', desc: true }] } })
    .overrideByName('Time saved per request', [{ id: 'unit', value: 's' }])
    .noValue('No open recommendation')
    .span(24)
    .height(9);
}

export function recommendationsByTypePanel(): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title('Open recommendations by type')
    .description('How many recommendations of each type were open, over time.')
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(prometheusQuery(`count by (type) (slowatch_recommendation_info{${SERVICES}})`, { legend: '{{type}}' }))
    .stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
    .fillOpacity(30)
    .min(0)
    .decimals(0)
    .noValue('No open recommendation')
    .span(12)
    .height(8);
}

export function anomalyEventsPanel(): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title('Anomalies started')
    .description('Anomaly starts per signal, over every service (the event counter carries no service label).')
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(prometheusQuery('sum by (signal) (increase(slowatch_anomaly_events_total{edge="start"}[$__rate_interval]))', { legend: '{{signal}}' }))
    .drawStyle(GraphDrawStyle.Bars)
    .fillOpacity(60)
    .stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
    .min(0)
    .span(12)
    .height(8);
}

export function regressionEventsPanel(): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title('Deploy verdicts')
    .description('Regressions and improvements found when a new version of an operation was judged against the one it replaced.')
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(
      prometheusQuery(`sum by (service, operation, outcome) (increase(slowatch_regression_events_total{${SERVICES}}[$__rate_interval]))`, {
        legend: '{{outcome}}: {{service}} {{operation}}',
      }),
    )
    .drawStyle(GraphDrawStyle.Bars)
    .fillOpacity(60)
    .min(0)
    .noValue('No deploy regression or improvement')
    .span(24)
    .height(8);
}

export function latestVerdictsPanel(): TablePanelBuilder {
  return new TablePanelBuilder()
    .title('Latest verdict per operation')
    .description('The newest deploy verdict of each operation: mean latency of the new version / that of the one it replaced, and the p-value of the Mann-Whitney test.')
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(
      prometheusQuery(`max by (service, operation, baseline_version, version, outcome, canary) (slowatch_regression_effect_size_ratio{${SERVICES}})`, {
        refId: 'A',
        table: true,
      }),
    )
    .withTarget(prometheusQuery(`max by (service, operation, baseline_version, version, outcome, canary) (slowatch_regression_p_value{${SERVICES}})`, { refId: 'B', table: true }))
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: { Time: true },
        renameByName: { 'Value #A': 'Effect size', 'Value #B': 'p-value' },
      },
    })
    .overrideByName('Effect size', [{ id: 'unit', value: 'suffix:×' }])
    .noValue('No deploy judged yet')
    .span(24)
    .height(8);
}

/** The recommendations and events dashboard (uid `slowatch-recommendations-events`), templated by `service`. */
export function recommendationsEventsDashboard(): Dashboard {
  const builder = slowatchDashboard({ title: 'slowatch / Recommendations and events', uid: RECOMMENDATIONS_EVENTS_UID, description: 'Open recommendations with what a fix is worth, anomaly starts, deploys and their regression verdicts.', tag: 'recommendations', from: 'now-24h' })
    .withVariable(labelValuesVariable({ name: 'service', label: 'Service', query: 'label_values(slowatch_slo_events_total, service)', multi: true }))
    .withPanel(openRecommendationsPanel())
    .withPanel(openAnomaliesPanel())
    .withPanel(deploysPanel())
    .withPanel(deployRegressionsPanel())
    .withPanel(recommendationsTablePanel())
    .withPanel(recommendationsByTypePanel())
    .withPanel(anomalyEventsPanel())
    .withRow(new RowBuilder('Deploys'))
    .withPanel(regressionEventsPanel())
    .withPanel(latestVerdictsPanel());
  return buildWithPanelIds(builder);
}
