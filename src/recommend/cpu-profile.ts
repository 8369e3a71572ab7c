import type { HotFunction } from './recommendation';

/**
 * Ranking of the functions that used the CPU in a V8 CPU profile, for the
 * `hotFunctions` of a recommendation (issue 5, scope item 3). Pure: the
 * profile comes in as data (what the inspector's `Profiler.stop` returns, or a
 * `.cpuprofile` file), nothing is read from the process.
 *
 * The shape is the Chrome DevTools Protocol's `Profiler.Profile`, declared
 * here minimally so this module does not depend on `node:inspector`'s types:
 * - `nodes`: the call tree, one node per distinct call stack; a function
 *   called from several places appears in several nodes;
 * - `samples[i]`: the id of the node on top of the stack at sample i;
 * - `timeDeltas[i]`: microseconds between sample i-1 (the profile's
 *   `startTime` for i = 0) and sample i;
 * - `hitCount`: per node, the number of samples that had it on top.
 */

/** Where a profile node's function is defined. Lines and columns are 0-based. */
export interface CpuProfileCallFrame {
  readonly functionName: string;
  /** Script URL (`file:///…`, `node:…`), '' for V8 built-ins and meta nodes. */
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
  readonly scriptId: string;
}

export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: CpuProfileCallFrame;
  /** Samples with this node on top; used only when the profile has no `samples`. */
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  /** Microseconds (the profiler's monotonic clock). */
  readonly startTime: number;
  /** Microseconds (the profiler's monotonic clock). */
  readonly endTime: number;
  /** Node id on top of the stack at each sample, in time order. */
  readonly samples?: readonly number[];
  /** Microseconds from the previous sample (from `startTime` for the first). */
  readonly timeDeltas?: readonly number[];
}

export interface TopSelfTimeOptions {
  /**
   * Leave the time the thread spent idle (the `(idle)` node: waiting in the
   * event loop for I/O or timers) out of the denominator of `selfShare`.
   * Then a share says how much of the time the thread was BUSY went to the
   * function, which is what matters when the loop is blocked: a function
   * that blocks for 500 ms of a 2 s capture shows a share near 1, not 0.25.
   * With `false` the share is over the whole sampled time, idle included.
   * @default true
   */
  readonly excludeIdle?: boolean;
}

const IDLE = '(idle)';
/**
 * V8's meta nodes: not functions, so never ranked. `(program)` is time in
 * native code outside any JS frame, `(garbage collector)` time in GC pauses,
 * `(root)` the tree's root (it never has samples, in practice). Their time
 * still counts in the denominator (they keep the thread busy); only `(idle)`
 * may be left out (see `excludeIdle`).
 */
const META_FUNCTIONS: ReadonlySet<string> = new Set(['(root)', '(program)', IDLE, '(garbage collector)']);

const ANONYMOUS = '(anonymous)';
const FILE_URL_PREFIX = 'file://';
const MICROSECONDS_PER_MS = 1000;

function isMetaFrame(frame: CpuProfileCallFrame): boolean {
  return frame.url === '' && META_FUNCTIONS.has(frame.functionName);
}

/** `file:///srv/app/a%20b.js` → `/srv/app/a b.js`; other URLs (`node:fs`, `http://…`) as they are. */
function fileOf(url: string): string {
  if (!url.startsWith(FILE_URL_PREFIX)) return url;
  const path = url.slice(FILE_URL_PREFIX.length);
  try {
    return decodeURIComponent(path);
  } catch {
    // A malformed escape: better the raw path than nothing.
    return path;
  }
}

