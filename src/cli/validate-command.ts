import { sloProcessorFactory } from '../../processors/slo/config';
import { settingsOf } from '../config/component-factory';
import { ConfigError } from '../config/config-error';
import { formatConfigIssue } from '../config/config-issue';
import { displayPath, loadConfig } from '../config/load-config';
import { agentSettingsFrom } from '../config/agent-settings';
import { checkGatewayConfig } from '../service/service';
import type { LoadedConfig } from '../config/load-config';

/** Where the command writes; process.stdout/stderr in the CLI, buffers in tests. */
export interface TextOutput {
  write(text: string): unknown;
}

export interface ValidateCommandOptions {
  /** `--config PATH`; else SLOWATCH_CONFIG, ./otel-config.yaml, built-in defaults. */
  readonly configPath?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  /** `--agent`: also apply the in-process agent's rules. @default false */
  readonly agent?: boolean;
}

/**
 * `slowatch validate`: loads the configuration as the agent and the gateway
 * would. Valid: one summary line on stdout, exit code 0. Invalid: every
 * issue on stderr, one per line, exit code 1.
 */
export function runValidateCommand(options: ValidateCommandOptions): number {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig({ configPath: options.configPath, env: options.env, cwd: options.cwd });
    // What a running gateway requires beyond each component's own checks; with --agent,
    // what the in-process agent requires (one slo processor, one /metrics endpoint).
    checkGatewayConfig(loaded.config);
    if (options.agent === true) agentSettingsFrom(loaded);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const issue of error.issues) options.stderr.write(`${formatConfigIssue(issue)}\n`);
    return 1;
  }
  options.stdout.write(`${summarizeConfig(loaded, options.cwd)}\n`);
  return 0;
}

/**
 * `otel-config.yaml: valid (2 objectives: availability, latency; pipelines: traces [slo], metrics [prometheus])`.
 * Objectives are those of every slo processor a pipeline uses.
 */
export function summarizeConfig(loaded: LoadedConfig, cwd: string): string {
  const { config } = loaded;
  const pipelines = config.service.pipelines;
  const usedProcessors = [...new Set(pipelines.flatMap((p) => p.processors))];
  const objectives = usedProcessors.flatMap((id) => settingsOf(config.processors[id], sloProcessorFactory)?.objectives ?? []);
  const objectivesPart =
    objectives.length === 0
      ? 'no objectives'
      : `${objectives.length} objective${objectives.length === 1 ? '' : 's'}: ${objectives.map((o) => o.name).join(', ')}`;
  const pipelinesPart = pipelines.map((p) => `${p.id} [${[...p.receivers, ...p.processors, ...p.exporters].join(', ')}]`).join(', ');
  return `${displayPath(loaded.source, cwd)}: valid (${objectivesPart}; pipelines: ${pipelinesPart})`;
}
