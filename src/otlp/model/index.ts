export * from './common';
export * from './trace';
export * from './metrics';
export * from './logs';
export * from './rpc';
