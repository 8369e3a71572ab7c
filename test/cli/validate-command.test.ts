import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProgram } from '../../src/cli/main';
import { runValidateCommand } from '../../src/cli/validate-command';

const REPO_ROOT = path.resolve(__dirname, '../..');
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/config');

function run(options: { configPath?: string; env?: NodeJS.ProcessEnv; cwd: string; agent?: boolean }) {
  let stdout = '';
  let stderr = '';
  const exitCode = runValidateCommand({
    configPath: options.configPath,
    env: options.env ?? {},
    cwd: options.cwd,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    agent: options.agent,
  });
  return { exitCode, stdout, stderr };
}

describe('slowatch validate', () => {
  let emptyDir: string;
  beforeEach(() => {
    emptyDir = mkdtempSync(path.join(tmpdir(), 'slowatch-validate-'));
  });
  afterEach(() => rmSync(emptyDir, { recursive: true, force: true }));

  it('summarizes the repository otel-config.yaml in one line and exits 0', () => {
    const result = run({ cwd: REPO_ROOT });
    expect(result).toEqual({
      exitCode: 0,
      stdout: 'otel-config.yaml: valid (2 objectives: availability, latency; pipelines: traces [otlp, slo, baseline, anomaly, regression, recommend], metrics/runtime [otlp, recommend], metrics [prometheus])\n',
      stderr: '',
    });
  });

  it('summarizes the built-in defaults when there is no file', () => {
    const result = run({ cwd: emptyDir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('<built-in defaults>: valid (2 objectives: availability, latency; pipelines: traces [otlp, slo, baseline, anomaly, regression, recommend], metrics/runtime [otlp, recommend], metrics [prometheus])\n');
  });

  it('reads --config and SLOWATCH_CONFIG', () => {
    expect(run({ configPath: 'valid_full.yaml', cwd: FIXTURES }).stdout).toMatch(/^valid_full\.yaml: valid \(/);
    expect(run({ env: { SLOWATCH_CONFIG: path.join(FIXTURES, 'valid_minimal.yaml') }, cwd: emptyDir }).stdout).toBe(
      `${path.join(FIXTURES, 'valid_minimal.yaml')}: valid (2 objectives: availability, latency; pipelines: traces [slo])\n`,
    );
  });

  it('with --agent, refuses what the agent cannot run: two slo processors', () => {
    expect(run({ configPath: 'valid_named_components.yaml', cwd: FIXTURES }).exitCode).toBe(0);
    const result = run({ configPath: 'valid_named_components.yaml', cwd: FIXTURES, agent: true });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('the agent runs one slo processor, found 2 in the traces pipelines: slo/checkout, slo/search');
  });

  it('says "1 objective" for one', () => {
    writeFileSync(
      path.join(emptyDir, 'otel-config.yaml'),
      'processors:\n  slo:\n    objectives: [{ name: only, sli: { availability: {} }, objective: 99 }]\nservice: { pipelines: { traces: { processors: [slo] }, logs: {} } }\n',
    );
    expect(run({ cwd: emptyDir }).stdout).toBe('otel-config.yaml: valid (1 objective: only; pipelines: traces [slo], logs [])\n');
  });

  it('prints every issue to stderr, one per line, and exits 1', () => {
    const result = run({ configPath: 'invalid_multiple_issues.yaml', cwd: FIXTURES });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe('processors.slo.evaluation_interval: must be a duration >= 1s, got "500ms" (invalid_multiple_issues.yaml:11)');
    expect(lines[5]).toBe('service.pipelines.traces.processors[1]: processor "slo/fast" is not defined under processors (defined: slo) (invalid_multiple_issues.yaml:28)');
  });

  it('exits 1 naming a missing --config file', () => {
    const result = run({ configPath: 'nope.yaml', cwd: emptyDir });
    expect(result).toEqual({ exitCode: 1, stdout: '', stderr: `config file not found: ${path.join(emptyDir, 'nope.yaml')} (named by --config)\n` });
  });

  it('is wired into the commander program', () => {
    const program = createProgram();
    const validate = program.commands.find((c) => c.name() === 'validate');
    expect(validate?.options.map((o) => o.long)).toEqual(['--config', '--agent']);
  });
});
