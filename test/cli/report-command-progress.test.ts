import { describe, expect, it } from 'vitest';
import { createProgressBar, progressLine } from '../../src/cli/progress-bar';

/** The progress bar `slowatch report` draws on stderr. */
function stream(isTTY: boolean | undefined, columns?: number): { isTTY?: boolean; columns?: number; text: string; write(text: string): void } {
  return {
    ...(isTTY !== undefined && { isTTY }),
    ...(columns !== undefined && { columns }),
    text: '',
    write(text: string) {
      this.text += text;
    },
  };
}

describe('createProgressBar', () => {
  it('draws in place on a terminal, skips unchanged redraws, and erases itself', () => {
    const out = stream(true, 80);
    const bar = createProgressBar(out, { label: 'reading', width: 4 });
    bar.update(0, 2);
    bar.update(1, 2);
    bar.update(1, 2);
    bar.update(2, 2);
    bar.finish();
    expect(out.text).toBe('\rreading [....] 0/2\u001b[K\rreading [##..] 1/2\u001b[K\rreading [####] 2/2\u001b[K\r\u001b[K');
  });

  it('writes nothing when the stream is not a terminal (piped or redirected)', () => {
    for (const out of [stream(false), stream(undefined)]) {
      const bar = createProgressBar(out, { label: 'reading' });
      bar.update(1, 2);
      bar.finish();
      expect(out.text).toBe('');
    }
  });

  it('erases nothing when it never drew', () => {
    const out = stream(true);
    createProgressBar(out, { label: 'reading' }).finish();
    expect(out.text).toBe('');
  });
});

describe('progressLine', () => {
  it('fits the terminal, leaving the last column free', () => {
    expect(progressLine('reading SLOs', 3, 10, 10, 20)).toBe('reading SLOs [###..');
    expect(progressLine('x', 5, 0, 4, 80)).toBe('x [....] 5/0');
    expect(progressLine('x', 7, 4, 4, 80)).toBe('x [####] 7/4');
  });
});
