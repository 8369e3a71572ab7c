import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import type { Component, ComponentContext } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import { BackpressureError } from '../../src/pipeline/pipeline-errors';
import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';
import { encodeJsonRequest } from '../../src/otlp/codec';
import { toBuffer } from '../../src/otlp/transport';
import { ExporterMetrics, FailureLog } from '../otlp/exporter-metrics';
import { describeNetworkError } from '../otlp/transport';
import type { FileExporterSettings } from './config';

/** With flush_interval, buffered lines are written early once they reach this many bytes. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface PendingLine {
  readonly batch: TelemetryBatch;
  readonly line: Buffer;
}

/**
 * The `file` exporter: one line per batch, the OTLP/JSON export request,
 * appended to `path` through one write stream.
 *
 * Order: every write, rotation and reopen runs through one promise chain, so
 * lines land in the order batches arrived and none is written across a
 * rotation. No synchronous I/O: rotation renames and opens asynchronously.
 *
 * Rotation is by size: before a line would take the file past max_megabytes
 * (and the file is not empty), the file is closed and renamed to `path.1`,
 * older backups shift up to `path.<max_backups>` (the one beyond is
 * overwritten), and a new file is started.
 *
 * Failures (disk full, EACCES, a deleted directory) are counted as failed
 * items and logged once per kind; the batch is lost, the exporter reopens the
 * file for the next batch and the process stays up. `consume` still resolves:
 * a local file must not make the receiver refuse data other exporters take.
 *
 * Memory: without flush_interval, `consume` resolves when its line is
 * written, so unwritten lines are bounded by the callers' concurrency; with
 * it, at most MAX_BUFFERED_BYTES are buffered before an early write.
 */
export class FileExporter implements Component, Consumer {
  readonly metrics: ExporterMetrics;
  private readonly failures: FailureLog;
  private stream?: WriteStream;
  /** Bytes in the current file, including writes not yet flushed. */
  private size = 0;
  private chain: Promise<void> = Promise.resolve();
  private buffer: PendingLine[] = [];
  private bufferedBytes = 0;
  private flushTimer?: NodeJS.Timeout;
  private stopping = false;
  private shutdownPromise?: Promise<void>;

  constructor(
    private readonly settings: FileExporterSettings,
    private readonly ctx: ComponentContext,
  ) {
    this.metrics = new ExporterMetrics(ctx.meter, ctx.id);
    this.failures = new FailureLog(ctx.logger, `exporter ${ctx.id}`);
  }

  /** Opens (appends to) the file; rejects with one line when it cannot. */
  async start(): Promise<void> {
    try {
      this.size = await currentSize(this.settings.path);
      this.stream = await openStream(this.settings.path);
    } catch (error) {
      throw new Error(`exporter ${this.ctx.id}: cannot open ${this.settings.path}: ${describeNetworkError(error)}`);
    }
    this.watch(this.stream);
    if (this.settings.flushIntervalMs !== undefined) {
      this.flushTimer = setInterval(() => void this.flush(), this.settings.flushIntervalMs);
      this.flushTimer.unref();
    }
  }

