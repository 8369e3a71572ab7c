import { describe, expect, it } from 'vitest';
import { HistoryBuilder } from '../../src/ci/history';

describe('HistoryBuilder', () => {
  it('keeps every metric aligned with the points, null where a point has no value', () => {
    const builder = new HistoryBuilder();
    builder.addPoint({ file: 'a', location: 'line 2' });
    builder.setValue('x', 1);
    builder.addPoint({ file: 'a', location: 'line 3' });
    builder.setValue('y', 5);
    builder.addPoint({ file: 'a', location: 'line 4' });
    builder.setValue('x', 3);
    builder.setValue('x', 4);
    const history = builder.build();
    expect(history.points).toHaveLength(3);
    expect(history.metrics).toEqual([
      { name: 'x', values: [1, null, 4] },
      { name: 'y', values: [null, 5, null] },
    ]);
  });

  it('appends histories after each other', () => {
    const first = new HistoryBuilder();
    first.addPoint({ file: 'a', location: '' });
    first.setValue('x', 1);
    first.ignoreField('branch');
    const second = new HistoryBuilder();
    second.addPoint({ file: 'b', location: '' });
    second.setValue('y', 2);
    const combined = new HistoryBuilder();
    combined.append(first.build());
    combined.append(second.build());
    expect(combined.build()).toEqual({
      points: [
        { file: 'a', location: '' },
        { file: 'b', location: '' },
      ],
      metrics: [
        { name: 'x', values: [1, null] },
        { name: 'y', values: [null, 2] },
      ],
      ignoredFields: ['branch'],
    });
  });

  it('does not list as ignored a field that is a metric elsewhere', () => {
    const builder = new HistoryBuilder();
    builder.ignoreField('x');
    builder.addPoint({ file: 'a', location: '' });
    builder.setValue('x', 1);
    expect(builder.build().ignoredFields).toEqual([]);
  });
});
