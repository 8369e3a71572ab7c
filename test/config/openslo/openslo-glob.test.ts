import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandPathPattern } from '../../../src/config/openslo/openslo-glob';

describe('openslo paths and globs', () => {
  let root = '';
  const rel = (files: readonly string[]) => files.map((f) => path.relative(root, f));

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'slowatch-openslo-glob-'));
    for (const file of ['a.yaml', 'b.yml', '.hidden.yaml', 'slos/c.yaml', 'slos/d.yaml', 'slos/team/e.yaml', 'slos/team/deep/f.yaml', '.git/g.yaml']) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), 'x: 1\n');
    }
    symlinkSync(path.join(root, 'slos'), path.join(root, 'slos/team/loop'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ['./a.yaml', ['a.yaml']],
    ['*.yaml', ['a.yaml']],
    ['*.y*ml', ['a.yaml', 'b.yml']],
    ['slos/?.yaml', ['slos/c.yaml', 'slos/d.yaml']],
    ['.*.yaml', ['.hidden.yaml']],
    ['slos/*.yaml', ['slos/c.yaml', 'slos/d.yaml']],
    ['*/*.yaml', ['slos/c.yaml', 'slos/d.yaml']],
    ['**/*.yaml', ['a.yaml', 'slos/c.yaml', 'slos/d.yaml', 'slos/team/deep/f.yaml', 'slos/team/e.yaml']],
    ['slos/**/e.yaml', ['slos/team/e.yaml']],
  ])('%s', (pattern, expected) => {
    const result = expandPathPattern(pattern, root);
    expect(result.ok && rel(result.files)).toEqual(expected);
  });

  it('names what is wrong: no file, a directory, no match, too many', () => {
    expect(expandPathPattern('missing.yaml', root)).toEqual({ ok: false, reason: `no such file: ${path.join(root, 'missing.yaml')}` });
    expect(expandPathPattern('slos', root)).toEqual({ ok: false, reason: `${path.join(root, 'slos')} is a directory; name files, or use a glob such as slos/*.yaml` });
    expect(expandPathPattern('nope/*.yaml', root)).toEqual({ ok: false, reason: `matches no file (looked under ${path.join(root, 'nope')})` });
    expect(expandPathPattern('**/*.yaml', root, { maxFiles: 2 })).toEqual({ ok: false, reason: 'matches 5 files, more than the 2 allowed; narrow the glob' });
    expect(expandPathPattern(path.join(root, 'a.yaml'), '/elsewhere')).toEqual({ ok: true, files: [path.join(root, 'a.yaml')] });
  });
});
