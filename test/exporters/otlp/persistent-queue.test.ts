import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveOtlpExporterSettings } from '../../../exporters/otlp/config';
import type { OtlpExporterConfig } from '../../../exporters/otlp/config';
import { EXPORTER_METRIC_NAMES } from '../../../exporters/otlp/exporter-metrics';
import { OtlpExporter } from '../../../exporters/otlp/otlp-exporter';
import { PersistentSendingQueue } from '../../../exporters/otlp/persistent-sending-queue';
import type { SendResult } from '../../../exporters/otlp/send-result';
import type { PreparedRequest, Transport } from '../../../exporters/otlp/transport';
import { decodeProtobufRequest, encodeProtobufRequest } from '../../../src/otlp/codec';
import type { ExportRequest } from '../../../src/otlp/export-request';
import type { Signal } from '../../../src/otlp/signal';
import { BackpressureError } from '../../../src/pipeline/pipeline-errors';
import type { PersistentQueueTable, QueueStorageHost } from '../../../src/storage/persistent-queue';
import { SlowatchStore } from '../../../src/storage/slowatch-store';
import { useTempDir } from '../../storage/store-test-files';
import { batchNumbersOf, batchOf, sleep, testContext, traceRequest, waitUntil } from './helpers';

// Bound: a few seconds (in-process fake transport, retries every 5 to 10 ms; the shutdown test
// gives up after 20 s only if shutdown waited for its 60 s drain time, i.e. when it fails).

type Answer = SendResult | Promise<SendResult>;

/** A transport that records the batch numbers it is asked to send and answers what `answer` says. */
class ScriptedTransport implements Transport {
  readonly sent: number[][] = [];
  private readonly pending: ((result: SendResult) => void)[] = [];

  constructor(public answer: (attempt: number) => Answer = () => ({ kind: 'ok', rejected: 0, errorMessage: '' })) {}

  start(): Promise<void> {
    return Promise.resolve();
  }

  prepare(signal: Signal, request: ExportRequest): Promise<PreparedRequest> {
    return Promise.resolve({ body: Buffer.from(encodeProtobufRequest(signal, request)) });
  }

  async send(signal: Signal, prepared: PreparedRequest): Promise<SendResult> {
    this.sent.push(batchNumbersOf(decodeProtobufRequest(signal, prepared.body)));
    return this.answer(this.sent.length);
  }

  /** An answer that stays pending until `abortAll`. */
  hang(): Promise<SendResult> {
    return new Promise((resolve) => this.pending.push(resolve));
  }

  abortAll(reason: string): void {
    for (const resolve of this.pending.splice(0)) resolve({ kind: 'aborted', reason });
  }

  close(): void {
    this.abortAll('closed');
  }
}

const OK: SendResult = { kind: 'ok', rejected: 0, errorMessage: '' };
const UNAVAILABLE: SendResult = { kind: 'retryable', reason: 'HTTP 503: down', failureKind: 'HTTP 503' };
const BAD_REQUEST: SendResult = { kind: 'permanent', reason: 'HTTP 400: bad', failureKind: 'HTTP 400' };

function settings(queue: OtlpExporterConfig['sending_queue'] = {}) {
  return resolveOtlpExporterSettings({
    endpoint: 'http://127.0.0.1:9',
    sending_queue: { storage: 'storage', num_consumers: 1, ...queue },
    retry_on_failure: { initial_interval: '5ms', max_interval: '10ms', max_elapsed_time: '0s' },
  });
}

function hostOf(store: SlowatchStore): QueueStorageHost {
  return { openQueue: (name) => store.queueTable(name) };
}

async function startedExporter(store: SlowatchStore, transport: Transport, queue: OtlpExporterConfig['sending_queue'] = {}) {
  const test = testContext('otlp/downstream');
  const exporter = new OtlpExporter(settings(queue), test.ctx, { transport, random: () => 0.5, drainTimeoutMs: 200 });
  expect(exporter.queueStorageId).toBe('storage');
  exporter.attachQueueStorage(hostOf(store));
  await exporter.start();
  return { exporter, test };
}

/** The table, with its UPDATE and DELETE failing as on a full disk while `failing()` is true. */
function withDiskFull(table: PersistentQueueTable, failing: () => boolean): PersistentQueueTable {
  const diskFull = (): void => {
    if (failing()) throw new Error('SQLITE_FULL: database or disk is full');
  };
  const markDispatched = table.markDispatched.bind(table);
  const remove = table.remove.bind(table);
  table.markDispatched = (id) => {
    diskFull();
    markDispatched(id);
  };
  table.remove = (id) => {
    diskFull();
    return remove(id);
  };
  return table;
}

