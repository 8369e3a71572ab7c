// Types of gateway-config.cjs, for the TypeScript tests.

export interface DemoGatewayPorts {
  readonly http: number;
  readonly grpc: number;
  readonly metrics: number;
  readonly health: number;
  readonly web: number;
}

export declare function demoGatewayConfig(
  builtIn: Record<string, unknown>,
  options?: { readonly ports?: DemoGatewayPorts; readonly fast?: boolean },
): { data: Record<string, unknown>; changes: string[] };

export declare function receivesOtlpMetrics(data: Record<string, unknown>): boolean;

export declare const DEFAULT_GATEWAY_PORTS: Readonly<DemoGatewayPorts>;
export declare const FAST_REGRESSION: Readonly<{ warmup: string; evaluation_interval: string }>;
