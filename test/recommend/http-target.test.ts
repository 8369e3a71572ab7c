import { describe, expect, it } from 'vitest';
import { MAX_URL_LENGTH, UNKNOWN_ROUTE, httpTargetOf, isIdLikeSegment, parseUrl, templatePath } from '../../src/recommend/http-target';

describe('httpTargetOf', () => {
  const cases: ReadonlyArray<readonly [string, Record<string, unknown>, ReturnType<typeof httpTargetOf>]> = [
    ['stable attributes', { 'http.request.method': 'GET', 'url.full': 'https://api.example.com/users/42?expand=1', 'server.address': 'api.example.com', 'server.port': 443 },
      { host: 'api.example.com', method: 'GET', template: '/users/{id}' }],
    ['non-default port kept', { 'http.request.method': 'post', 'url.full': 'http://orders:8080/orders', 'server.address': 'orders', 'server.port': 8080 },
      { host: 'orders:8080', method: 'POST', template: '/orders' }],
    ['default http port dropped', { 'http.request.method': 'GET', 'url.full': 'http://svc/a', 'server.address': 'svc', 'server.port': 80 },
      { host: 'svc', method: 'GET', template: '/a' }],
    ['url.template wins', { 'http.request.method': 'GET', 'url.full': 'https://x.io/users/42', 'url.template': '/users/{userId}', 'server.address': 'x.io' },
      { host: 'x.io', method: 'GET', template: '/users/{userId}' }],
    ['http.route used when present', { 'http.method': 'GET', 'http.url': 'https://x.io/a/9', 'http.route': '/a/:id' },
      { host: 'x.io', method: 'GET', template: '/a/:id' }],
    ['pre-1.21 names', { 'http.method': 'DELETE', 'http.url': 'https://Legacy.Example.com:8443/items/5f3a9c2b7d1e4a6f8b0c1d2e', 'net.peer.name': 'legacy.example.com', 'net.peer.port': 8443 },
      { host: 'legacy.example.com:8443', method: 'DELETE', template: '/items/{id}' }],
    ['host parsed from url.full, user info dropped', { 'http.request.method': 'GET', 'url.full': 'https://user:secret@Pay.Example.com:9443/v1/charges/ch_3MqLiJLkdIwHu7ix0snN0B15' },
      { host: 'pay.example.com:9443', method: 'GET', template: '/v1/charges/{id}' }],
    ['UUID and numbers', { 'http.method': 'GET', 'http.url': 'http://svc/t/123e4567-e89b-12d3-a456-426614174000/items/7/' },
      { host: 'svc', method: 'GET', template: '/t/{id}/items/{id}/' }],
    ['route words stay', { 'http.method': 'GET', 'http.url': 'http://svc/api/v2/2fa/healthz' },
      { host: 'svc', method: 'GET', template: '/api/v2/2fa/healthz' }],
    ['http.host with port and http.target', { 'http.method': 'GET', 'http.host': 'cache:6380', 'http.target': '/keys/123?x=1' },
      { host: 'cache:6380', method: 'GET', template: '/keys/{id}' }],
    ['IPv6 address', { 'http.request.method': 'GET', 'url.full': 'http://[::1]:3000/ping' },
      { host: '[::1]:3000', method: 'GET', template: '/ping' }],
    ['IPv6 server.address gets brackets', { 'http.request.method': 'GET', 'server.address': '::1', 'server.port': 3000, 'url.path': '/p/1' },
      { host: '[::1]:3000', method: 'GET', template: '/p/{id}' }],
    ['host without path', { 'http.request.method': 'GET', 'server.address': 'svc' },
      { host: 'svc', method: 'GET', template: UNKNOWN_ROUTE }],
    ['URL without path', { 'http.request.method': 'GET', 'url.full': 'https://svc.io?q=1' },
      { host: 'svc.io', method: 'GET', template: '/' }],
    ['missing method', { 'url.full': 'https://svc.io/a' }, { host: 'svc.io', method: '_OTHER', template: '/a' }],
    ['dates and versions', { 'http.method': 'GET', 'http.url': 'https://cdn.io/pkg/1.2.3/2024-01-31/index.js' },
      { host: 'cdn.io', method: 'GET', template: '/pkg/{id}/{id}/index.js' }],
    ['no URL information', { 'http.request.method': 'GET' }, undefined],
    ['relative url only', { 'url.full': '/just/a/path' }, undefined],
  ];
  it.each(cases)('%s', (_name, attributes, expected) => {
    expect(httpTargetOf(attributes)).toEqual(expected);
  });

  it('bounds the template length', () => {
    const target = httpTargetOf({ 'url.full': `https://svc.io/${'1/'.repeat(5000)}` });
    expect(target).toBeDefined();
    expect(target!.template.length).toBeLessThanOrEqual(MAX_URL_LENGTH + 1);
    expect(target!.template.endsWith('…')).toBe(true);
  });

  it('ignores non-string and out-of-range values', () => {
    expect(httpTargetOf({ 'server.address': 42, 'url.full': 7 })).toBeUndefined();
    expect(httpTargetOf({ 'server.address': 'svc', 'server.port': 70000, 'url.path': '/' })).toEqual({ host: 'svc', method: '_OTHER', template: '/' });
  });
});

describe('path helpers', () => {
  it('isIdLikeSegment', () => {
    for (const id of ['42', '0', '123e4567-e89b-12d3-a456-426614174000', 'deadbeefdeadbeef', '01ARZ3NDEKTSV4RRFFQ69G5FAV', 'V1StGXR8_Z5jdHi6B-myT', '1.2.3', '2024-01-31']) {
      expect(isIdLikeSegment(id), id).toBe(true);
    }
    for (const word of ['', 'users', 'v1', '2fa', 'healthz', 'index.js', 'abcdefabcdefabcdefx', 'some-long-route-name', 'a%20b']) {
      expect(isIdLikeSegment(word), word).toBe(false);
    }
  });

  it('templatePath keeps structure', () => {
    expect(templatePath('/a/1//b/2/')).toBe('/a/{id}//b/{id}/');
    expect(templatePath('/')).toBe('/');
  });

  it('parseUrl', () => {
    expect(parseUrl('HTTPS://h:1/p?q#f')).toEqual({ scheme: 'https', host: 'h', port: 1, path: '/p' });
    expect(parseUrl('/p/q?x')).toEqual({ scheme: undefined, host: undefined, port: undefined, path: '/p/q' });
    expect(parseUrl('not a url')).toEqual({ scheme: undefined, host: undefined, port: undefined, path: undefined });
  });
});
