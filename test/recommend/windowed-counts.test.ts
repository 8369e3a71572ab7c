import { describe, expect, it } from 'vitest';
import { GenerationClock, WindowedFigures } from '../../src/recommend/windowed-counts';

describe('GenerationClock', () => {
  it('cuts the window into generations of half its length', () => {
    const clock = new GenerationClock(600_000);
    expect(clock.windowMs).toBe(600_000);
    expect(clock.generationMs).toBe(300_000);
    expect(clock.generationOf(0)).toBe(0);
    expect(clock.generationOf(299_999)).toBe(0);
    expect(clock.generationOf(300_000)).toBe(1);
    expect(clock.generationOf(1_700_000_000_000)).toBe(Math.floor(1_700_000_000_000 / 300_000));
  });

  it('refuses windows shorter than 2 ms, and NaN', () => {
    expect(() => new GenerationClock(1)).toThrow(RangeError);
    expect(() => new GenerationClock(Number.NaN)).toThrow(/at least 2 ms/);
    expect(new GenerationClock(2).generationMs).toBe(1);
  });
});

describe('WindowedFigures', () => {
  it('is empty before anything is added', () => {
    const figures = new WindowedFigures();
    expect(figures.count(5)).toBe(0);
    expect(figures.sum(5)).toBe(0);
  });

  it('adds up within one generation', () => {
    const figures = new WindowedFigures();
    figures.add(10, 3);
    figures.add(10, 4.5);
    expect(figures.count(10)).toBe(2);
    expect(figures.sum(10)).toBe(7.5);
  });

  it('keeps the previous generation and forgets the one before', () => {
    const figures = new WindowedFigures();
    figures.add(10, 1);
    figures.add(10, 2);
    figures.add(11, 10);
    expect(figures.count(11)).toBe(3);
    expect(figures.sum(11)).toBe(13);
    // At 12, generation 10 has left the window; 11 is the previous one.
    expect(figures.count(12)).toBe(1);
    expect(figures.sum(12)).toBe(10);
    expect(figures.count(13)).toBe(0);
    expect(figures.sum(13)).toBe(0);
  });

  it('forgets both generations after a gap of two or more', () => {
    const figures = new WindowedFigures();
    figures.add(1, 5);
    figures.add(2, 5);
    figures.add(4, 1);
    expect(figures.count(4)).toBe(1);
    expect(figures.sum(4)).toBe(1);
  });

  it('reading rotates, so a later add starts from the read generation', () => {
    const figures = new WindowedFigures();
    figures.add(1, 5);
    expect(figures.count(2)).toBe(1);
    figures.add(2, 7);
    expect(figures.count(2)).toBe(2);
    expect(figures.sum(3)).toBe(7);
  });

  it('an older generation than the latest is taken as the latest', () => {
    const figures = new WindowedFigures();
    figures.add(5, 1);
    figures.add(4, 2);
    expect(figures.count(5)).toBe(2);
    expect(figures.sum(5)).toBe(3);
    expect(figures.count(3)).toBe(2);
    expect(figures.count(6)).toBe(2);
    expect(figures.count(7)).toBe(0);
  });
});
