#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { runValidateCommand } from './validate-command';
import { ReloadableGateway, oneLineReason } from './serve-command';
import { addCompareCommand } from './compare-command';
import { addRegressCommand } from './regress-command';
import { addRecommendationsCommand } from './recommendations-command';
import { addRulesCommand } from './rules-command';
import { addDashboardsCommand } from './dashboards-command';
import { addReportCommand } from './report-command';
import { createStderrLogger, parseLogLevel } from '../logging/logger';
import type { LogLevel } from '../logging/logger';
import { loadConfig } from '../config/load-config';

/** The `slowatch` command line; one subcommand per `add…` call. */
export function createProgram(): Command {
  const program = new Command('slowatch')
    .description('SLOs, error budgets and burn-rate alerts inline in OpenTelemetry')
    .version(packageVersion());

  program
    .command('validate')
    .description('check the configuration and summarize it (exit code 1 on any issue)')
    .option('--config <path>', 'config file (default: $SLOWATCH_CONFIG, then ./otel-config.yaml, then built-in defaults)')
    .option('--agent', 'also check what the in-process agent needs (one slo processor, one prometheus exporter)')
    .action((options: { config?: string; agent?: boolean }) => {
      process.exitCode = runValidateCommand({
        agent: options.agent === true,
        configPath: options.config,
        env: process.env,
        cwd: process.cwd(),
        stdout: process.stdout,
        stderr: process.stderr,
      });
    });

  program
    .command('serve')
    .description('run the pipelines of the configuration until SIGTERM or SIGINT; SIGHUP reloads the config file')
    .option('--config <path>', 'config file (default: $SLOWATCH_CONFIG, then ./otel-config.yaml, then built-in defaults)')
    .action(async (options: { config?: string }) => {
      await serve(options.config);
    });

  addRegressCommand(program);
  addCompareCommand(program);
  addRecommendationsCommand(program);
  addRulesCommand(program);
  addDashboardsCommand(program);
  addReportCommand(program);

  return program;
}

function packageVersion(): string {
  // dist/src/cli/main.js has package.json three levels up; src/cli/main.ts (run from source) two.
  for (const candidate of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(__dirname, candidate), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'slowatch' && pkg.version !== undefined) return pkg.version;
    } catch {
      // try the next layout
    }
  }
  return 'unknown';
}

async function serve(configPath: string | undefined): Promise<void> {
  // Our log lines must never take the process down: a closed stderr (EPIPE) is ignored.
  process.stderr.on('error', () => undefined);
  process.stdout.on('error', () => undefined);
  const level = parseLogLevel(process.env.OTEL_LOG_LEVEL) ?? logLevelInConfig(configPath) ?? 'info';
  const logger = createStderrLogger({ level });
  let gateway;
  try {
    gateway = await ReloadableGateway.start({ configPath, env: process.env, logger });
  } catch (error) {
    // Startup failures are one line and a non-zero exit, never a stack trace.
    logger.error(`cannot start: ${oneLineReason(error)}`);
    process.exitCode = 1;
    return;
  }
  logger.info(gateway.current.summary);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal means "now": leave what is still draining behind.
      logger.warn(`${signal} again: exiting without finishing the drain`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal}: shutting down`);
    gateway.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // SIGHUP re-reads the config file (see ReloadableGateway); nothing runs only when neither config starts.
  process.on('SIGHUP', () => {
    if (stopping) return;
    logger.info('SIGHUP: reloading the configuration');
    void gateway.reload().then((outcome) => {
      if (outcome.result === 'failed' && !stopping) process.exit(1);
    });
  });
}

/**
 * `service.telemetry.logs.level` of the configuration, if it loads; errors
 * are reported by the real start that follows.
 */
function logLevelInConfig(configPath: string | undefined): LogLevel | undefined {
  try {
    return loadConfig({ configPath, env: process.env }).config.service.logLevel;
  } catch {
    return undefined;
  }
}

if (require.main === module) {
  void createProgram().parseAsync(process.argv);
}
