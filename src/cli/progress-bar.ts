/**
 * A one-line progress bar for long reads, drawn on a terminal only: when
 * the stream is not a TTY (piped, redirected, CI logs) it writes nothing at
 * all, so the output stays clean. Redraws in place with a carriage return
 * and erases itself when done. No clock: it redraws only when the count
 * changes, at most `width + 1` times per run.
 */

/** The stream the bar draws on (process.stderr in the CLI). */
export interface ProgressStream {
  readonly isTTY?: boolean | undefined;
  /** Terminal width; the bar fits in it. */
  readonly columns?: number | undefined;
  write(text: string): unknown;
}

export interface ProgressBarOptions {
  /** Text before the bar. */
  readonly label: string;
  /** Cells of the bar itself. @default 30 */
  readonly width?: number;
}

export interface ProgressBar {
  /** Shows `done` of `total`. */
  update(done: number, total: number): void;
  /** Erases the bar (when one was drawn). */
  finish(): void;
}

/** Erase from the cursor to the end of the line (ANSI CSI K). */
const ERASE_LINE = '\u001b[K';

/** A bar on `stream`, or one that does nothing when the stream is not a TTY. */
export function createProgressBar(stream: ProgressStream, options: ProgressBarOptions): ProgressBar {
  if (stream.isTTY !== true) return { update: () => undefined, finish: () => undefined };
  const columns = stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
  let drawn = false;
  let lastText = '';
  return {
    update(done, total) {
      const text = progressLine(options.label, done, total, options.width ?? 30, columns);
      if (text === lastText) return;
      lastText = text;
      drawn = true;
      stream.write(`\r${text}${ERASE_LINE}`);
    },
    finish() {
      if (drawn) stream.write(`\r${ERASE_LINE}`);
      drawn = false;
      lastText = '';
    },
  };
}

/** `reading SLOs [#########.....................] 3/10`, cut to `columns − 1` characters. */
export function progressLine(label: string, done: number, total: number, width: number, columns: number): string {
  const share = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(share * width);
  const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
  // The last column would wrap on some terminals, leaving the carriage return on the next line.
  return line.slice(0, Math.max(0, columns - 1));
}
