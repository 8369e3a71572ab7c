import { MappingType, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { GraphThresholdsStyleConfigBuilder, GraphThresholdsStyleMode, LegendDisplayMode, LegendPlacement, VisibilityMode, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as StateTimelinePanelBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { DASHED_LINE, PROMETHEUS_DATASOURCE, buildWithPanelIds, labelValuesVariable, prometheusQuery, thresholds, slowatchDashboard } from './dashboard-conventions';

/*
 * One service's rate, errors and duration against what the `baseline`
 * processor learnt is normal, and the anomalies the `anomaly` processor
 * opened. The observed rate and error ratio come from the SLO counters
 * (`slowatch_slo_events_total`, which carries `service` but no operation);
 * the baselines and anomalies are per operation. slowatch exports no
 * observed latency quantile per operation, so the duration panel shows the
 * baseline band and the anomaly panels tell when the latency left it.
 */

export const SERVICE_PERFORMANCE_UID = 'slowatch-service-performance';

const SERVICE = 'service="$service"';
/** The selected operations of the service, as served (the span kind SLOs count by default). */
const SERVED_OPERATIONS = 'service="$service", operation=~"$operation", span_kind="server"';
/** Anomalies of every span kind: a slow dependency (client span) matters as much as a slow handler. */
const OPERATIONS = 'service="$service", operation=~"$operation"';

const LEGEND_TABLE = (): VizLegendOptionsBuilder =>
  new VizLegendOptionsBuilder().displayMode(LegendDisplayMode.Table).placement(LegendPlacement.Bottom).showLegend(true).calcs(['mean', 'lastNotNull']);

export function requestRatePanel(): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title('Rate')
    .description(
      'Spans per second of the service as its SLOs count them (the widest SLO; every operation), against the baseline throughput of the selected operations (dashed).',
    )
    .datasource(PROMETHEUS_DATASOURCE)
    // Each SLO counts the spans it selects; the widest is the service's rate, and summing SLOs would count a span once per SLO.
    .withTarget(prometheusQuery(`max(sum by (slo) (rate(slowatch_slo_events_total{${SERVICE}}[$__rate_interval])))`, { refId: 'A', legend: 'observed' }))
    .withTarget(prometheusQuery(`sum(slowatch_baseline_spans_per_second{${SERVED_OPERATIONS}})`, { refId: 'B', legend: 'baseline' }))
    .overrideByName('baseline', [DASHED_LINE])
    .unit('reqps')
    .min(0)
    .legend(LEGEND_TABLE())
    .span(8)
    .height(8);
}

export function errorRatioPanel(): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title('Errors')
    .description(
      'Share of bad events per SLO of the service (failed spans for an availability SLO, slow ones for a latency SLO), against the baseline error ratio of the selected operations, weighted by their baseline throughput (dashed).',
    )
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(
      prometheusQuery(
        `sum by (slo) (rate(slowatch_slo_events_total{${SERVICE}, outcome="bad"}[$__rate_interval])) / sum by (slo) (rate(slowatch_slo_events_total{${SERVICE}}[$__rate_interval]))`,
        { refId: 'A', legend: 'bad, SLO {{slo}}' },
      ),
    )
    .withTarget(
      prometheusQuery(
        `sum(slowatch_baseline_error_ratio{${SERVED_OPERATIONS}} * slowatch_baseline_spans_per_second{${SERVED_OPERATIONS}}) / sum(slowatch_baseline_spans_per_second{${SERVED_OPERATIONS}})`,
        { refId: 'B', legend: 'baseline error ratio' },
      ),
    )
    .overrideByName('baseline error ratio', [DASHED_LINE])
    .unit('percentunit')
    .min(0)
    .legend(LEGEND_TABLE())
    .span(8)
    .height(8);
}

export function durationBandPanel(): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title('Duration: baseline band')
    .description(
      'The baseline latency quantiles of the selected operations (the highest operation per quantile when several are selected); the band between p50 and p99 is what normal looks like. ' +
        'The anomaly panels below show when the observed latency left it.',
    )
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(prometheusQuery(`max by (percentile) (slowatch_baseline_latency_seconds{${SERVED_OPERATIONS}})`, { legend: 'baseline p{{percentile}}' }))
    .overrideByName('baseline p99', [{ id: 'custom.fillBelowTo', value: 'baseline p50' }])
    .unit('s')
    .min(0)
    .fillOpacity(10)
    .legend(LEGEND_TABLE())
    .span(8)
    .height(8);
}

