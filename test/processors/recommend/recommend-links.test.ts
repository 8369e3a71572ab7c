import { describe, expect, it } from 'vitest';
import { recommendLinkIssues } from '../../../processors/recommend/recommend-links';
import type { RecommendProcessorSettings } from '../../../processors/recommend/config';
import { agentSettingsFrom } from '../../../src/config/agent-settings';
import { ConfigError } from '../../../src/config/config-error';
import { formatConfigIssue } from '../../../src/config/config-issue';
import { parseConfigText } from '../../../src/config/parse-config';
import { checkGatewayConfig } from '../../../src/service/service';

function config(processors: string, pipelines: string) {
  return parseConfigText(`processors:\n  slo:\n${processors}\nservice:\n  pipelines:\n${pipelines}\n`, { file: 'x.yaml', env: {} });
}

function issues(processors: string, pipelines: string): string[] {
  return recommendLinkIssues(config(processors, pipelines)).map(formatConfigIssue);
}

describe('recommend processor links', () => {
  it('accepts one id in one traces, one metrics and one logs pipeline (they share one engine)', () => {
    expect(
      issues(
        '  recommend:',
        '    traces: { processors: [slo, recommend] }\n    metrics: { processors: [recommend] }\n    logs: { processors: [recommend] }',
      ),
    ).toEqual([]);
  });

  it('refuses an id in two traces pipelines, at the second pipeline\'s path', () => {
    expect(issues('  recommend:', '    traces: { processors: [slo, recommend] }\n    traces/b: { processors: [recommend] }')).toEqual([
      'service.pipelines.traces/b.processors: processor "recommend" is already used by pipeline traces: a recommend processor belongs to one traces pipeline (define recommend/<name> for another) (<config>)',
    ]);
  });

  it('refuses an id in two metrics or two logs pipelines too, naming the signal', () => {
    expect(
      issues(
        '  recommend:',
        '    traces: { processors: [slo, recommend] }\n    metrics/a: { processors: [recommend] }\n    metrics/b: { processors: [recommend] }\n    logs/a: { processors: [recommend] }\n    logs/b: { processors: [recommend] }',
      ),
    ).toEqual([
      'service.pipelines.metrics/b.processors: processor "recommend" is already used by pipeline metrics/a: a recommend processor belongs to one metrics pipeline (define recommend/<name> for another) (<config>)',
      'service.pipelines.logs/b.processors: processor "recommend" is already used by pipeline logs/a: a recommend processor belongs to one logs pipeline (define recommend/<name> for another) (<config>)',
    ]);
  });

  it('accepts two recommend ids in two traces pipelines', () => {
    expect(issues('  recommend/a:\n  recommend/b:', '    traces/a: { processors: [slo, recommend/a] }\n    traces/b: { processors: [recommend/b] }')).toEqual([]);
  });

  it('refuses an slo link to a processor that is not defined, naming the slo processors that are', () => {
    expect(issues('  slo/checkout:\n  recommend: { slo: slo/x }', '    traces: { processors: [slo, slo/checkout, recommend] }')).toEqual([
      'processors.recommend.slo: slo processor "slo/x" is not defined under processors (defined slo processors: slo, slo/checkout) (<config>)',
    ]);
    expect(issues('  recommend: { slo: slo/checkout }', '    traces: { processors: [slo, recommend] }')).toEqual([
      'processors.recommend.slo: slo processor "slo/checkout" is not defined under processors (defined slo processors: slo) (<config>)',
    ]);
  });

  it('accepts an slo link to a defined slo processor', () => {
    expect(issues('  slo/checkout:\n  recommend: { slo: slo/checkout }', '    traces: { processors: [slo/checkout, recommend] }')).toEqual([]);
  });

  it('ignores recommend processors no pipeline uses', () => {
    expect(issues('  recommend: { slo: slo/none }', '    traces: { processors: [slo] }')).toEqual([]);
  });

  it('is part of the gateway check (slowatch validate) and of the agent\'s settings', () => {
    const twice = config('  recommend:', '    traces: { processors: [slo, recommend] }\n    traces/b: { processors: [recommend] }');
    expect(() => checkGatewayConfig(twice)).toThrow(ConfigError);
    expect(() => checkGatewayConfig(twice)).toThrow('a recommend processor belongs to one traces pipeline');
    const missing = config('  recommend: { slo: slo/x }', '    traces: { processors: [slo, recommend] }');
    expect(() => agentSettingsFrom({ source: 'x.yaml', config: missing })).toThrow('slo processor "slo/x" is not defined under processors (defined slo processors: slo)');

    const good = agentSettingsFrom({ source: 'x.yaml', config: config('  recommend: { slo: slo, window: 1h }', '    traces: { processors: [slo, recommend] }') });
    const recommend = good.recommend as RecommendProcessorSettings;
    expect([recommend.sloId, recommend.engine.windowMs]).toEqual(['slo', 3_600_000]);
    expect(agentSettingsFrom({ source: 'x.yaml', config: config('', '    traces: { processors: [slo] }') }).recommend).toBeUndefined();
  });

  it('the agent runs at most one recommend processor', () => {
    const two = config('  recommend:\n  recommend/b:', '    traces: { processors: [slo, recommend] }\n    traces/b: { processors: [recommend/b] }');
    expect(() => agentSettingsFrom({ source: 'x.yaml', config: two })).toThrow('the agent runs at most one recommend processor, found 2 in the traces pipelines: recommend, recommend/b');
  });
});
