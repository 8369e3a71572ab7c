import { isScalar, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { expandEnvReferences, substituteEnvInDocument } from '../../src/config/env-substitution';
import { formatYamlPath } from '../../src/config/yaml-path';

describe('expandEnvReferences', () => {
  const env = { HOST: 'db.local', PORT: '5432', EMPTY: '' };

  it.each([
    ['${env:HOST}', 'db.local', true],
    ['${env:HOST}:${env:PORT}', 'db.local:5432', false],
    ['${env:MISSING}', '', true],
    ['${env:MISSING:-fallback}', 'fallback', true],
    ['${env:EMPTY:-fallback}', 'fallback', true],
    ['${env:HOST:-fallback}', 'db.local', true],
    ['${env:MISSING:-}', '', true],
    ['$${env:HOST}', '${env:HOST}', false],
    ['price: 5$ or $$10', 'price: 5$ or $10', false],
    ['a $HOST b', 'a $HOST b', false],
    ['tcp://${env:HOST}', 'tcp://db.local', false],
  ])('%s → %j', (text, value, wholeReference) => {
    expect(expandEnvReferences(text, env)).toMatchObject({ ok: true, value, wholeReference });
  });

  it.each([
    ['${HOST}', 'unsupported reference "${HOST}"; write ${env:NAME} or ${env:NAME:-default}, and $$ for a literal $'],
    ['${file:/etc/x}', 'unsupported reference "${file:/etc/x}"; write ${env:NAME} or ${env:NAME:-default}, and $$ for a literal $'],
    ['${env:HOST', 'unterminated reference "${env:HOST"; write ${env:NAME} or ${env:NAME:-default}, and $$ for a literal $'],
    ['${env:1X}', 'invalid environment variable name "1X" in "${env:1X}"; names are letters, digits and _, not starting with a digit'],
  ])('rejects %s', (text, reason) => {
    expect(expandEnvReferences(text, env)).toEqual({ ok: false, reason });
  });

  it('does not change text without references', () => {
    expect(expandEnvReferences('plain', env)).toEqual({ ok: true, value: 'plain', wholeReference: false, changed: false });
  });
});

describe('substituteEnvInDocument', () => {
  const substitute = (text: string, env: NodeJS.ProcessEnv) => {
    const doc = parseDocument(text);
    const outcome = substituteEnvInDocument(doc, env, formatYamlPath);
    return { data: doc.toJS() as Record<string, unknown>, doc, outcome };
  };

  it('re-reads a plain whole-scalar reference as YAML, keeps quoted ones and mixed text as strings', () => {
    const { data } = substitute(
      'port: ${env:PORT}\nquoted: "${env:PORT}"\nsingle: \'${env:PORT}\'\nflag: ${env:FLAG}\nmixed: x${env:PORT}\nunset: ${env:NOPE}\nlist:\n  - ${env:PORT}\n',
      { PORT: '9464', FLAG: 'true' },
    );
    expect(data).toEqual({ port: 9464, quoted: '9464', single: '9464', flag: true, mixed: 'x9464', unset: '', list: [9464] });
  });

  it('never turns a value into YAML structure', () => {
    const { data } = substitute('value: ${env:X}\n', { X: '{ a: 1 }' });
    expect(data).toEqual({ value: '{ a: 1 }' });
  });

  it('leaves keys alone and records the original text of changed values by path', () => {
    const { data, outcome } = substitute('${env:K}: 1\nnested:\n  - name: ${env:N}\n', { K: 'key', N: 'n' });
    expect(data).toEqual({ '${env:K}': 1, nested: [{ name: 'n' }] });
    expect([...outcome.originals]).toEqual([['nested[0].name', '${env:N}']]);
  });

  it('reports bad references with their path and keeps node positions', () => {
    const { doc, outcome } = substitute('a: 1\nb:\n  c: ${oops}\n', {});
    expect(outcome.problems).toHaveLength(1);
    expect(outcome.problems[0]?.path).toEqual(['b', 'c']);
    const node = doc.getIn(['b', 'c'], true);
    expect(isScalar(node) && node.range?.[0]).toBe(outcome.problems[0]?.offset);
  });
});
