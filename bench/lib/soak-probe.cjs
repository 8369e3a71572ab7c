'use strict';
/**
 * Preloaded into the soak run's processes (`node --require bench/lib/soak-probe.cjs …`,
 * started by bench/soak.mjs with an IPC channel): every SOAK_PROBE_MS
 * milliseconds (default 1000) it sends the parent what only the process
 * itself can see, V8's heap figures (process.memoryUsage()) and the event
 * loop's delay over the last interval (perf_hooks.monitorEventLoopDelay,
 * 10 ms resolution; mean, p50, p99 and max in ms, reset after each message).
 * No inspector, no HTTP endpoint: the probe does not change what the process
 * serves. It does nothing when the process has no IPC channel.
 *
 * SOAK_PROBE_GC=1 (the process must run with --expose-gc): before reading
 * memory, a full garbage collection, so that the figures are what the process
 * retains, not how much garbage V8 let pile up since its last major GC (which
 * on a 30–40 MB heap comes every minute or two and moves RSS by tens of MB:
 * a short run's trend would measure V8's heap-growth heuristics, not a leak).
 * The collection's pause is reported (forcedGcMs); it lands in the next
 * interval's event-loop delay (its max, rarely its p99).
 *
 * SOAK_LEAK_MB_PER_MIN (default 0) makes it retain zero-filled (so resident)
 * buffers at that rate: a deliberate leak, to show that the soak verdict fails
 * when memory grows. Memory of the probe itself: one histogram (a few KB) and,
 * with the leak, what it is told to leak.
 *
 * Both the timer and the IPC channel are unref'd: the probe never keeps a
 * process alive that would otherwise exit.
 */
const { monitorEventLoopDelay } = require('node:perf_hooks');

if (typeof process.send === 'function') {
  const intervalMs = Number(process.env.SOAK_PROBE_MS) > 0 ? Number(process.env.SOAK_PROBE_MS) : 1000;
  const leakMbPerMin = Number(process.env.SOAK_LEAK_MB_PER_MIN) > 0 ? Number(process.env.SOAK_LEAK_MB_PER_MIN) : 0;
  const leakBytesPerTick = Math.round((leakMbPerMin * 2 ** 20 * intervalMs) / 60_000);
  const leaked = [];
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ms = (ns) => Math.round((ns / 1e6) * 100) / 100;

  const forceGc = process.env.SOAK_PROBE_GC === '1' && typeof global.gc === 'function';

  const timer = setInterval(() => {
    if (leakBytesPerTick > 0) leaked.push(Buffer.alloc(leakBytesPerTick, 1));
    if (!process.connected) return;
    const eventLoopDelayMs = { mean: ms(histogram.mean), p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
    histogram.reset();
    let forcedGcMs = null;
    if (forceGc) {
      const started = process.hrtime.bigint();
      global.gc();
      forcedGcMs = ms(Number(process.hrtime.bigint() - started));
    }
    const memory = process.memoryUsage();
    const sample = {
      kind: 'soak-probe',
      memory: { rss: memory.rss, heapTotal: memory.heapTotal, heapUsed: memory.heapUsed, external: memory.external, arrayBuffers: memory.arrayBuffers },
      eventLoopDelayMs,
      forcedGcMs,
      leakedBytes: leaked.length * leakBytesPerTick,
    };
    try {
      process.send(sample);
    } catch {
      // The parent went away: nothing to report to.
    }
  }, intervalMs);
  timer.unref();
  if (process.channel && typeof process.channel.unref === 'function') process.channel.unref();
}
