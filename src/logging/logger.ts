/**
 * slowatch's own diagnostics. Everything goes to stderr, one line per message,
 * prefixed so it is easy to tell from the host application's output.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'none';

export interface Logger {
  error(message: string, error?: unknown): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { none: 0, error: 1, warn: 2, info: 3, debug: 4 };

export interface StderrLoggerOptions {
  /** @default 'info' */
  readonly level?: LogLevel;
  /** Where lines go. @default process.stderr.write */
  readonly write?: (line: string) => void;
  /** @default 'slowatch' */
  readonly prefix?: string;
}

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'all' || v === 'verbose' || v === 'debug') return 'debug';
  if (v === 'info') return 'info';
  if (v === 'warn') return 'warn';
  if (v === 'error') return 'error';
  if (v === 'none') return 'none';
  return undefined;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function createStderrLogger(options: StderrLoggerOptions = {}): Logger {
  const rank = LEVEL_RANK[options.level ?? 'info'];
  const prefix = options.prefix ?? 'slowatch';
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const emit = (level: LogLevel, message: string): void => {
    if (LEVEL_RANK[level] <= rank) write(`${prefix} ${level}: ${message}\n`);
  };
  return {
    error: (message, error) => emit('error', error === undefined ? message : `${message}: ${describeError(error)}`),
    warn: (message) => emit('warn', message),
    info: (message) => emit('info', message),
    debug: (message) => emit('debug', message),
  };
}

/**
 * Counts failures of one kind and logs only the first: a fault on the hot path
 * must not turn into one log line per span.
 */
export class FailureCounter {
  private count = 0;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  get failures(): number {
    return this.count;
  }

  record(error: unknown): void {
    this.count++;
    if (this.count === 1) {
      this.logger.error(`${this.what} failed; further failures are counted, not logged`, error);
    }
  }
}
