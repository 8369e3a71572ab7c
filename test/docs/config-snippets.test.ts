import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/parse-config';
import { checkGatewayConfig } from '../../src/service/service';

const REPO_ROOT = path.resolve(__dirname, '../..');

/**
 * Every ```yaml block of a Markdown file that is a whole configuration: a
 * top-level `service:` with `pipelines:`, beside at least one component
 * section. (Blocks that show one section document that section, not a file.)
 */
function wholeConfigSnippets(file: string): { name: string; yaml: string }[] {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const snippets: { name: string; yaml: string }[] = [];
  const fence = /^```yaml\n([\s\S]*?)^```/gm;
  for (let match = fence.exec(text); match !== null; match = fence.exec(text)) {
    const yaml = match[1] ?? '';
    if (!/^service:\n(?:\s.*\n)*? {2}pipelines:/m.test(yaml) || !/^(receivers|processors|exporters|extensions):/m.test(yaml)) continue;
    // Other programs' configurations shown beside ours (the Collector in front of the gateways) say so on their first line.
    if (/^#.*\(not slowatch\)/.test(yaml)) continue;
    const line = text.slice(0, match.index).split('\n').length;
    snippets.push({ name: `${file}:${line}`, yaml });
  }
  return snippets;
}

const markdownIn = (dir: string): string[] =>
  readdirSync(path.join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => path.posix.join(dir, f.split(path.sep).join('/')));
const MARKDOWN = ['README.md', ...['docs', 'receivers', 'processors', 'exporters', 'extensions'].flatMap(markdownIn)];
const SNIPPETS = MARKDOWN.flatMap(wholeConfigSnippets);

describe('configuration examples in the docs', () => {
  it('finds the examples (the README and the docs show whole configurations)', () => {
    expect(SNIPPETS.filter((s) => s.name.startsWith('README.md')).length).toBeGreaterThanOrEqual(1);
    expect(SNIPPETS.length).toBeGreaterThanOrEqual(3);
  });

  // A whole configuration shown in the docs must load and pass the gateway's cross-component checks as written.
  it.each(SNIPPETS.map((s) => [s.name, s.yaml] as const))('%s is a valid configuration', (name, yaml) => {
    expect(() => checkGatewayConfig(parseConfigText(yaml, { file: name, env: {} }))).not.toThrow();
  });
});
