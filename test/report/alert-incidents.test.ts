import { describe, expect, it } from 'vitest';
import { mergeOverlapping, pairAlertIncidents } from '../../src/report/alert-incidents';
import type { AlertEdge } from '../../src/report/alert-incidents';

const period = { fromMs: 1000, toMs: 10_000 };
const edge = (state: AlertEdge['state'], atMs: number, severity: AlertEdge['severity'] = 'page', series = 'a'): AlertEdge => ({ severity, state, atMs, series });

describe('pairAlertIncidents', () => {
  it('pairs a firing with its resolve into [start, end)', () => {
    expect(pairAlertIncidents([edge('firing', 2000), edge('resolved', 3000)], period)).toEqual([{ severity: 'page', series: 'a', startMs: 2000, endMs: 3000 }]);
  });

  it('leaves a firing without a resolve open (still firing at the period end)', () => {
    expect(pairAlertIncidents([edge('firing', 2000)], period)).toEqual([{ severity: 'page', series: 'a', startMs: 2000, endMs: undefined }]);
  });

  it('starts a resolve without a firing at the period start (it fired before the period)', () => {
    expect(pairAlertIncidents([edge('resolved', 1500), edge('firing', 4000), edge('resolved', 5000)], period)).toEqual([
      { severity: 'page', series: 'a', startMs: 1000, endMs: 1500 },
      { severity: 'page', series: 'a', startMs: 4000, endMs: 5000 },
    ]);
  });

  it('ignores a duplicate resolve after an incident ended', () => {
    expect(pairAlertIncidents([edge('firing', 2000), edge('resolved', 3000), edge('resolved', 3500)], period)).toHaveLength(1);
  });

  it('merges overlapping firings of one severity and series into one incident', () => {
    const edges = [edge('firing', 2000), edge('firing', 2500), edge('resolved', 3000), edge('resolved', 4000)];
    // The second firing is absorbed by the open incident; the first resolve closes it; the second is a duplicate.
    expect(pairAlertIncidents(edges, period)).toEqual([{ severity: 'page', series: 'a', startMs: 2000, endMs: 3000 }]);
  });

  it('keeps severities and series apart, sorted by start', () => {
    const edges = [
      edge('firing', 3000, 'ticket'),
      edge('firing', 2000, 'page', 'b'),
      edge('firing', 2000, 'page', 'a'),
      edge('resolved', 2500, 'page', 'a'),
      edge('resolved', 6000, 'ticket'),
    ];
    expect(pairAlertIncidents(edges, period)).toEqual([
      { severity: 'page', series: 'a', startMs: 2000, endMs: 2500 },
      { severity: 'page', series: 'b', startMs: 2000, endMs: undefined },
      { severity: 'ticket', series: 'a', startMs: 3000, endMs: 6000 },
    ]);
  });

  it('ignores edges outside [from, to) and sorts edges given in any order', () => {
    const edges = [edge('resolved', 3000), edge('firing', 500), edge('firing', 2000), edge('firing', 10_000)];
    expect(pairAlertIncidents(edges, period)).toEqual([{ severity: 'page', series: 'a', startMs: 2000, endMs: 3000 }]);
  });

  it('joins a resolve and a firing at the same instant into one incident', () => {
    const edges = [edge('firing', 2000), edge('firing', 3000), edge('resolved', 3000), edge('resolved', 4000)];
    expect(pairAlertIncidents(edges, period)).toEqual([{ severity: 'page', series: 'a', startMs: 2000, endMs: 4000 }]);
  });
});

describe('mergeOverlapping', () => {
  it('merges overlapping and touching spans; an open span absorbs what follows', () => {
    const span = (startMs: number, endMs: number | undefined) => ({ severity: 'page' as const, series: 'a', startMs, endMs });
    expect(mergeOverlapping([span(5, 8), span(1, 3), span(3, 4), span(7, 12), span(20, undefined), span(25, 30)])).toEqual([
      span(1, 4),
      span(5, 12),
      span(20, undefined),
    ]);
  });
});