export function anomalyScorePanel(): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title('Anomaly score')
    .description('The detector\'s latest score per operation and signal, 0 (normal) to 1; 0.5 and above (dashed) is anomalous evidence.')
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(prometheusQuery(`max by (operation, signal) (slowatch_anomaly_score{${OPERATIONS}})`, { legend: '{{operation}} {{signal}}' }))
    .unit('percentunit')
    .min(0)
    .max(1)
    .thresholds(thresholds('transparent', [[0.5, 'red']]))
    .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed))
    .legend(LEGEND_TABLE())
    .span(12)
    .height(8);
}

export function activeAnomaliesPanel(): StateTimelinePanelBuilder {
  return new StateTimelinePanelBuilder()
    .title('Anomalies')
    .description('When an anomaly was open, per operation and signal.')
    .datasource(PROMETHEUS_DATASOURCE)
    .withTarget(prometheusQuery(`max by (operation, signal) (slowatch_anomaly_active{${OPERATIONS}})`, { legend: '{{operation}} {{signal}}' }))
    .mappings([
      {
        type: MappingType.ValueToText,
        options: { '0': { text: 'normal', color: 'green', index: 0 }, '1': { text: 'anomaly', color: 'red', index: 1 } },
      },
    ])
    .showValue(VisibilityMode.Never)
    .span(12)
    .height(8);
}

/** One column of the operations table. */
interface OperationColumn {
  readonly refId: string;
  readonly header: string;
  readonly expr: string;
  readonly unit: string;
}

const OPERATION_COLUMNS: readonly OperationColumn[] = [
  { refId: 'A', header: 'Baseline rate', expr: `sum by (operation) (slowatch_baseline_spans_per_second{${SERVED_OPERATIONS}})`, unit: 'reqps' },
  { refId: 'B', header: 'Baseline error ratio', expr: `max by (operation) (slowatch_baseline_error_ratio{${SERVED_OPERATIONS}})`, unit: 'percentunit' },
  { refId: 'C', header: 'Baseline p50', expr: `max by (operation) (slowatch_baseline_latency_seconds{${SERVED_OPERATIONS}, percentile="50"})`, unit: 's' },
  { refId: 'D', header: 'Baseline p99', expr: `max by (operation) (slowatch_baseline_latency_seconds{${SERVED_OPERATIONS}, percentile="99"})`, unit: 's' },
  { refId: 'E', header: 'Open anomalies', expr: `sum by (operation) (slowatch_anomaly_active{${SERVED_OPERATIONS}})`, unit: 'none' },
];

export function operationsTablePanel(): TablePanelBuilder {
  const panel = new TablePanelBuilder()
    .title('Operations')
    .description('Per served operation: its baselines now and its open anomalies, the busiest first.')
    .datasource(PROMETHEUS_DATASOURCE)
    .targets(OPERATION_COLUMNS.map((column) => prometheusQuery(column.expr, { refId: column.refId, table: true })))
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: {
        excludeByName: { Time: true },
        indexByName: Object.fromEntries(['operation', ...OPERATION_COLUMNS.map((c) => `Value #${c.refId}`)].map((name, i) => [name, i])),
        renameByName: { operation: 'Operation', ...Object.fromEntries(OPERATION_COLUMNS.map((c) => [`Value #${c.refId}`, c.header])) },
      },
    })
    .withTransformation({ id: 'sortBy', options: { sort: [{ field: 'Baseline rate', desc: true }] } })
    .span(24)
    .height(9);
  for (const column of OPERATION_COLUMNS) panel.overrideByName(column.header, [{ id: 'unit', value: column.unit }]);
  return panel;
}

/** The service performance dashboard (uid `slowatch-service-performance`), templated by `service` and `operation`. */
export function servicePerformanceDashboard(): Dashboard {
  const builder = slowatchDashboard({ title: 'slowatch / Service performance', uid: SERVICE_PERFORMANCE_UID, description: 'Rate, errors and duration of a service against its baselines, and its anomalies.', tag: 'performance', from: 'now-6h' })
    .withVariable(labelValuesVariable({ name: 'service', label: 'Service', query: 'label_values(slowatch_slo_events_total, service)' }))
    .withVariable(
      labelValuesVariable({ name: 'operation', label: 'Operation', query: 'label_values(slowatch_baseline_spans_per_second{service="$service"}, operation)', multi: true }),
    )
    .withRow(new RowBuilder('Rate, errors, duration'))
    .withPanel(requestRatePanel())
    .withPanel(errorRatioPanel())
    .withPanel(durationBandPanel())
    .withRow(new RowBuilder('Anomalies'))
    .withPanel(anomalyScorePanel())
    .withPanel(activeAnomaliesPanel())
    .withRow(new RowBuilder('Operations'))
    .withPanel(operationsTablePanel());
  return buildWithPanelIds(builder);
}
