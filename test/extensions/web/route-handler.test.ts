import { describe, expect, it } from 'vitest';
import { createRouteHandler } from '../../../extensions/web/route-handler';
import { WebServer } from '../../../extensions/web/web-server';
import { jsonReply } from '../../../extensions/web/web-route';
import type { WebRoute } from '../../../extensions/web/web-route';
import { testContext } from '../../receivers/otlp/helpers/harness';
import { json, rawRequest } from './http-client';

const route = (path: string, prefix = false): WebRoute => ({
  path,
  ...(prefix && { prefix }),
  description: path,
  respond: ({ pathname, accept }) => jsonReply(200, { route: path, pathname, accept: accept ?? null }),
});

describe('route table with prefix routes', () => {
  it('prefers an exact route, then the longest prefix, and never matches the bare prefix', async () => {
    const server = new WebServer({
      host: '127.0.0.1',
      port: 0,
      logger: testContext('web').logger,
      routes: [route('/a/', true), route('/a/b/', true), route('/a/b/fixed')],
    });
    await server.start();
    try {
      const at = async (path: string): Promise<unknown> => json(await rawRequest(server.port, path));
      expect(await at('/a/x')).toMatchObject({ route: '/a/', pathname: '/a/x' });
      expect(await at('/a/b/x')).toMatchObject({ route: '/a/b/', pathname: '/a/b/x' });
      expect(await at('/a/b/fixed')).toMatchObject({ route: '/a/b/fixed' });
      expect(await at('/a/b/')).toMatchObject({ route: '/a/', pathname: '/a/b/' });
      expect((await rawRequest(server.port, '/a/')).status).toBe(404);
      expect(json(await rawRequest(server.port, '/a/x', 'GET', { accept: 'text/html' }))).toMatchObject({ accept: 'text/html' });
    } finally {
      await server.shutdown();
    }
  });

  it('refuses a prefix route without a trailing slash and duplicate routes', () => {
    const logger = testContext('web').logger;
    expect(() => createRouteHandler([route('/a', true)], logger)).toThrow('the prefix route /a must end with /');
    expect(() => createRouteHandler([route('/a/', true), route('/a/', true)], logger)).toThrow('two web routes for /a/');
    // An exact and a prefix route may share a path: /slos and /slos/ are different routes anyway.
    expect(() => createRouteHandler([route('/a/'), route('/a/', true)], logger)).not.toThrow();
  });

  it('serves the JSON index to scripts and the htmlIndex page to browsers', async () => {
    const server = new WebServer({
      host: '127.0.0.1',
      port: 0,
      logger: testContext('web').logger,
      routes: [],
      htmlIndex: () => ({ status: 200, contentType: 'text/html; charset=utf-8', body: '<p>home</p>' }),
    });
    await server.start();
    try {
      expect((await rawRequest(server.port, '/', 'GET', { accept: 'text/html,*/*' })).body).toBe('<p>home</p>');
      expect(json(await rawRequest(server.port, '/', 'GET', { accept: '*/*' }))).toEqual({ endpoints: [{ path: '/', description: 'this list' }] });
    } finally {
      await server.shutdown();
    }
  });
});
