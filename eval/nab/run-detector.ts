import type { AnomalyDetectorOptions } from '../../src/anomaly/anomaly-detector-options';
import { createAnomalyDetector } from '../../src/anomaly/create-anomaly-detector';

/**
 * Streams one series through a fresh detector, in time order and without
 * look-ahead, and returns the NAB anomaly score of each value: the
 * detector's `score` at an anomaly start (the rising edge of `anomalous`),
 * 0 everywhere else.
 *
 * Why the start events and not the continuous score: inline, slowatch emits
 * an anomaly-start event when `anomalous` rises, and that event is what an
 * operator sees. NAB counts the first detection inside a labelled window and
 * charges every point above the threshold outside one, so scoring the
 * events judges exactly what the product emits. It is causal (the value at
 * i depends on values ≤ i only), and the threshold sweep still has a graded
 * score to work with: the evidence behind each start.
 */
export function detectSeries(timesMs: ArrayLike<number>, values: ArrayLike<number>, options: AnomalyDetectorOptions): Float64Array {
  const detector = createAnomalyDetector(options);
  const scores = new Float64Array(values.length);
  let wasAnomalous = false;
  for (let i = 0; i < values.length; i++) {
    const reading = detector.update(Number(timesMs[i]), Number(values[i]));
    scores[i] = reading.anomalous && !wasAnomalous ? reading.score : 0;
    wasAnomalous = reading.anomalous;
  }
  return scores;
}
