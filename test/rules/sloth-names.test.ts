import { describe, expect, it } from 'vitest';
import { slothSloName } from '../../src/rules/sloth-names';

describe('slothSloName', () => {
  it.each([
    ['availability', 'checkout', 'availability'],
    ['checkout-requests-latency', 'checkout', 'requests-latency'], // imported from a Sloth spec: <service>-<name>
    ['checkout', 'checkout', 'checkout'], // nothing would be left: kept whole
    ['checkout-', 'checkout', 'checkout-'],
    ['checkoutx-latency', 'checkout', 'checkoutx-latency'],
    ['checkout-latency', undefined, 'checkout-latency'], // no fixed service: the label carries it
  ] as const)('%s of service %s is %s', (name, service, expected) => {
    expect(slothSloName(name, service)).toBe(expected);
  });
});
