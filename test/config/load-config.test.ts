import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_DEFAULTS_SOURCE, builtInConfig } from '../../src/config/built-in-config';
import { ConfigError } from '../../src/config/config-error';
import { displayPath, loadConfig, locateConfig } from '../../src/config/load-config';
import type { SloProcessorSettings } from '../../processors/slo/config';
import { thrownBy } from '../helpers/thrown';

const REPO_ROOT = path.resolve(__dirname, '../..');
const REPO_CONFIG = path.join(REPO_ROOT, 'otel-config.yaml');

const configNamed = (objectiveName: string) => `
processors:
  slo:
    objectives:
      - { name: ${objectiveName}, sli: { availability: {} }, objective: 99 }
service:
  pipelines:
    traces: { processors: [slo] }
`;

const objectiveNames = (loaded: ReturnType<typeof loadConfig>) =>
  (loaded.config.processors.slo?.settings as SloProcessorSettings).objectives.map((o) => o.name);

const captureConfigError = (run: () => unknown): ConfigError => thrownBy(ConfigError, run);

describe('loadConfig: finding the file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'slowatch-config-'));
    writeFileSync(path.join(dir, 'explicit.yaml'), configNamed('from-option'));
    writeFileSync(path.join(dir, 'from-env.yaml'), configNamed('from-env'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses --config first, relative to cwd', () => {
    writeFileSync(path.join(dir, 'otel-config.yaml'), configNamed('from-cwd'));
    const loaded = loadConfig({ configPath: 'explicit.yaml', env: { SLOWATCH_CONFIG: 'from-env.yaml' }, cwd: dir });
    expect(loaded.source).toBe(path.join(dir, 'explicit.yaml'));
    expect(objectiveNames(loaded)).toEqual(['from-option']);
  });

  it('then SLOWATCH_CONFIG', () => {
    writeFileSync(path.join(dir, 'otel-config.yaml'), configNamed('from-cwd'));
    const loaded = loadConfig({ env: { SLOWATCH_CONFIG: path.join(dir, 'from-env.yaml') }, cwd: dir });
    expect(loaded.source).toBe(path.join(dir, 'from-env.yaml'));
    expect(objectiveNames(loaded)).toEqual(['from-env']);
  });

  it('then ./otel-config.yaml in the working directory', () => {
    writeFileSync(path.join(dir, 'otel-config.yaml'), configNamed('from-cwd'));
    const loaded = loadConfig({ env: { SLOWATCH_CONFIG: '' }, cwd: dir });
    expect(loaded.source).toBe(path.join(dir, 'otel-config.yaml'));
    expect(objectiveNames(loaded)).toEqual(['from-cwd']);
  });

  it('else the built-in defaults', () => {
    const loaded = loadConfig({ env: {}, cwd: dir });
    expect(loaded.source).toBe(BUILT_IN_DEFAULTS_SOURCE);
    expect(objectiveNames(loaded)).toEqual(['availability', 'latency']);
    expect(locateConfig({ env: {}, cwd: dir })).toEqual({ kind: 'built-in' });
  });

  it('ignores a directory named otel-config.yaml', () => {
    mkdirSync(path.join(dir, 'otel-config.yaml'));
    expect(loadConfig({ env: {}, cwd: dir }).source).toBe(BUILT_IN_DEFAULTS_SOURCE);
  });

  it('fails, naming the file, when --config names a missing file', () => {
    const error = captureConfigError(() => loadConfig({ configPath: 'missing.yaml', env: {}, cwd: dir }));
    const missing = path.join(dir, 'missing.yaml');
    expect(error.message).toBe(`config file not found: ${missing} (named by --config)`);
    expect(error.issues).toEqual([{ path: '', message: `config file not found: ${missing} (named by --config)`, file: missing }]);
  });

  it('fails, naming the file and the variable, when SLOWATCH_CONFIG names a missing file', () => {
    writeFileSync(path.join(dir, 'otel-config.yaml'), configNamed('from-cwd'));
    const error = captureConfigError(() => loadConfig({ env: { SLOWATCH_CONFIG: 'nope.yaml' }, cwd: dir }));
    expect(error.message).toBe(`config file not found: ${path.join(dir, 'nope.yaml')} (named by SLOWATCH_CONFIG)`);
  });

  it('reports an unreadable file with the reason', () => {
    mkdirSync(path.join(dir, 'a-directory.yaml'));
    const error = captureConfigError(() => loadConfig({ configPath: 'a-directory.yaml', env: {}, cwd: dir }));
    expect(error.message).toBe(`cannot read config file (EISDIR): ${path.join(dir, 'a-directory.yaml')} (named by --config)`);
  });

  it('shows files inside the working directory relative to it in issues', () => {
    mkdirSync(path.join(dir, 'conf'));
    writeFileSync(path.join(dir, 'conf', 'bad.yaml'), 'foo: 1\nservice: { pipelines: { traces: {} } }\n');
    const error = captureConfigError(() => loadConfig({ configPath: 'conf/bad.yaml', env: {}, cwd: dir }));
    expect(error.message).toBe(`foo: unknown key; valid keys: receivers, processors, exporters, extensions, service (${path.join('conf', 'bad.yaml')}:1)`);
    expect(displayPath(path.join(dir, 'conf', 'bad.yaml'), path.join(dir, 'elsewhere'))).toBe(path.join(dir, 'conf', 'bad.yaml'));
  });

  it('an empty file still needs a service section', () => {
    writeFileSync(path.join(dir, 'otel-config.yaml'), '# nothing yet\n');
    const error = captureConfigError(() => loadConfig({ env: {}, cwd: dir }));
    expect(error.message).toBe('service: required: a mapping with pipelines (and optionally extensions and telemetry) (otel-config.yaml)');
  });

  it('a file that is not a mapping', () => {
    writeFileSync(path.join(dir, 'otel-config.yaml'), '- just\n- a list\n');
    const error = captureConfigError(() => loadConfig({ env: {}, cwd: dir }));
    expect(error.message).toBe(
      'the configuration must be a mapping with receivers, processors, exporters, extensions, service, got a list (otel-config.yaml:1)',
    );
  });

  it('a pipeline section with no pipelines', () => {
    writeFileSync(path.join(dir, 'otel-config.yaml'), 'processors:\n  slo:\nservice:\n  pipelines: {}\n');
    const error = captureConfigError(() => loadConfig({ env: {}, cwd: dir }));
    expect(error.message).toBe('service.pipelines: must define at least one pipeline, e.g. traces: { processors: [slo] } (otel-config.yaml:4)');
  });

  it('reports every YAML syntax error with line and column', () => {
    writeFileSync(path.join(dir, 'otel-config.yaml'), 'processors:\n  slo:\n    a: 1\n    a: 2\n');
    const error = captureConfigError(() => loadConfig({ env: {}, cwd: dir }));
    expect(error.issues).toEqual([{ path: '', message: 'YAML syntax error: Map keys must be unique', file: 'otel-config.yaml', line: 4, column: 5 }]);
    expect(error.message).toBe('YAML syntax error: Map keys must be unique (otel-config.yaml:4:5)');
  });
});