const bodyOf = (n: number): Uint8Array => encodeProtobufRequest('traces', traceRequest(n));

/** What settles first: `promise`, or 'timed out' after `ms` (the timer is cleared either way). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const rowsOf = (store: SlowatchStore): number => store.queueTable('otlp/downstream').totals().entries;

describe('otlp exporter: persistent sending queue', () => {
  const tempDir = useTempDir('slowatch-queue-');
  const storePath = (): string => path.join(tempDir(), 'slowatch.db');

  it('commits each batch before consume resolves, and sends in order of arrival', async () => {
    const store = SlowatchStore.open({ path: storePath() });
    let openGate: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const transport = new ScriptedTransport(() => gate.then(() => OK));
    const { exporter } = await startedExporter(store, transport);
    for (let n = 1; n <= 5; n++) {
      await exporter.consume(batchOf('traces', traceRequest(n)));
      // Resolved: the row is on disk (the one consumer holds batch 1 in flight, still on disk).
      expect(rowsOf(store)).toBe(n);
    }
    openGate?.();
    await waitUntil(() => rowsOf(store) === 0, 5000, 'the queue to empty');
    expect(transport.sent).toEqual([[1], [2], [3], [4], [5]]);
    expect(exporter.metrics.totals.sent.traces).toBe(15);
    await exporter.shutdown();
    store.close();
  });

  it('deletes a batch only once the downstream accepted it', async () => {
    const store = SlowatchStore.open({ path: storePath() });
    let release: ((result: SendResult) => void) | undefined;
    const transport = new ScriptedTransport(() => new Promise<SendResult>((resolve) => (release = resolve)));
    const { exporter } = await startedExporter(store, transport);
    await exporter.consume(batchOf('traces', traceRequest(1)));
    await waitUntil(() => release !== undefined, 2000, 'the send to begin');
    expect(rowsOf(store)).toBe(1);
    expect(store.queueTable('otlp/downstream').next(0)?.dispatched).toBe(true);
    await sleep(20);
    expect(rowsOf(store)).toBe(1);
    release?.(OK);
    await waitUntil(() => rowsOf(store) === 0, 2000, 'the row to be deleted');
    expect(exporter.metrics.totals.sent.traces).toBe(3);
    await exporter.shutdown();
    store.close();
  });

  it('after a crash, sends everything left on disk at the next start, counting the batch that was in flight as redelivered', async () => {
    const file = storePath();
    const first = SlowatchStore.open({ path: file });
    const down: ScriptedTransport = new ScriptedTransport(() => down.hang());
    const { exporter: crashed } = await startedExporter(first, down, { num_consumers: 2 });
    for (let n = 1; n <= 4; n++) await crashed.consume(batchOf('traces', traceRequest(n)));
    await waitUntil(() => down.sent.length === 2, 2000, 'two batches in flight');
    // A crash: nothing more happens in this exporter, and the store is closed under it.
    first.close();

    const second = SlowatchStore.open({ path: file });
    expect(rowsOf(second)).toBe(4);
    const up = new ScriptedTransport();
    const { exporter, test } = await startedExporter(second, up, { num_consumers: 2 });
    await waitUntil(() => rowsOf(second) === 0, 5000, 'the queue left by the crash to empty');
    expect(up.sent.flat().sort()).toEqual([1, 2, 3, 4]);
    // Batches 1 and 2 were being sent when the process died: at most num_consumers redeliveries.
    expect(exporter.metrics.totals.redeliveredBatches).toBe(2);
    expect(await test.metric(EXPORTER_METRIC_NAMES.queueRedelivered)).toBe(2);
    expect(test.logs.some((line) => line.includes('4 batches') && line.includes('left by the previous run'))).toBe(true);
    await exporter.shutdown();
    second.close();
    down.abortAll('end of test');
  });

  it('refuses with back-pressure when queue_size or max_bytes is reached, never dropping', async () => {
    const store = SlowatchStore.open({ path: storePath() });
    const transport = new ScriptedTransport(() => UNAVAILABLE);
    const { exporter, test } = await startedExporter(store, transport, { queue_size: 2 });
    await exporter.consume(batchOf('traces', traceRequest(1)));
    await exporter.consume(batchOf('traces', traceRequest(2)));
    await expect(exporter.consume(batchOf('traces', traceRequest(3)))).rejects.toBeInstanceOf(BackpressureError);
    expect(rowsOf(store)).toBe(2);
    expect(exporter.metrics.totals.enqueueFailed.traces).toBe(3);
    expect(test.logs.filter((line) => line.includes('persistent sending queue is full'))).toHaveLength(1);
    await exporter.shutdown();
    // Shutdown keeps what the downstream has not taken: it is the next start's.
    expect(rowsOf(store)).toBe(2);
    store.close();

    const small = SlowatchStore.open({ path: path.join(tempDir(), 'small.db') });
    const oneBatch = Buffer.byteLength(encodeProtobufRequest('traces', traceRequest(1)));
    const capped = await startedExporter(small, new ScriptedTransport(() => UNAVAILABLE), { max_bytes: oneBatch + 10 });
    await capped.exporter.consume(batchOf('traces', traceRequest(1)));
    await expect(capped.exporter.consume(batchOf('traces', traceRequest(2)))).rejects.toBeInstanceOf(BackpressureError);
    expect(small.queueTable('otlp/downstream').totals()).toMatchObject({ entries: 1, bytes: oneBatch });
    await capped.exporter.shutdown();
    small.close();
  });

  it('drops a batch the downstream refuses for good (400): deleted, counted, logged once', async () => {
    const store = SlowatchStore.open({ path: storePath() });
    const transport = new ScriptedTransport((attempt) => (attempt <= 2 ? BAD_REQUEST : OK));
    const { exporter, test } = await startedExporter(store, transport);
    for (let n = 1; n <= 3; n++) await exporter.consume(batchOf('traces', traceRequest(n)));
    await waitUntil(() => rowsOf(store) === 0, 2000, 'the queue to empty');
    expect(transport.sent).toHaveLength(3); // never retried
    expect(exporter.metrics.totals.sendFailed.traces).toBe(6);
    expect(exporter.metrics.totals.sent.traces).toBe(3);
    expect(test.logs.filter((line) => line.includes('HTTP 400'))).toHaveLength(1);
    await exporter.shutdown();
    store.close();
  });

  it('refuses with back-pressure when the store cannot be written', async () => {
    const store = SlowatchStore.open({ path: storePath() });
    const { exporter, test } = await startedExporter(store, new ScriptedTransport());
    store.close();
    await expect(exporter.consume(batchOf('traces', traceRequest(1)))).rejects.toBeInstanceOf(BackpressureError);
    expect(exporter.metrics.totals.enqueueFailed.traces).toBe(3);
    expect(test.logs.some((line) => line.includes('storing a batch in the persistent queue'))).toBe(true);
    await exporter.shutdown();
  });

  it('strands nothing while the store fails its updates and deletes (disk full), and frees itself once it recovers', async () => {
    const store = SlowatchStore.open({ path: storePath() });
    let failing = true;
    const table = withDiskFull(store.queueTable('otlp/downstream'), () => failing);
    const transport = new ScriptedTransport();
    const test = testContext('otlp/downstream');
    const exporter = new OtlpExporter(settings({ queue_size: 4 }), test.ctx, { transport, random: () => 0.5, drainTimeoutMs: 200 });
    exporter.attachQueueStorage({ openQueue: () => table });
    await exporter.start();
    for (let n = 1; n <= 4; n++) await exporter.consume(batchOf('traces', traceRequest(n)));
    // Sent although the dispatched mark failed; settled, but the deletes failed: the rows are still on disk.
    await waitUntil(() => transport.sent.length === 4, 2000, 'the four batches to be sent');
    await sleep(20);
    expect(rowsOf(store)).toBe(4);
    expect(exporter.queueSize).toBe(4);
    await expect(exporter.consume(batchOf('traces', traceRequest(5)))).rejects.toBeInstanceOf(BackpressureError);

    failing = false;
    // The next enqueue deletes the settled rows first, so it is accepted.
    await exporter.consume(batchOf('traces', traceRequest(6)));
    await waitUntil(() => rowsOf(store) === 0 && exporter.queueSize === 0, 2000, 'the queue to empty');
    expect(transport.sent).toEqual([[1], [2], [3], [4], [6]]);
    expect(exporter.metrics.totals.sent.traces).toBe(15);
    expect(exporter.metrics.totals.redeliveredBatches).toBe(0);
    expect(test.logs.filter((line) => line.includes('marking a batch as being sent'))).toHaveLength(1);
    expect(test.logs.filter((line) => line.includes('deleting a settled batch'))).toHaveLength(1);
    expect(test.logs.some((line) => line.includes('sending from the persistent queue'))).toBe(false);
    await exporter.shutdown();
    expect(rowsOf(store)).toBe(0);
    store.close();
  });

  it('retries a failed delete at the next take, and hands a released batch out again first, without its dispatched mark', async () => {
    const store = SlowatchStore.open({ path: storePath() });
    let failing = false;
    const table = withDiskFull(store.queueTable('q'), () => failing);
    const queue = new PersistentSendingQueue(table, 10, 1_000_000);
    for (let n = 1; n <= 3; n++) expect(queue.offer('traces', 3, bodyOf(n), n)).toBeUndefined();
    const first = await queue.take();
    const second = await queue.take();
    if (first === undefined || second === undefined) throw new Error('batches expected');
    queue.markDispatched(first);
    expect(table.entry(first.id)?.dispatched).toBe(true);
    queue.release(first, false); // nothing was sent
    expect(table.entry(first.id)?.dispatched).toBe(false);
    failing = true;
    expect(() => queue.settle(second)).toThrow(/disk is full/);
    expect(queue.size).toBe(3);
    failing = false;
    const again = await queue.take();
    expect(again?.id).toBe(first.id);
    expect(again?.redelivery).toBe(false);
    // The failed delete was retried by that take.
    expect(table.entry(second.id)).toBeUndefined();
    expect(queue.size).toBe(2);
    if (again !== undefined) queue.settle(again);
    const third = await queue.take();
    if (third === undefined) throw new Error('batch 3 expected');
    queue.settle(third);
    expect({ size: queue.size, bytes: queue.bytes, waiting: queue.waiting }).toEqual({ size: 0, bytes: 0, waiting: 0 });
    expect(table.totals().entries).toBe(0);
    queue.close();
    store.close();
  });

  it('uncounts a settled row that is already gone (deleted by another instance), so the totals do not drift', async () => {
    const store = SlowatchStore.open({ path: storePath() });
    const table = store.queueTable('q');
    // One row left by an earlier run (counted at open), one appended by this queue.
    table.append({ signal: 'traces', items: 3, enqueuedMs: 0, body: bodyOf(1) });
    const queue = new PersistentSendingQueue(table, 10, 1_000_000);
    queue.offer('traces', 3, bodyOf(2), 1);
    expect(queue.size).toBe(2);
    const other = store.queueTable('q');
    for (let n = 1; n <= 2; n++) {
      const batch = await queue.take();
      if (batch === undefined) throw new Error('a batch expected');
      expect(other.remove(batch.id)).toBe(true);
      queue.settle(batch);
      expect(queue.size).toBe(2 - n);
    }
    expect({ size: queue.size, bytes: queue.bytes }).toEqual({ size: 0, bytes: 0 });
    queue.close();
    store.close();
  });

  it('shuts down without waiting out the drain time when the downstream is down, and the next start sends everything', async () => {
    const file = storePath();
    const first = SlowatchStore.open({ path: file });
    const down = new ScriptedTransport(() => UNAVAILABLE);
    const longRetries = resolveOtlpExporterSettings({
      endpoint: 'http://127.0.0.1:9',
      sending_queue: { storage: 'storage', num_consumers: 2 },
      retry_on_failure: { initial_interval: '30s', max_interval: '30s', max_elapsed_time: '0s' },
    });
    const test = testContext('otlp/downstream');
    const stopping = new OtlpExporter(longRetries, test.ctx, { transport: down, random: () => 0.5, drainTimeoutMs: 60_000 });
    stopping.attachQueueStorage(hostOf(first));
    await stopping.start();
    for (let n = 1; n <= 3; n++) await stopping.consume(batchOf('traces', traceRequest(n)));
    // Both consumers tried once and now wait 30 s before their retry.
    await waitUntil(() => down.sent.length === 2, 2000, 'two attempts');
    expect(await within(stopping.shutdown().then(() => 'returned' as const), 20_000)).toBe('returned');
    expect(down.sent).toHaveLength(2); // no retry after shutdown began
    expect(rowsOf(first)).toBe(3);
    expect(test.logs.some((line) => line.includes('3 batches stay in the persistent sending queue'))).toBe(true);
    first.close();

    const second = SlowatchStore.open({ path: file });
    const up = new ScriptedTransport();
    const { exporter } = await startedExporter(second, up, { num_consumers: 2 });
    await waitUntil(() => rowsOf(second) === 0, 5000, 'the queue to empty');
    expect(up.sent.flat().sort()).toEqual([1, 2, 3]);
    // Batches 1 and 2 had a request written: redeliveries; batch 3 was never taken.
    expect(exporter.metrics.totals.redeliveredBatches).toBe(2);
    await exporter.shutdown();
    second.close();
  }, 30_000);

  it('fails its start when no storage extension was attached', async () => {
    const exporter = new OtlpExporter(settings(), testContext('otlp/downstream').ctx, { transport: new ScriptedTransport() });
    await expect(exporter.start()).rejects.toThrow(/sending_queue.storage: extension "storage" was not attached/);
  });
});
