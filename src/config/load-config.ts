import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { BUILT_IN_DEFAULTS_SOURCE, builtInConfig } from './built-in-config';
import { ConfigError } from './config-error';
import { parseConfigText } from './parse-config';
import type { SlowatchConfig } from './slowatch-config';

/** The file looked for in the working directory when nothing names one. */
export const DEFAULT_CONFIG_FILE_NAME = 'otel-config.yaml';

/** The environment variable naming the config file when --config is not given. */
export const CONFIG_ENV_VAR = 'SLOWATCH_CONFIG';

export interface LoadedConfig {
  /** Absolute path of the file read, or `<built-in defaults>`. */
  readonly source: string;
  readonly config: SlowatchConfig;
}

export interface LoadConfigOptions {
  /** `--config PATH`; relative to `cwd`. */
  readonly configPath?: string | undefined;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default process.cwd() */
  readonly cwd?: string;
}

/** Where the configuration comes from, and why that place. */
export type ConfigLocation =
  | { readonly kind: 'file'; readonly path: string; readonly origin: '--config' | typeof CONFIG_ENV_VAR | 'working directory' }
  | { readonly kind: 'built-in' };

/**
 * First match wins: `--config PATH`, then $SLOWATCH_CONFIG, then
 * ./otel-config.yaml, then the built-in defaults. A file that was named
 * (by the option or the variable) must exist; the working-directory file is optional.
 */
export function locateConfig(options: LoadConfigOptions = {}): ConfigLocation {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.configPath !== undefined && options.configPath !== '') {
    return { kind: 'file', path: resolve(cwd, options.configPath), origin: '--config' };
  }
  const fromEnv = env[CONFIG_ENV_VAR];
  if (fromEnv !== undefined && fromEnv !== '') return { kind: 'file', path: resolve(cwd, fromEnv), origin: CONFIG_ENV_VAR };
  const inCwd = resolve(cwd, DEFAULT_CONFIG_FILE_NAME);
  if (isFile(inCwd)) return { kind: 'file', path: inCwd, origin: 'working directory' };
  return { kind: 'built-in' };
}

/**
 * Finds, reads, validates and resolves the configuration. Synchronous: the
 * agent loads it while Node preloads it, before the application starts.
 * Throws ConfigError listing every issue.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const location = locateConfig({ ...options, env, cwd });
  if (location.kind === 'built-in') return { source: BUILT_IN_DEFAULTS_SOURCE, config: builtInConfig(env) };

  let text: string;
  try {
    text = readFileSync(location.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'config file not found' : `cannot read config file (${code ?? String(error)})`;
    throw new ConfigError([{ path: '', message: `${why}: ${location.path} (named by ${location.origin})`, file: location.path }]);
  }
  return { source: location.path, config: parseConfigText(text, { file: displayPath(location.path, cwd), env, configDir: dirname(location.path) }) };
}

/** A path as shown to the user: relative to the working directory when inside it, else absolute. */
export function displayPath(path: string, cwd: string): string {
  if (path === BUILT_IN_DEFAULTS_SOURCE) return path;
  const rel = relative(cwd, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
