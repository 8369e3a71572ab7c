import { describe, expect, it } from 'vitest';
import { budgetExhaustionSeconds, burnRate, errorBudgetRemaining, errorRatio } from '../../src/slo/budget';
import { DAY_MS, HOUR_MS } from '../../src/slo/durations';

describe('budget', () => {
  it('errorRatio is bad / total, 0 without events', () => {
    expect(errorRatio(5, 1000)).toBe(0.005);
    expect(errorRatio(0, 1000)).toBe(0);
    expect(errorRatio(3, 3)).toBe(1);
    expect(errorRatio(0, 0)).toBe(0);
  });

  it('burnRate is errorRatio / (1 - objective)', () => {
    expect(burnRate(0.001, 0.999)).toBeCloseTo(1, 12);
    expect(burnRate(0.0144, 0.999)).toBeCloseTo(14.4, 12);
    expect(burnRate(0.25, 0.75)).toBe(1);
    expect(burnRate(0, 0.99)).toBe(0);
  });

  it('errorBudgetRemaining is 1 - burn rate over the period, and goes negative when overspent', () => {
    expect(errorBudgetRemaining(0, 0.999)).toBe(1);
    expect(errorBudgetRemaining(0.0005, 0.999)).toBeCloseTo(0.5, 12);
    expect(errorBudgetRemaining(0.001, 0.999)).toBeCloseTo(0, 12);
    expect(errorBudgetRemaining(0.003, 0.999)).toBeCloseTo(-2, 12);
    expect(errorBudgetRemaining(0.125, 0.75)).toBe(0.5);
  });

  it('budgetExhaustionSeconds forecasts remaining × period / burn rate', () => {
    const period = 30 * DAY_MS;
    // Burn rate 1 spends a whole budget in exactly one period.
    expect(budgetExhaustionSeconds(1, 1, period)).toBe(30 * 86_400);
    // Half the budget left at 14.4×: 30 d × 0.5 / 14.4 = 25 h.
    expect(budgetExhaustionSeconds(0.5, 14.4, period)).toBeCloseTo((25 * HOUR_MS) / 1000, 6);
    expect(budgetExhaustionSeconds(0.25, 2, 28 * DAY_MS)).toBe((28 * 86_400 * 0.25) / 2);
  });

  it('budgetExhaustionSeconds is 0 when spent and +Infinity when nothing burns', () => {
    expect(budgetExhaustionSeconds(0, 5, DAY_MS)).toBe(0);
    expect(budgetExhaustionSeconds(-0.3, 5, DAY_MS)).toBe(0);
    expect(budgetExhaustionSeconds(-0.3, 0, DAY_MS)).toBe(0);
    expect(budgetExhaustionSeconds(0.7, 0, DAY_MS)).toBe(Infinity);
  });
});
