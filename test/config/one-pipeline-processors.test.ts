import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/parse-config';
import { ONE_PIPELINE_PROCESSOR_TYPES, processorsInSeveralPipelines } from '../../src/config/one-pipeline-processors';

const parse = (yaml: string) => parseConfigText(yaml, { file: 'test.yaml', env: {} });

/** A traces pipeline pair fed by one receiver, listing `ids` in each. */
const twoPipelines = (type: string, first: string, second: string) => `
receivers:
  otlp: { protocols: { http: {} } }
processors:
  ${type}: {}
  ${type}/other: {}
service:
  pipelines:
    traces: { receivers: [otlp], processors: [${first}] }
    traces/b: { receivers: [otlp], processors: [${second}] }
`;

describe('processorsInSeveralPipelines', () => {
  it.each(ONE_PIPELINE_PROCESSOR_TYPES)('refuses one %s processor listed by two pipelines, at the second pipeline', (type) => {
    const issues = processorsInSeveralPipelines(parse(twoPipelines(type, type, type)));
    expect(issues).toEqual([
      {
        path: 'service.pipelines.traces/b.processors',
        message: `processor "${type}" is already used by pipeline traces: a ${type} processor belongs to one pipeline (define ${type}/<name> per pipeline)`,
        file: '<config>',
      },
    ]);
  });

  it.each(ONE_PIPELINE_PROCESSOR_TYPES)('accepts one %s processor id per pipeline', (type) => {
    expect(processorsInSeveralPipelines(parse(twoPipelines(type, type, `${type}/other`)))).toEqual([]);
  });

  it('leaves other processor types alone (batch may serve several pipelines)', () => {
    expect(processorsInSeveralPipelines(parse(twoPipelines('batch', 'batch', 'batch')))).toEqual([]);
  });

  it('checks only the types it is given', () => {
    expect(processorsInSeveralPipelines(parse(twoPipelines('slo', 'slo', 'slo')), ['baseline'])).toEqual([]);
  });
});
