import { describe, expect, it } from 'vitest';
import { RulesInputError } from '../../src/rules/rules-input-error';
import { PROMQL_SLI_REFUSAL, parseSlothPluginSpec, parseSlothSpec } from '../../src/rules/sloth-spec';
import { DAY_MS } from '../../src/slo/durations';

const VALID = `
version: prometheus/v1
service: shop
labels: { team: core, tier: 2 }
slos:
  - name: checkout
    objective: 99.5
    labels: { tier: "1" }
    sli:
      events:
        error_query: sum(rate(errors[{{.window}}]))
        total_query: sum(rate(total[{{ .window }}]))
    alerting:
      name: CheckoutBurn
      page_alert: { labels: { severity: critical } }
      ticket_alert: { disable: true }
`;

function issuesOf(text: string, options = {}): string[] {
  try {
    parseSlothSpec(text, options);
  } catch (error) {
    if (error instanceof RulesInputError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a RulesInputError');
}

describe('parseSlothSpec', () => {
  it('reads service, merged labels, the SLI, the period, Google windows and the enabled alerts', () => {
    const [slo] = parseSlothSpec(VALID);
    expect(slo).toMatchObject({
      name: 'checkout',
      service: { kind: 'fixed', name: 'shop' },
      objectivePercent: 99.5,
      labels: { team: 'core', tier: '1' },
      sli: { kind: 'events', errorQuery: 'sum(rate(errors[{{.window}}]))', totalQuery: 'sum(rate(total[{{ .window }}]))' },
      periodMs: 30 * DAY_MS,
      periodSli: 'average',
      alerting: { name: 'CheckoutBurn', labels: {}, annotations: {}, page: { labels: { severity: 'critical' }, annotations: {} } },
      origin: { mode: 'cli-gen-prom', spec: 'prometheus/v1' },
    });
    expect(slo?.alerting?.ticket).toBeUndefined();
    expect(slo?.windows.map((w) => `${w.severity}/${w.speed}/${w.errorBudgetPercent}`)).toEqual(['page/quick/2', 'page/slow/5', 'ticket/quick/10', 'ticket/slow/10']);
  });

  it('reads several specs separated by ---', () => {
    const second = VALID.replace('service: shop', 'service: other');
    expect(parseSlothSpec(`${VALID}\n---\n${second}`).map((s) => s.service)).toEqual([
      { kind: 'fixed', name: 'shop' },
      { kind: 'fixed', name: 'other' },
    ]);
  });

  it('names the field of every problem, with what it got', () => {
    const text = `
version: prometheus/v2
labels: { a: [1] }
slos:
  - name: a
    objective: 120
    sli: { foo: {} }
  - name: a
    objective: 99
    sli: { events: { error_query: x }, raw: { error_ratio_query: y } }
    alerting: { page_alert: { disable: "no" }, colour: red }
  - name: b
    objective: 99
    sli: { raw: { error_ratio_query: y } }
`;
    expect(issuesOf(text, { file: 'spec.yaml' })).toEqual([
      'spec.yaml: version: must be prometheus/v1 (other Sloth spec versions, e.g. Kubernetes PrometheusServiceLevel, are not supported), got "prometheus/v2"',
      'spec.yaml: service: must be a non-empty string, got nothing',
      'spec.yaml: labels.a: must be a string, got a list',
      'spec.yaml: slos[0].objective: must be a percentage > 0 and <= 100 (e.g. 99.9), got 120',
      'spec.yaml: slos[0].sli.foo: unknown key; valid keys: events, raw, plugin',
      'spec.yaml: slos[0].sli: must have events or raw, got a mapping with keys: foo',
      // No alerting block: both alerts are on, so they need a name.
      'spec.yaml: slos[0].alerting.name: required unless both page_alert and ticket_alert are disabled (it becomes the alert name)',
      'spec.yaml: slos[1].name: duplicate SLO name "a", already used by slos[0]',
      'spec.yaml: slos[1].sli: must have events or raw, got both',
      'spec.yaml: slos[1].alerting.colour: unknown key; valid keys: name, labels, annotations, page_alert, ticket_alert',
      'spec.yaml: slos[1].alerting.page_alert.disable: must be true or false, got "no"',
      'spec.yaml: slos[1].alerting.name: required unless both page_alert and ticket_alert are disabled (it becomes the alert name)',
      'spec.yaml: slos[2].alerting.name: required unless both page_alert and ticket_alert are disabled (it becomes the alert name)',
    ]);
  });

  it('refuses SLI plugins and periods without alert windows', () => {
    expect(issuesOf(VALID.replace(/events:[\s\S]*?total_query: .*\n/, 'plugin: { id: x }\n'))).toEqual(['slos[0].sli.plugin: SLI plugins have no PromQL to generate rules from; use events or raw (slowatch/* plugins are for processors.slo.sloth)']);
    expect(issuesOf(VALID, { periodMs: 7 * DAY_MS })).toEqual([
      "no alert windows for the 1w SLO period: Sloth's defaults cover 30d and 28d; give an AlertWindows file with sloPeriod: 1w",
    ]);
  });

  it('refuses empty files and invalid YAML', () => {
    expect(issuesOf('')).toEqual(['no SLOs: expected a Sloth prometheus/v1 spec with slos']);
    expect(issuesOf('version: [')[0]).toMatch(/^not valid YAML: /);
  });
});

describe('parseSlothPluginSpec', () => {
  const PLUGIN = VALID.replace(/events:[\s\S]*?total_query: .*\n/, 'plugin: { id: slowatch/latency, options: { threshold: 300ms } }\n');

  it('reads plugin SLIs with the SLO\'s path, and everything else as parseSlothSpec does', () => {
    const [slo] = parseSlothPluginSpec(PLUGIN);
    const [rule] = parseSlothSpec(VALID);
    expect(slo).toMatchObject({ name: 'checkout', path: 'slos[0]', sli: { kind: 'plugin', id: 'slowatch/latency', options: { threshold: '300ms' } } });
    expect({ ...slo, sli: undefined, path: undefined }).toEqual({ ...rule, sli: undefined, path: undefined });
    expect(rule).not.toHaveProperty('path');
  });

  it('refuses PromQL SLIs and a missing plugin, naming the field', () => {
    const issues = (text: string) => {
      try {
        parseSlothPluginSpec(text, { file: 'spec.yaml' });
      } catch (error) {
        if (error instanceof RulesInputError) return error.message.split('\n');
        throw error;
      }
      return [];
    };
    expect(issues(VALID)).toEqual([`spec.yaml: slos[0].sli.events: ${PROMQL_SLI_REFUSAL}`]);
    expect(issues(PLUGIN.replace(/plugin: .*\n/, 'plugin: { options: {} }\n'))).toEqual(['spec.yaml: slos[0].sli.plugin.id: must be a non-empty string, got nothing']);
  });
});
