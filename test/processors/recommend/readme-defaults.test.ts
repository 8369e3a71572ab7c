import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createDefaultConfig, recommendProcessorConfigSchema } from '../../../processors/recommend/config';

const README = path.resolve(__dirname, '../../../processors/recommend/README.md');

/** The first ```yaml block of the processor's README: its "every option, with its default" reference. */
function documentedDefaults(): unknown {
  const text = readFileSync(README, 'utf8');
  const block = /^```yaml\n([\s\S]*?)^```/m.exec(text);
  if (block === null) throw new Error('processors/recommend/README.md has no yaml block');
  return (parse(block[1]!) as { processors: { recommend: unknown } }).processors.recommend;
}

describe('processors/recommend/README.md', () => {
  it('documents exactly the defaults of createDefaultConfig()', () => {
    expect(documentedDefaults()).toEqual(createDefaultConfig());
  });

  it('documents a configuration the schema accepts', () => {
    expect(recommendProcessorConfigSchema.safeParse(documentedDefaults()).success).toBe(true);
  });
});
