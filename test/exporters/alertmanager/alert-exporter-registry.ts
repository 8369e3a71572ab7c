import { alertmanagerExporterFactory } from '../../../exporters/alertmanager/config';
import { webhookExporterFactory } from '../../../exporters/webhook/config';
import { builtInComponents } from '../../../src/config/builtin-components';
import type { ComponentFactory } from '../../../src/config/component-factory';
import type { ComponentKind } from '../../../src/config/component-kind';
import { ComponentRegistry } from '../../../src/config/component-registry';

/**
 * The built-in components plus the alert exporters, whether or not
 * builtin-components.ts lists them yet (the built-in ones win when it does).
 */
class WithAlertExporters extends ComponentRegistry {
  constructor() {
    super([alertmanagerExporterFactory, webhookExporterFactory] as ComponentFactory[]);
  }

  override find(kind: ComponentKind, type: string): ComponentFactory | undefined {
    return builtInComponents.find(kind, type) ?? super.find(kind, type);
  }

  override typesOf(kind: ComponentKind): readonly string[] {
    return [...new Set([...builtInComponents.typesOf(kind), ...super.typesOf(kind)])].sort();
  }
}

export const registryWithAlertExporters: ComponentRegistry = new WithAlertExporters();
