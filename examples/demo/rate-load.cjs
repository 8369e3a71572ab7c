'use strict';
/**
 * An open-loop load generator: sends GET requests at a fixed rate, whatever
 * the answers take, picking paths from a weighted mix. Open loop, unlike
 * examples/shop/drive.cjs (which sends the next request when one returns),
 * because a story about latency needs the same traffic before and after a
 * slower release: a closed loop would send less to the slower one.
 *
 *   const load = new RateLoad('http://127.0.0.1:3000');
 *   load.setMix(25, [{ path: '/products/{n}', weight: 5 }, { path: '/error', weight: 1 }]);
 *   load.start();
 *   // … load.pause(); load.setBaseUrl(other); load.resume(); …
 *   await load.stop();
 *   load.stats(); // { sent: 512, statuses: { '200': 430, '500': 82 }, failed: 0, dropped: 0 }
 *
 * The mix is interleaved by smooth weighted round-robin (nginx's upstream
 * algorithm): deterministic, and every window of `sum(weights)` requests
 * holds each path exactly `weight` times, so counts follow from rate × time.
 * `{n}` in a path becomes a counter modulo 100 (one route, many URLs).
 *
 * Memory: at most `maxInFlight` requests and sockets, one counter per
 * distinct status, one entry per mix path.
 */
const http = require('node:http');

/** Deadline of one request. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Distinct values `{n}` takes. */
const PATH_COUNTER_MODULUS = 100;

class RateLoad {
  /**
   * @param {string} baseUrl e.g. `http://127.0.0.1:3000`
   * @param {{ maxInFlight?: number, tickMs?: number }} [options]
   *   `maxInFlight` (default 64): requests beyond it are dropped and counted, never queued;
   *   `tickMs` (default 20): how often the scheduler sends what the rate has accrued
   */
  constructor(baseUrl, options = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.maxInFlight = options.maxInFlight ?? 64;
    this.tickMs = options.tickMs ?? 20;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: this.maxInFlight });
    this.ratePerSecond = 0;
    /** [{ path, weight, current }] for smooth weighted round-robin. */
    this.entries = [];
    this.totalWeight = 0;
    this.counter = 0;
    this.credit = 0;
    this.lastTick = 0;
    this.timer = undefined;
    this.paused = false;
    this.inFlight = new Set();
    this.sent = 0;
    this.failed = 0;
    this.dropped = 0;
    this.statuses = {};
    /** Requests sent per mix path (with `{n}` unexpanded). */
    this.sentByPath = {};
  }

  /**
   * Sets the rate and the mix; takes effect at the next tick.
   * @param {number} ratePerSecond requests per second, >= 0
   * @param {readonly { path: string, weight: number }[]} mix paths start with `/`; weights are positive integers
   */
  setMix(ratePerSecond, mix) {
    if (!(ratePerSecond >= 0 && Number.isFinite(ratePerSecond))) throw new RangeError(`ratePerSecond must be a finite number >= 0, got ${ratePerSecond}`);
    for (const { path, weight } of mix) {
      if (!path.startsWith('/')) throw new RangeError(`paths must start with '/', got ${JSON.stringify(path)}`);
      if (!Number.isInteger(weight) || weight < 1) throw new RangeError(`weights must be positive integers, got ${weight} for ${path}`);
    }
    this.ratePerSecond = ratePerSecond;
    this.entries = mix.map(({ path, weight }) => ({ path, weight, current: 0 }));
    this.totalWeight = mix.reduce((sum, { weight }) => sum + weight, 0);
  }

  setBaseUrl(baseUrl) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  start() {
    if (this.timer !== undefined) return;
    this.lastTick = performance.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
  }

  /** Sends nothing until resume(); the time paused accrues no requests. */
  pause() {
    this.paused = true;
  }

  resume() {
    this.paused = false;
    this.lastTick = performance.now();
    this.credit = 0;
  }

  /** Stops sending and waits for the requests in flight (each bounded by its timeout). */
  async stop() {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inFlight]);
    this.agent.destroy();
  }

  /** Counts since start. */
  stats() {
    return { sent: this.sent, statuses: { ...this.statuses }, failed: this.failed, dropped: this.dropped, sentByPath: { ...this.sentByPath } };
  }

  tick() {
    const now = performance.now();
    const elapsedMs = now - this.lastTick;
    this.lastTick = now;
    if (this.paused || this.entries.length === 0) return;
    // A stalled event loop must not turn into a burst: accrue at most one second.
    this.credit = Math.min(this.credit + (this.ratePerSecond * elapsedMs) / 1000, Math.max(1, this.ratePerSecond));
    while (this.credit >= 1) {
      this.credit -= 1;
      this.sendNext();
    }
  }

  /** Smooth weighted round-robin: raise each by its weight, take the largest, lower it by the total. */
  nextPath() {
    let best = this.entries[0];
    for (const entry of this.entries) {
      entry.current += entry.weight;
      if (entry.current > best.current) best = entry;
    }
    best.current -= this.totalWeight;
    return best.path;
  }

  sendNext() {
    const template = this.nextPath();
    if (this.inFlight.size >= this.maxInFlight) {
      this.dropped++;
      return;
    }
    this.sent++;
    this.sentByPath[template] = (this.sentByPath[template] ?? 0) + 1;
    const path = template.replace('{n}', String(this.counter++ % PATH_COUNTER_MODULUS));
    const request = this.getOnce(this.baseUrl + path).then(
      (status) => {
        this.statuses[status] = (this.statuses[status] ?? 0) + 1;
      },
      () => {
        this.failed++;
      },
    );
    this.inFlight.add(request);
    void request.finally(() => this.inFlight.delete(request));
  }

  getOnce(url) {
    return new Promise((resolve, reject) => {
      const request = http.get(url, { agent: this.agent, timeout: REQUEST_TIMEOUT_MS }, (response) => {
        response.resume();
        response.on('error', reject);
        response.on('end', () => resolve(String(response.statusCode ?? 0)));
      });
      request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out after ${REQUEST_TIMEOUT_MS} ms`)));
      request.on('error', reject);
    });
  }
}

module.exports = { RateLoad };
