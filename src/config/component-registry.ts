import type { ComponentFactory } from './component-factory';
import type { ComponentKind } from './component-kind';

/** The component types a config may use, looked up by kind and type. */
export class ComponentRegistry {
  private readonly factories = new Map<string, ComponentFactory>();

  constructor(factories: readonly ComponentFactory[]) {
    for (const factory of factories) {
      const key = `${factory.kind}/${factory.type}`;
      if (this.factories.has(key)) throw new Error(`duplicate ${factory.kind} type "${factory.type}" in the component registry`);
      this.factories.set(key, factory);
    }
  }

  find(kind: ComponentKind, type: string): ComponentFactory | undefined {
    return this.factories.get(`${kind}/${type}`);
  }

  /** Known types of one kind, sorted, for "known processor types: …" messages. */
  typesOf(kind: ComponentKind): readonly string[] {
    return [...this.factories.values()]
      .filter((f) => f.kind === kind)
      .map((f) => f.type)
      .sort();
  }
}
