import type { AnomalyDetector, AnomalyReading } from '../../src/anomaly/anomaly-detector';
import type { DetectorFactory } from '../../src/baseline/baseline-model';
import type { BaselineSignal } from '../../src/baseline/baseline-signal';

export interface RecordedUpdate {
  readonly signal: BaselineSignal;
  readonly timeMs: number;
  readonly value: number;
  readonly count: number | undefined;
}

/**
 * A transparent stand-in for the real detector, so baseline tests assert
 * the plumbing and not the statistics: the baseline is the mean of the
 * values seen while normal (after `warmup` of them); a value more than
 * `factor` times the baseline (or below baseline / factor for throughput)
 * is anomalous until one is back within it.
 */
export class DoubleDetector implements AnomalyDetector {
  private sum = 0;
  private n = 0;
  private anomalous = false;

  constructor(
    private readonly signal: BaselineSignal,
    private readonly updates: RecordedUpdate[],
    private readonly warmup: number,
    private readonly factor: number,
  ) {}

  update(timeMs: number, value: number, count?: number): AnomalyReading {
    this.updates.push({ signal: this.signal, timeMs, value, count });
    if (this.n < this.warmup) {
      this.sum += value;
      this.n++;
      return { score: 0, anomalous: false, expected: undefined };
    }
    const center = this.sum / this.n;
    const high = center * this.factor;
    const low = this.signal === 'throughput' ? center / this.factor : 0;
    const deviates = value > high || value < low;
    this.anomalous = deviates && (count === undefined || count >= 5);
    if (!this.anomalous) {
      this.sum += value;
      this.n++;
    }
    return { score: deviates ? 0.9 : 0.1, anomalous: this.anomalous, expected: { low, center, high } };
  }
}

/** A factory of DoubleDetectors that records every update into `updates`. */
export function doubleDetectors(updates: RecordedUpdate[] = [], warmup = 3, factor = 1.5): DetectorFactory {
  return (signal) => new DoubleDetector(signal, updates, warmup, factor);
}
