/**
 * The decoded OTLP data model: plain objects whose keys are the OTLP/JSON
 * (lowerCamelCase) field names.
 *
 * Conventions, for every message interface here:
 * - `bytes` → `Uint8Array` (trace and span ids too). Decoded bytes are copies:
 *   the model never aliases the buffer it was decoded from.
 * - `int64`/`uint64`/`fixed64`/`sfixed64` → `bigint` (time stamps in ns, counts);
 *   `int32`/`uint32`/`sint32`/`fixed32` and enums → `number`; `double` → `number`.
 * - Fields holding their default (zero) value may be absent (`undefined`);
 *   repeated fields may be absent instead of empty. The encoders treat absent,
 *   `null` and default the same way, except for `oneof` members and proto3
 *   `optional` fields, which are present whenever not `undefined`/`null`.
 * - `$unknown`: protobuf fields this codec does not know, as raw wire bytes
 *   (complete fields, tag included, in wire order; the decoder gives one
 *   element holding all of a message's unknown fields, and sets the property
 *   only when there are some). The protobuf encoder writes every element back,
 *   verbatim, after the known fields, so forwarding is lossless. OTLP/JSON
 *   cannot carry them: the JSON encoder drops them.
 *
 * Follows opentelemetry/proto/common/v1/common.proto (opentelemetry-proto v1.x).
 */
export interface OtlpMessage {
  /** Unknown protobuf fields (raw, tag included), re-emitted by the protobuf encoder. */
  $unknown?: Uint8Array[];
}

/** common.proto `AnyValue`: at most one member is set; none set is the "empty" value. */
export interface AnyValue extends OtlpMessage {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: bigint;
  doubleValue?: number;
  arrayValue?: ArrayValue;
  kvlistValue?: KeyValueList;
  bytesValue?: Uint8Array;
  /** [Alpha, profiles only] index into the profiles string table. */
  stringValueStrindex?: number;
}

/** common.proto `ArrayValue`. */
export interface ArrayValue extends OtlpMessage {
  values?: AnyValue[];
}

/** common.proto `KeyValueList`. */
export interface KeyValueList extends OtlpMessage {
  values?: KeyValue[];
}

/** common.proto `KeyValue`. */
export interface KeyValue extends OtlpMessage {
  key?: string;
  value?: AnyValue;
  /** [Alpha, profiles only] index into the profiles string table. */
  keyStrindex?: number;
}

/** common.proto `InstrumentationScope`. */
export interface InstrumentationScope extends OtlpMessage {
  name?: string;
  version?: string;
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
}

/** common.proto `EntityRef` [Development]. */
export interface EntityRef extends OtlpMessage {
  schemaUrl?: string;
  type?: string;
  idKeys?: string[];
  descriptionKeys?: string[];
}

/** resource/v1/resource.proto `Resource`. */
export interface Resource extends OtlpMessage {
  attributes?: KeyValue[];
  droppedAttributesCount?: number;
  /** [Development] */
  entityRefs?: EntityRef[];
}
