import { describe, expect, it } from 'vitest';
import { anomalyLinkIssues } from '../../../processors/anomaly/anomaly-links';
import { agentSettingsFrom } from '../../../src/config/agent-settings';
import { ConfigError } from '../../../src/config/config-error';
import { formatConfigIssue } from '../../../src/config/config-issue';
import { parseConfigText } from '../../../src/config/parse-config';
import { checkGatewayConfig } from '../../../src/service/service';

function config(processors: string, pipelines: string) {
  return parseConfigText(`processors:\n  slo:\n${processors}\nservice:\n  pipelines:\n${pipelines}\n`, { file: 'x.yaml', env: {} });
}

function issues(processors: string, pipelines: string): string[] {
  return anomalyLinkIssues(config(processors, pipelines)).map(formatConfigIssue);
}

describe('anomaly → baseline links', () => {
  it('accepts a baseline listed before its anomaly processor in the same pipeline', () => {
    expect(issues('  baseline:\n  anomaly:', '    traces: { processors: [slo, baseline, anomaly] }')).toEqual([]);
    expect(issues('  baseline/a:\n  anomaly/a: { baseline: baseline/a }', '    traces: { processors: [baseline/a, slo, anomaly/a] }')).toEqual([]);
  });

  it('refuses an anomaly processor whose baseline is missing from its pipeline, naming the YAML path', () => {
    expect(issues('  baseline:\n  anomaly:', '    traces: { processors: [slo, anomaly] }\n    traces/b: { processors: [baseline] }')).toEqual([
      'service.pipelines.traces.processors[1]: processor "anomaly" reads baseline "baseline", which is not in pipeline traces; list it before "anomaly", e.g. processors: [baseline, anomaly] (<config>)',
    ]);
  });

  it('refuses an anomaly processor placed before its baseline', () => {
    expect(issues('  baseline:\n  anomaly:', '    traces: { processors: [anomaly, slo, baseline] }')).toEqual([
      'service.pipelines.traces.processors[0]: processor "anomaly" must come after the baseline it reads ("baseline" is at [2]), e.g. processors: [baseline, anomaly] (<config>)',
    ]);
  });

  it('refuses a baseline that is not defined', () => {
    expect(issues('  baseline/x:\n  anomaly:', '    traces: { processors: [baseline/x, anomaly] }')).toEqual([
      'processors.anomaly.baseline: baseline processor "baseline" is not defined under processors (defined baseline processors: baseline/x) (<config>)',
    ]);
  });

  it('refuses signals the baseline does not model', () => {
    expect(issues('  baseline: { signals: [latency_p99] }\n  anomaly:', '    traces: { processors: [baseline, anomaly] }')).toEqual([
      'processors.anomaly.signals: error_ratio, throughput are not modelled by baseline "baseline" (its signals: latency_p99) (<config>)',
    ]);
  });

  it('refuses a baseline in two pipelines (it would count spans twice) and one baseline read by two anomaly processors', () => {
    expect(
      issues(
        '  baseline:\n  anomaly:\n  anomaly/2: { baseline: baseline }',
        '    traces: { processors: [baseline, anomaly] }\n    traces/b: { processors: [baseline, anomaly/2] }',
      ),
    ).toEqual([
      'service.pipelines.traces/b.processors: processor "baseline" is already used by pipeline traces: a baseline processor belongs to one pipeline (define baseline/<name> per pipeline) (<config>)',
      'processors.anomaly/2.baseline: baseline "baseline" is already read by processor "anomaly": a baseline feeds one anomaly processor (<config>)',
    ]);
  });

  it('ignores components no pipeline uses', () => {
    expect(issues('  anomaly: { baseline: baseline/none }', '    traces: { processors: [slo] }')).toEqual([]);
  });

  it('is part of the gateway check (slowatch validate) and of the agent\'s settings', () => {
    const bad = config('  baseline:\n  anomaly:', '    traces: { processors: [slo, anomaly, baseline] }');
    expect(() => checkGatewayConfig(bad)).toThrow(ConfigError);
    expect(() => agentSettingsFrom({ source: 'x.yaml', config: bad })).toThrow('must come after the baseline it reads');

    const good = agentSettingsFrom({ source: 'x.yaml', config: config('  baseline: { max_keys: 5 }\n  anomaly:', '    traces: { processors: [slo, baseline, anomaly] }') });
    expect(good.baseline?.maxKeys).toBe(5);
    expect(good.anomaly?.baselineId).toBe('baseline');
    const plain = agentSettingsFrom({ source: 'x.yaml', config: config('', '    traces: { processors: [slo] }') });
    expect(plain.baseline).toBeUndefined();
    expect(plain.anomaly).toBeUndefined();
  });

  it('the agent runs at most one baseline', () => {
    const two = config('  baseline:\n  baseline/b:', '    traces: { processors: [slo, baseline] }\n    traces/b: { processors: [baseline/b] }');
    expect(() => agentSettingsFrom({ source: 'x.yaml', config: two })).toThrow('the agent runs at most one baseline processor, found 2 in the traces pipelines: baseline, baseline/b');
  });
});