describe('built-in defaults', () => {
  it('equal the repository otel-config.yaml (with no environment set)', () => {
    const fromFile = loadConfig({ configPath: REPO_CONFIG, env: {}, cwd: REPO_ROOT });
    expect(fromFile.config).toEqual(builtInConfig({}));
  });

  it('stay equal when the OTEL_EXPORTER_PROMETHEUS_* variables are set', () => {
    const env = { OTEL_EXPORTER_PROMETHEUS_HOST: '0.0.0.0', OTEL_EXPORTER_PROMETHEUS_PORT: '9100' };
    const fromFile = loadConfig({ configPath: REPO_CONFIG, env, cwd: REPO_ROOT });
    expect(fromFile.config).toEqual(builtInConfig(env));
    expect(fromFile.config.exporters.prometheus?.settings).toEqual({ host: '0.0.0.0', port: 9100 });
  });

  it('hold the documented defaults', () => {
    const config = builtInConfig({});
    const slo = config.processors.slo?.settings as SloProcessorSettings;
    expect(slo.evaluationIntervalMs).toBe(10_000);
    expect(slo.objectives).toHaveLength(2);
    const google = [
      { severity: 'page', speed: 'quick', shortWindowMs: 300_000, longWindowMs: 3_600_000, errorBudgetPercent: 2 },
      { severity: 'page', speed: 'slow', shortWindowMs: 1_800_000, longWindowMs: 21_600_000, errorBudgetPercent: 5 },
      { severity: 'ticket', speed: 'quick', shortWindowMs: 7_200_000, longWindowMs: 86_400_000, errorBudgetPercent: 10 },
      { severity: 'ticket', speed: 'slow', shortWindowMs: 21_600_000, longWindowMs: 259_200_000, errorBudgetPercent: 10 },
    ];
    const common = {
      selector: { spanKind: 'server', operations: [], attributes: {} },
      period: { kind: 'rolling', durationMs: 30 * 86_400_000 },
      budgeting: { kind: 'occurrences' },
      groupBy: [],
      maxSeries: 200,
      alerting: { page: true, ticket: true, windows: google },
      minEvents: 0,
    };
    expect(slo.objectives).toEqual([
      { name: 'availability', sli: { kind: 'availability' }, objective: 0.999, ...common },
      { name: 'latency', sli: { kind: 'latency', thresholdMs: 200 }, objective: 0.95, ...common },
    ]);
    expect(config.exporters.prometheus?.settings).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.receivers.otlp?.settings).toMatchObject({ http: { host: '127.0.0.1', port: 4318 }, grpc: { host: '127.0.0.1', port: 4317 } });
    expect(config.extensions.health_check?.settings).toMatchObject({ host: '127.0.0.1', port: 13133 });
    expect(config.extensions.web?.settings).toEqual({ host: '127.0.0.1', port: 8888 });
    expect(config.extensions.storage?.settings).toMatchObject({ path: './data/slowatch.db', snapshotIntervalMs: 10_000 });
    expect(config.service).toEqual({
      extensions: ['health_check', 'web', 'storage'],
      pipelines: [
        { id: 'traces', signal: 'traces', receivers: ['otlp'], processors: ['slo', 'baseline', 'anomaly', 'regression', 'recommend'], exporters: [] },
        { id: 'metrics/runtime', signal: 'metrics', name: 'runtime', receivers: ['otlp'], processors: ['recommend'], exporters: [] },
        { id: 'metrics', signal: 'metrics', receivers: [], processors: [], exporters: ['prometheus'] },
      ],
    });
  });

  it('report a bad OTEL_EXPORTER_PROMETHEUS_PORT naming the variable', () => {
    const error = captureConfigError(() => builtInConfig({ OTEL_EXPORTER_PROMETHEUS_PORT: 'http' }));
    expect(error.message).toBe('OTEL_EXPORTER_PROMETHEUS_PORT: environment variable must be a port from 0 to 65535, got "http" (<environment>)');
  });
});
