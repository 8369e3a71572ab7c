import { describe, expect, it } from 'vitest';
import { OperationNamer } from '../../src/engine/span-semantics';
import type { TraceSpan } from '../../src/recommend/trace-span';
import { TraceTree, compareSpansByStart, isEntrySpan } from '../../src/recommend/trace-tree';

const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;
const INTERNAL = 1;

function span(spanId: string, parentSpanId: string, startTimeMs: number, over: Partial<TraceSpan> = {}): TraceSpan {
  return {
    traceId: 't',
    spanId,
    parentSpanId,
    service: 'svc',
    name: spanId,
    kind: INTERNAL,
    startTimeMs,
    endTimeMs: startTimeMs + 10,
    statusCode: 0,
    attributes: {},
    ...over,
  };
}

const ids = (spans: readonly TraceSpan[]): string[] => spans.map((s) => s.spanId);

describe('TraceTree', () => {
  // root(SERVER) ─ handler(INTERNAL) ─ q1, q2, q3 (CLIENT, given out of order)
  //              └ consumer(CONSUMER) ─ work(INTERNAL)
  // orphan (parent 'missing')
  const spans = [
    span('q3', 'handler', 30, { kind: CLIENT }),
    span('root', '', 0, { kind: SERVER, name: 'GET', attributes: { 'http.request.method': 'GET', 'http.route': '/users/:id' } }),
    span('q1', 'handler', 10, { kind: CLIENT }),
    span('handler', 'root', 5),
    span('q2', 'handler', 20, { kind: CLIENT }),
    span('consumer', 'root', 50, { kind: CONSUMER }),
    span('work', 'consumer', 55),
    span('orphan', 'missing', 1),
  ];
  const tree = new TraceTree(spans);

  it('indexes spans, children in start order and roots (orphans included)', () => {
    expect(ids(tree.roots)).toEqual(['root', 'orphan']);
    expect(ids(tree.childrenOf(tree.spanById('handler')!))).toEqual(['q1', 'q2', 'q3']);
    expect(ids(tree.childrenOf(tree.spanById('root')!))).toEqual(['handler', 'consumer']);
    expect(tree.childrenOf(tree.spanById('q1')!)).toEqual([]);
    expect(tree.parentOf(tree.spanById('q1')!)?.spanId).toBe('handler');
    expect(tree.parentOf(tree.spanById('orphan')!)).toBeUndefined();
    expect(tree.spanById('nope')).toBeUndefined();
    expect(new Map([...tree.parents()].map(([id, c]) => [id, ids(c)]))).toEqual(
      new Map([['handler', ['q1', 'q2', 'q3']], ['root', ['handler', 'consumer']], ['consumer', ['work']]]),
    );
  });

  it.each([
    ['q2', 'root'],
    ['handler', 'root'],
    ['root', 'root'],
    ['work', 'consumer'], // nearest entry span, not the outermost
    ['consumer', 'consumer'],
    ['orphan', 'orphan'], // no entry span: top of its chain
  ])('entry span of %s is %s', (spanId, entry) => {
    expect(tree.entrySpanOf(tree.spanById(spanId)!).spanId).toBe(entry);
  });

  it.each([
    ['stable conventions', { 'http.request.method': 'GET', 'http.route': '/users/:id' }, 'GET /users/:id'],
    ['old conventions', { 'http.method': 'POST', 'http.route': '/orders' }, 'POST /orders'],
    ['no route', { 'http.request.method': 'GET' }, 'span name'],
    ['no method', { 'http.route': '/orders' }, 'span name'],
    ['no HTTP', {}, 'span name'],
  ])('names operations like the SLO engine (%s)', (_label, attributes, expected) => {
    const s = span('s', '', 0, { name: 'span name', attributes });
    expect(new TraceTree([s]).operationOf(s)).toBe(expected);
  });

  it('uses a shared OperationNamer when given one', () => {
    const namer = new OperationNamer(1);
    const a = span('a', '', 0, { attributes: { 'http.method': 'GET', 'http.route': '/a' } });
    const b = span('b', '', 0, { attributes: { 'http.method': 'GET', 'http.route': '/b' } });
    expect(new TraceTree([a], { operationNamer: namer }).operationOf(a)).toBe('GET /a');
    expect(new TraceTree([b], { operationNamer: namer }).operationOf(b)).toBe('GET /b'); // beyond the cache: still right
  });

  it('survives parent cycles, self-parents and duplicate ids', () => {
    const cyclic = new TraceTree([span('a', 'b', 0), span('b', 'a', 1), span('self', 'self', 2), span('a', '', 3)]);
    // The cycle a ⇄ b has no root; the duplicate 'a' is still listed (as a root), but the first 'a' wins by id.
    expect(cyclic.roots.map((s) => [s.spanId, s.startTimeMs])).toEqual([['self', 2], ['a', 3]]);
    expect(cyclic.spanById('a')!.startTimeMs).toBe(0);
    const a = cyclic.spanById('a')!;
    expect(['a', 'b']).toContain(cyclic.entrySpanOf(a).spanId); // ends despite the cycle
  });

  it('orders by start, then end, then span id, whatever the input order', () => {
    const x = [span('b', 'p', 1, { endTimeMs: 5 }), span('a', 'p', 1, { endTimeMs: 5 }), span('c', 'p', 1, { endTimeMs: 3 }), span('d', 'p', 0)];
    expect(ids([...x].sort(compareSpansByStart))).toEqual(['d', 'c', 'a', 'b']);
    const tree1 = new TraceTree([span('p', '', 0), ...x]);
    const tree2 = new TraceTree([...x].reverse().concat(span('p', '', 0)));
    expect(ids(tree1.childrenOf(tree1.spanById('p')!))).toEqual(ids(tree2.childrenOf(tree2.spanById('p')!)));
  });

  it('knows entry spans', () => {
    expect([SERVER, CONSUMER, CLIENT, INTERNAL, 4, 0].map((kind) => isEntrySpan(span('s', '', 0, { kind })))).toEqual([true, true, false, false, false, false]);
  });
});
