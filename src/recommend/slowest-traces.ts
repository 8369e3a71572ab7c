/**
 * Small helpers the cross-trace statistics share (dependency stats, dominant
 * dependency): owned copies of kept strings and the slowest example traces.
 */

/**
 * A fresh flat copy, so that a string kept for the window never references a
 * larger parent (V8's sliced strings: an id sliced out of a decoded request
 * would keep the whole request alive).
 */
export function ownedCopy(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** A trace kept as an example, with its slowest duration seen. */
export interface TraceExample {
  readonly traceId: string;
  durationMs: number;
}

/**
 * Keeps the `capacity` slowest traces' ids in `examples`, one entry per trace
 * (a trace with many matching spans, an N+1 loop, must not fill every slot).
 * O(capacity) per call.
 */
export function keepSlowest(examples: TraceExample[], traceId: string, durationMs: number, capacity: number): void {
  for (const example of examples) {
    if (example.traceId === traceId) {
      if (durationMs > example.durationMs) example.durationMs = durationMs;
      return;
    }
  }
  if (examples.length < capacity) {
    examples.push({ traceId: ownedCopy(traceId), durationMs });
    return;
  }
  let minIndex = 0;
  for (let i = 1; i < examples.length; i++) if (examples[i]!.durationMs < examples[minIndex]!.durationMs) minIndex = i;
  if (durationMs > examples[minIndex]!.durationMs) examples[minIndex] = { traceId: ownedCopy(traceId), durationMs };
}
