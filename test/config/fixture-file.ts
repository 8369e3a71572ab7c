import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** test/fixtures/config, where the table-driven config tests find their cases. */
export const CONFIG_FIXTURES_DIR = path.resolve(__dirname, '../fixtures/config');

export interface ConfigFixture {
  readonly name: string;
  readonly path: string;
  /** From `# env: NAME=value` lines: the environment the file is loaded with. */
  readonly env: Readonly<Record<string, string>>;
  /** From `# expect: <issue>` lines: every issue expected, formatted, in order. */
  readonly expectedIssues: readonly string[];
}

export function readConfigFixtures(prefix: 'valid_' | 'invalid_'): ConfigFixture[] {
  return readdirSync(CONFIG_FIXTURES_DIR)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.yaml'))
    .sort()
    .map((name) => readConfigFixture(name));
}

export function readConfigFixture(name: string): ConfigFixture {
  const file = path.join(CONFIG_FIXTURES_DIR, name);
  const env: Record<string, string> = {};
  const expectedIssues: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const envMatch = /^# env: ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (envMatch) env[envMatch[1] as string] = envMatch[2] as string;
    const expectMatch = /^# expect: (.*)$/.exec(line);
    if (expectMatch) expectedIssues.push(expectMatch[1] as string);
  }
  return { name, path: file, env, expectedIssues };
}
