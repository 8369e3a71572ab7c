import { OtlpSpanKind } from './span-sample';

/** A span kind as configs write it (lower case). */
export type SpanKindName = 'server' | 'client' | 'internal' | 'producer' | 'consumer';

/** Every SpanKindName, in the order configs' error messages list them. */
export const SPAN_KIND_NAMES = ['server', 'client', 'internal', 'producer', 'consumer'] as const satisfies readonly SpanKindName[];

/** The OTLP span kind number (OtlpSpanKind, the engines' numbering) of each name. */
export const OTLP_SPAN_KIND_OF: Readonly<Record<SpanKindName, number>> = {
  internal: OtlpSpanKind.INTERNAL,
  server: OtlpSpanKind.SERVER,
  client: OtlpSpanKind.CLIENT,
  producer: OtlpSpanKind.PRODUCER,
  consumer: OtlpSpanKind.CONSUMER,
};

/** The `span_kind` metric label of each OTLP span kind number (0..5), indexed by the number. */
export const SPAN_KIND_LABELS: readonly string[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
