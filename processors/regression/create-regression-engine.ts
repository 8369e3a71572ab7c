import type { Clock } from '../../src/clock';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import { describeDeploy, describeRegression } from '../../src/regression/describe-regression';
import { kayentaLatencyClassifier } from '../../src/regression/kayenta-latency-classifier';
import { RegressionEngine } from '../../src/regression/regression-engine';
import type { RegressionEvent } from '../../src/regression/regression-event';
import type { RegressionProcessorSettings } from './config';

export interface RegressionEngineWiring {
  readonly clock: Clock;
  /** Gets one line per deploy (info), regression (warn) and improvement (info), and the first classifier failure. */
  readonly logger: Logger;
  /** Called after the event is logged. */
  readonly onRegression?: (event: RegressionEvent) => void;
}

/**
 * The engine a `regression` processor runs, for the gateway's runtime and the
 * agent alike: Kayenta's Mann-Whitney classifier with the configured
 * options, and events logged one line each through the component logger.
 */
export function createRegressionEngine(settings: RegressionProcessorSettings, wiring: RegressionEngineWiring): RegressionEngine {
  const { logger } = wiring;
  const failures = new FailureCounter(logger, 'deploy regression classification');
  return new RegressionEngine(settings.spec, {
    clock: wiring.clock,
    classify: kayentaLatencyClassifier(settings.classifier),
    onDeploy: (event) => logger.info(describeDeploy(event)),
    onRegression: (event) => {
      if (event.outcome === 'regression') logger.warn(describeRegression(event));
      else logger.info(describeRegression(event));
      wiring.onRegression?.(event);
    },
    onError: (error) => failures.record(error),
  });
}
