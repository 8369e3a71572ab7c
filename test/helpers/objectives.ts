import type { ObjectiveSpec } from '../../src/slo/objective';
import { googleAlertWindows } from '../../src/slo/alert-windows';
import { DAY_MS } from '../../src/slo/durations';

/** An availability objective over server spans with Sloth's defaults; override what a test needs. */
export function objectiveSpec(overrides: Partial<ObjectiveSpec> = {}): ObjectiveSpec {
  return {
    name: 'availability',
    selector: { spanKind: 'server', operations: [], attributes: {} },
    sli: { kind: 'availability' },
    objective: 0.999,
    period: { kind: 'rolling', durationMs: 30 * DAY_MS },
    budgeting: { kind: 'occurrences' },
    groupBy: [],
    maxSeries: 200,
    alerting: { page: true, ticket: true, windows: googleAlertWindows() },
    minEvents: 0,
    ...overrides,
  };
}
