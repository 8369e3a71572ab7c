/**
 * The scripted request mix the agent tests send to the example shop, and the
 * counts it must produce. Requests run in small concurrent batches.
 */
export interface ShopRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly route: string;
  readonly status: number;
  readonly slow: boolean;
}

function repeat(n: number, request: ShopRequest): ShopRequest[] {
  return Array.from({ length: n }, () => request);
}

/** Slow enough to be bad under the fixtures' 1s latency threshold, whatever the machine. */
export const SLOW_MS = 1300;

export const SHOP_MIX: readonly ShopRequest[] = [
  ...Array.from({ length: 40 }, (_, i) => ({ method: 'GET' as const, path: `/products/${i}`, route: '/products/:id', status: 200, slow: false })),
  ...repeat(10, { method: 'GET', path: '/cart', route: '/cart', status: 200, slow: false }),
  ...repeat(10, { method: 'POST', path: '/checkout', route: '/checkout', status: 200, slow: false }),
  ...repeat(5, { method: 'POST', path: '/checkout?fail=1', route: '/checkout', status: 503, slow: false }),
  ...repeat(4, { method: 'GET', path: '/error', route: '/error', status: 500, slow: false }),
  ...repeat(2, { method: 'GET', path: '/boom', route: '/boom', status: 500, slow: false }),
  ...repeat(3, { method: 'GET', path: `/slow?ms=${SLOW_MS}`, route: '/slow', status: 200, slow: true }),
];

export async function sendShopMix(baseUrl: string, mix: readonly ShopRequest[] = SHOP_MIX, concurrency = 8): Promise<number[]> {
  const statuses: number[] = new Array<number>(mix.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < mix.length) {
      const i = next++;
      const r = mix[i]!;
      const res = await fetch(baseUrl + r.path, { method: r.method });
      await res.arrayBuffer();
      statuses[i] = res.status;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}
