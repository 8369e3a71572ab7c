import { describe, expect, it } from 'vitest';
import { alertIdentity, isPrometheusLabelName, prometheusLabelName } from '../../src/alerts/alert-event';
import { isAlertEventSink } from '../../src/alerts/alert-event-sink';

describe('alert events', () => {
  it.each([
    ['service', 'service'],
    ['http.route', 'http_route'],
    ['k8s.pod-name', 'k8s_pod_name'],
    ['1st', '_1st'],
    ['', '_'],
  ])('prometheusLabelName(%j) = %j', (key, name) => {
    expect(prometheusLabelName(key)).toBe(name);
    expect(isPrometheusLabelName(name)).toBe(true);
  });

  it('identifies an alert by its label set, whatever the order, and tells label sets apart', () => {
    expect(alertIdentity({ a: '1', b: '2' })).toBe(alertIdentity({ b: '2', a: '1' }));
    expect(alertIdentity({ a: '1', b: '2' })).not.toBe(alertIdentity({ a: '1', b: '3' }));
    expect(alertIdentity({ a: '1=b' })).not.toBe(alertIdentity({ a: '1', b: '' }));
  });

  it('recognises sinks by their onAlertEvent method', () => {
    expect(isAlertEventSink({ onAlertEvent: () => undefined })).toBe(true);
    expect(isAlertEventSink({ start: () => undefined })).toBe(false);
  });
});