function nonNegative(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Microseconds of CPU time each node had on top of the stack, by node id.
 *
 * Decision: sample i stands for the interval from its own timestamp to the
 * next sample's, i.e. `timeDeltas[i + 1]`: what was on top when the sampler
 * looked is taken to have run until it looked again. The last sample, with no
 * next one, stands for the mean of the inter-sample deltas (`timeDeltas[1..]`):
 * that neither drops it nor gives it the time up to `endTime`, which is not a
 * sampling interval (it includes however long the stop waited for the event
 * loop to get a turn). `timeDeltas[0]` (start to first sample) is setup time,
 * not a sample's.
 * Negative deltas (V8 occasionally records samples out of order) count as 0.
 *
 * Without `samples` (or with `timeDeltas` of another length) every sample
 * stands for the same interval: the profile's duration over the number of
 * samples (`hitCount` totals, in the first case).
 */
function selfMicrosecondsByNode(profile: CpuProfile): Map<number, number> {
  const byNode = new Map<number, number>();
  const add = (id: number, us: number): void => {
    if (us > 0) byNode.set(id, (byNode.get(id) ?? 0) + us);
  };
  const duration = nonNegative(profile.endTime - profile.startTime);
  const samples = profile.samples ?? [];
  if (samples.length === 0) {
    let hits = 0;
    for (const node of profile.nodes) hits += nonNegative(node.hitCount);
    if (hits === 0) return byNode;
    const interval = duration / hits;
    for (const node of profile.nodes) add(node.id, nonNegative(node.hitCount) * interval);
    return byNode;
  }
  const deltas = profile.timeDeltas;
  if (deltas === undefined || deltas.length !== samples.length) {
    const interval = duration / samples.length;
    for (const id of samples) add(id, interval);
    return byNode;
  }
  let interSampleSum = 0;
  for (let i = 1; i < deltas.length; i++) interSampleSum += nonNegative(deltas[i]);
  // One sample: there is no inter-sample delta, the one from startTime is all there is.
  const lastSampleUs = deltas.length > 1 ? interSampleSum / (deltas.length - 1) : nonNegative(deltas[0]);
  for (let i = 0; i < samples.length; i++) {
    const us = i + 1 < deltas.length ? nonNegative(deltas[i + 1]) : lastSampleUs;
    add(samples[i] as number, us);
  }
  return byNode;
}

interface FunctionTotal {
  readonly function: string;
  readonly file: string;
  readonly line: number;
  selfUs: number;
}

function compareHot(a: FunctionTotal, b: FunctionTotal): number {
  if (a.selfUs !== b.selfUs) return b.selfUs - a.selfUs;
  if (a.function !== b.function) return a.function < b.function ? -1 : 1;
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line;
}

/**
 * The `limit` functions with the most self time (time on top of the stack,
 * not counting their callees) in `profile`, highest first; ties by function
 * name, then file, then line, so the order is deterministic.
 *
 * A function is its name, script URL and definition line together: V8 makes
 * one node per call stack, so the self time of the nodes of one function is
 * summed. `selfShare` = the function's self time over the profile's sampled
 * time, idle left out by default (see `TopSelfTimeOptions.excludeIdle`).
 * V8's meta nodes are never ranked (see META_FUNCTIONS). Functions without
 * self time are not listed; an empty profile gives [].
 *
 * Memory: one entry per distinct function and per node (O(nodes)), freed on
 * return.
 *
 * @param limit how many functions at most, a non-negative integer
 * @throws RangeError when `limit` is not a non-negative integer
 */
export function topSelfTimeFunctions(profile: CpuProfile, limit: number, options: TopSelfTimeOptions = {}): HotFunction[] {
  if (!Number.isInteger(limit) || limit < 0) {
    throw new RangeError(`topSelfTimeFunctions: limit must be a non-negative integer, got ${limit}`);
  }
  const excludeIdle = options.excludeIdle ?? true;
  const selfUs = selfMicrosecondsByNode(profile);
  const byFunction = new Map<string, FunctionTotal>();
  let denominatorUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id);
    if (us === undefined) continue;
    const frame = node.callFrame;
    if (isMetaFrame(frame)) {
      if (!(excludeIdle && frame.functionName === IDLE)) denominatorUs += us;
      continue;
    }
    denominatorUs += us;
    const key = `${frame.functionName}\u0000${frame.url}\u0000${frame.lineNumber}`;
    const total = byFunction.get(key);
    if (total !== undefined) {
      total.selfUs += us;
    } else {
      byFunction.set(key, {
        function: frame.functionName === '' ? ANONYMOUS : frame.functionName,
        file: fileOf(frame.url),
        // 0-based in the profile, -1 when unknown; 1-based out, 0 when unknown.
        line: Number.isInteger(frame.lineNumber) && frame.lineNumber >= 0 ? frame.lineNumber + 1 : 0,
        selfUs: us,
      });
    }
  }
  if (denominatorUs <= 0 || limit === 0) return [];
  return [...byFunction.values()]
    .sort(compareHot)
    .slice(0, limit)
    .map((total) => ({
      function: total.function,
      file: total.file,
      line: total.line,
      selfShare: Math.min(1, total.selfUs / denominatorUs),
      selfMs: total.selfUs / MICROSECONDS_PER_MS,
    }));
}