  consume(batch: TelemetryBatch): Promise<void> {
    if (this.stopping) return Promise.reject(new BackpressureError(`exporter ${this.ctx.id} is shutting down`, 1));
    let line: Buffer;
    try {
      line = Buffer.concat([toBuffer(encodeJsonRequest(batch.signal, batch.request)), NEWLINE]);
    } catch (error) {
      this.metrics.sendFailed(batch.signal, batch.itemCount);
      this.failures.record('encode', 'encoding a batch as OTLP/JSON', error);
      return Promise.resolve();
    }
    if (this.settings.flushIntervalMs === undefined) return this.append([{ batch, line }]);
    this.buffer.push({ batch, line });
    this.bufferedBytes += line.length;
    if (this.bufferedBytes >= MAX_BUFFERED_BYTES) void this.flush();
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      this.stopping = true;
      if (this.flushTimer !== undefined) clearInterval(this.flushTimer);
      await this.flush();
      await this.chain;
      const stream = this.stream;
      this.stream = undefined;
      if (stream !== undefined) await closeStream(stream);
    })();
    return this.shutdownPromise;
  }

  // -------------------------------------------------------------------------

  /** Writes the buffered lines (flush_interval). */
  private flush(): Promise<void> {
    if (this.buffer.length === 0) return Promise.resolve();
    const lines = this.buffer;
    this.buffer = [];
    this.bufferedBytes = 0;
    return this.append(lines);
  }

  /**
   * Queues the lines behind every earlier write; resolves when they are
   * written or counted as failed. Never rejects.
   */
  private append(lines: readonly PendingLine[]): Promise<void> {
    const written = this.chain
      .then(() => this.writeLines(lines))
      .catch((error: unknown) => {
        // writeLines handles I/O errors itself; this guards against the unexpected, so consume never rejects.
        for (const { batch } of lines) this.metrics.sendFailed(batch.signal, batch.itemCount);
        this.failures.record('internal', `writing to ${this.settings.path}`, error);
        return [] as Promise<void>[];
      });
    // The chain only orders (it never rejects); each append waits for its own lines.
    this.chain = written.then(() => undefined);
    return written.then((writes) => Promise.all(writes)).then(() => undefined);
  }

  /**
   * Runs in the chain: rotates when needed and hands each line to the
   * stream, without waiting for the disk (the stream keeps the order).
   * Returns one promise per line that settles when it is written.
   */
  private async writeLines(lines: readonly PendingLine[]): Promise<Promise<void>[]> {
    const writes: Promise<void>[] = [];
    for (const { batch, line } of lines) {
      if (this.size > 0 && this.size + line.length > this.settings.rotation.maxBytes) await this.rotate();
      const stream = await this.ensureOpen();
      if (stream === undefined) {
        this.metrics.sendFailed(batch.signal, batch.itemCount);
        continue;
      }
      this.size += line.length;
      writes.push(
        new Promise<void>((resolve) => {
          stream.write(line, (error) => {
            if (error) {
              this.metrics.sendFailed(batch.signal, batch.itemCount);
              this.failures.record('write', `writing to ${this.settings.path}`, error);
            } else {
              this.metrics.sent(batch.signal, batch.itemCount);
            }
            resolve();
          });
        }),
      );
    }
    return writes;
  }

  /** The open stream, reopening after a failure; undefined (counted, logged once) when the file cannot be opened. */
  private async ensureOpen(): Promise<WriteStream | undefined> {
    if (this.stream !== undefined && !this.stream.destroyed && this.stream.writable) return this.stream;
    const broken = this.stream;
    this.stream = undefined;
    if (broken !== undefined) await closeStream(broken);
    try {
      this.size = await currentSize(this.settings.path);
      this.stream = await openStream(this.settings.path);
      this.watch(this.stream);
      return this.stream;
    } catch (error) {
      this.failures.record('open', `opening ${this.settings.path}`, error);
      return undefined;
    }
  }

  /** path → path.1 → … → path.<max_backups>, then a new file at path. */
  private async rotate(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream !== undefined) await closeStream(stream);
    const { path } = this.settings;
    const { maxBackups } = this.settings.rotation;
    try {
      if (maxBackups === 0) {
        await ignoreMissing(unlink(path));
      } else {
        for (let i = maxBackups - 1; i >= 1; i--) await ignoreMissing(rename(`${path}.${i}`, `${path}.${i + 1}`));
        // A file deleted behind our back has nothing to keep.
        await ignoreMissing(rename(path, `${path}.1`));
      }
      this.size = 0;
    } catch (error) {
      this.failures.record('rotate', `rotating ${path}`, error);
    }
    // ensureOpen opens the next file (appending to the old one if rotation failed).
  }

  private watch(stream: WriteStream): void {
    // Write callbacks report each failure; this listener keeps an 'error' event from crashing the process.
    stream.on('error', () => undefined);
  }
}

const NEWLINE = Buffer.from('\n');

async function currentSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

function openStream(path: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const stream = createWriteStream(path, { flags: 'a' });
    const onError = (error: Error): void => {
      stream.off('ready', onReady);
      reject(error);
    };
    const onReady = (): void => {
      stream.off('error', onError);
      resolve(stream);
    };
    stream.once('error', onError);
    stream.once('ready', onReady);
  });
}

/** Ends the stream and waits until its pending writes are done and the file is closed. */
function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.closed || stream.destroyed) {
      resolve();
      return;
    }
    stream.once('close', () => resolve());
    stream.end();
  });
}

async function ignoreMissing(operation: Promise<void>): Promise<void> {
  try {
    await operation;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
