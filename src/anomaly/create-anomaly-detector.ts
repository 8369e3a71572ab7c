import type { AnomalyDetector } from './anomaly-detector';
import type { AnomalyDetectorOptions } from './anomaly-detector-options';
import { resolveAnomalyDetectorOptions } from './anomaly-detector-options';
import { RobustSeasonalDetector } from './robust-seasonal-detector';

/**
 * A streaming anomaly detector for one series (one signal of one operation):
 * a robust, seasonal baseline with sustained-deviation alerting. See
 * `RobustSeasonalDetector` and docs/anomaly-detection.md for the model.
 *
 * @throws RangeError when an option is out of range.
 */
export function createAnomalyDetector(options?: AnomalyDetectorOptions): AnomalyDetector {
  return new RobustSeasonalDetector(resolveAnomalyDetectorOptions(options));
}
