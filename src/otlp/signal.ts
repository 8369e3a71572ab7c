/** The three OTLP signals, named as in `service.pipelines` and the `/v1/<signal>` HTTP paths. */
export type Signal = 'traces' | 'metrics' | 'logs';

export const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];

/** What one item of a signal is called in counters and messages. */
export const ITEM_NOUN: Readonly<Record<Signal, { readonly one: string; readonly many: string; readonly metricName: string }>> = {
  traces: { one: 'span', many: 'spans', metricName: 'spans' },
  metrics: { one: 'metric point', many: 'metric points', metricName: 'metric_points' },
  logs: { one: 'log record', many: 'log records', metricName: 'log_records' },
};
