import type { Signal } from '../otlp/signal';
import type { Component, ComponentContext } from '../pipeline/component';
import type { Consumer } from '../pipeline/consumer';
import type { SloEngine } from '../engine/slo-engine';

/**
 * The running half of a component type (the config half is its
 * ComponentFactory): how the service builds an instance from resolved
 * settings. One object per type, listed in builtin-runtimes.ts.
 */
export interface ReceiverRuntime {
  readonly kind: 'receiver';
  readonly type: string;
  /** `consumers` holds the entry of every pipeline of each signal that lists this receiver. */
  create(settings: unknown, consumers: Partial<Record<Signal, Consumer>>, context: ComponentContext): Component;
}

/** What processors of one id share across the pipelines that use it. */
export interface SharedProcessorState {
  /** The SLO engine of an `slo` processor id: one per id, whatever the number of pipelines. */
  sloEngine?: SloEngine;
}

/**
 * Another processor of the same service, for processors that build on one
 * another (an `anomaly` processor reads the engine of its `baseline`).
 */
export interface ProcessorPeer {
  readonly type: string;
  readonly settings: unknown;
  /** The peer's shared state: the same object its own runtime gets. */
  readonly shared: SharedProcessorState;
  readonly context: ComponentContext;
}

/** Looks a processor up by id; undefined when no processor has that id. */
export type FindProcessorPeer = (id: string) => ProcessorPeer | undefined;

export interface ProcessorRuntime {
  readonly kind: 'processor';
  readonly type: string;
  /**
   * One instance per pipeline, as in the Collector; `shared` is per component id.
   * `peers` finds the other processors (whatever the order they are built in).
   */
  create(
    settings: unknown,
    signal: Signal,
    next: Consumer,
    context: ComponentContext,
    shared: SharedProcessorState,
    peers: FindProcessorPeer,
  ): Consumer & Component;
}

export interface ExporterRuntime {
  readonly kind: 'exporter';
  readonly type: string;
  /** One instance per component id, fed by every pipeline that lists it. */
  create(settings: unknown, signals: readonly Signal[], context: ComponentContext): Consumer & Component;
}

export interface ExtensionRuntime {
  readonly kind: 'extension';
  readonly type: string;
  create(settings: unknown, context: ComponentContext): Component;
}

export type ComponentRuntime = ReceiverRuntime | ProcessorRuntime | ExporterRuntime | ExtensionRuntime;

/**
 * Components that report readiness (the health_check extension). The service
 * calls `setReady(true)` once every pipeline has started, and
 * `setReady(false)` as the first step of shutting down.
 */
export interface ReadinessListener {
  setReady(ready: boolean): void;
}

export function isReadinessListener(component: Component): component is Component & ReadinessListener {
  return typeof (component as Partial<ReadinessListener>).setReady === 'function';
}
