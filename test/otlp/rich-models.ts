/**
 * Hand-built requests that set every field of every OTLP message the codec
 * knows, with edge values (negative and 64-bit-wide integers, non-finite and
 * negative-zero doubles, empty strings in oneofs, multi-byte UTF-8, nested
 * kvlist/array values, bytes). No default values outside oneofs and
 * `optional` fields, so they are in the decoders' canonical form.
 */
import type {
  AnyValue,
  ExportLogsServiceRequest,
  ExportMetricsServiceRequest,
  ExportTraceServiceRequest,
  KeyValue,
  Resource,
} from '../../src/otlp';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const id16 = (seed: number): Uint8Array => Uint8Array.from({ length: 16 }, (_, i) => (seed * 31 + i * 7 + 1) & 0xff);
const id8 = (seed: number): Uint8Array => Uint8Array.from({ length: 8 }, (_, i) => (seed * 17 + i * 13 + 3) & 0xff);

export const everyAnyValue: AnyValue[] = [
  { stringValue: 'plain' },
  { stringValue: '' },
  { stringValue: 'ünïcödé ✓ 𝄞 中文' },
  { boolValue: true },
  { boolValue: false },
  { intValue: 0n },
  { intValue: -1n },
  { intValue: 9007199254740993n },
  { intValue: -9223372036854775808n },
  { intValue: 9223372036854775807n },
  { doubleValue: 0 },
  { doubleValue: -0 },
  { doubleValue: 3.14159 },
  { doubleValue: -1e300 },
  { doubleValue: Number.NaN },
  { doubleValue: Number.POSITIVE_INFINITY },
  { doubleValue: Number.NEGATIVE_INFINITY },
  { bytesValue: bytes() },
  { bytesValue: bytes(0, 1, 2, 250, 255) },
  { arrayValue: {} },
  { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2n }, {}, { arrayValue: { values: [{ boolValue: true }] } }] } },
  { kvlistValue: {} },
  { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }, { key: 'empty' }, { key: 'nested', value: { kvlistValue: { values: [{ key: 'x', value: { doubleValue: 1.5 } }] } } }] } },
  { stringValueStrindex: 0 },
  { stringValueStrindex: 7 },
  {},
];

export const everyAttribute: KeyValue[] = [
  ...everyAnyValue.map((value, i): KeyValue => ({ key: `attr.${i}`, value })),
  { key: 'no.value' },
  { keyStrindex: 3, value: { stringValue: 'by index' } },
];

const resource: Resource = {
  attributes: [
    { key: 'service.name', value: { stringValue: 'shop' } },
    { key: 'host.id', value: { stringValue: 'h-1' } },
  ],
  droppedAttributesCount: 2,
  entityRefs: [
    { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0', type: 'service', idKeys: ['service.name'], descriptionKeys: ['service.version', ''] },
    { type: 'host', idKeys: ['host.id'] },
  ],
};

const scope = { name: 'lib', version: '1.0.0', attributes: [{ key: 'scope.attr', value: { intValue: 5n } }], droppedAttributesCount: 1 };

export const richTraces: ExportTraceServiceRequest = {
  resourceSpans: [
    {
      resource,
      scopeSpans: [
        {
          scope,
          spans: [
            {
              traceId: id16(1),
              spanId: id8(1),
              traceState: 'a=b,c=d',
              parentSpanId: id8(2),
              name: 'GET /cart',
              kind: 2,
              startTimeUnixNano: 1_760_000_000_123_456_789n,
              endTimeUnixNano: 18_446_744_073_709_551_615n,
              attributes: everyAttribute,
              droppedAttributesCount: 3,
              events: [
                { timeUnixNano: 1_760_000_000_200_000_000n, name: 'ev', attributes: [{ key: 'k', value: { stringValue: 'v' } }], droppedAttributesCount: 4 },
                { name: 'no time' },
              ],
              droppedEventsCount: 5,
              links: [
                { traceId: id16(2), spanId: id8(3), traceState: 'x=y', attributes: [{ key: 'l', value: { boolValue: true } }], droppedAttributesCount: 6, flags: 0x301 },
                { traceId: id16(3), spanId: id8(4) },
              ],
              droppedLinksCount: 7,
              status: { message: 'bad', code: 2 },
              flags: 0xffffffff,
            },
            { traceId: id16(4), spanId: id8(5), name: 'minimal', status: {} },
            {},
          ],
          schemaUrl: 'https://opentelemetry.io/schemas/1.29.0',
        },
        { spans: [{ traceId: id16(5), spanId: id8(6), kind: 7 /* unknown enum values are kept (open enums) */ }] },
      ],
      schemaUrl: 'https://opentelemetry.io/schemas/1.28.0',
    },
    {},
  ],
};

const pointBase = { attributes: [{ key: 'p', value: { stringValue: 'q' } }], startTimeUnixNano: 1_760_000_000_000_000_000n, timeUnixNano: 1_760_000_060_000_000_000n };

export const richMetrics: ExportMetricsServiceRequest = {
  resourceMetrics: [
    {
      resource,
      scopeMetrics: [
        {
          scope,
          metrics: [
            {
              name: 'gauge',
              description: 'a gauge',
              unit: '1',
              gauge: {
                dataPoints: [
                  { ...pointBase, asDouble: 0 },
                  { ...pointBase, asInt: -5n, flags: 1 },
                  {
                    ...pointBase,
                    asDouble: -2.5,
                    exemplars: [
                      { filteredAttributes: [{ key: 'f', value: { intValue: 1n } }], timeUnixNano: 1_760_000_001_000_000_000n, asDouble: 0.5, spanId: id8(7), traceId: id16(7) },
                      { asInt: 0n },
                      { asInt: -9223372036854775808n, timeUnixNano: 1n },
                    ],
                  },
                  { timeUnixNano: 1n },
                ],
              },
              metadata: [{ key: 'm', value: { stringValue: 'meta' } }],
            },
            { name: 'sum', sum: { dataPoints: [{ ...pointBase, asInt: 9223372036854775807n }], aggregationTemporality: 1, isMonotonic: true } },
            { name: 'sum.cumulative', sum: { dataPoints: [{ ...pointBase, asDouble: 1e-9 }], aggregationTemporality: 2 } },
            {
              name: 'histogram',
              histogram: {
                dataPoints: [
                  {
                    ...pointBase,
                    count: 18_446_744_073_709_551_615n,
                    sum: 0,
                    bucketCounts: [1n, 0n, 18_446_744_073_709_551_615n],
                    explicitBounds: [-1, 0.5],
                    exemplars: [{ asDouble: 3 }],
                    flags: 1,
                    min: 0,
                    max: -0,
                  },
                  { ...pointBase, count: 2n, bucketCounts: [2n], sum: Number.NaN },
                ],
                aggregationTemporality: 2,
              },
            },
            {
              name: 'exp',
              exponentialHistogram: {
                dataPoints: [
                  {
                    ...pointBase,
                    count: 10n,
                    sum: 12.5,
                    scale: -3,
                    zeroCount: 2n,
                    positive: { offset: -7, bucketCounts: [1n, 2n, 0n, 3n] },
                    negative: { offset: 2147483647, bucketCounts: [18_446_744_073_709_551_615n] },
                    flags: 1,
                    exemplars: [{ asInt: 4n }],
                    min: -1,
                    max: 0,
                    zeroThreshold: 1e-12,
                  },
                  { ...pointBase, scale: 20, positive: {}, negative: { offset: -2147483648 } },
                ],
                aggregationTemporality: 1,
              },
            },
            {
              name: 'summary',
              summary: {
                dataPoints: [
                  {
                    ...pointBase,
                    count: 4n,
                    sum: 10.25,
                    quantileValues: [{ quantile: 0.5, value: 2 }, { value: 1 }, { quantile: 1 }, {}],
                    flags: 1,
                  },
                ],
              },
            },
            { name: 'no data' },
          ],
          schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
        },
      ],
      schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
    },
  ],
};

export const richLogs: ExportLogsServiceRequest = {
  resourceLogs: [
    {
      resource,
      scopeLogs: [
        {
          scope,
          logRecords: [
            {
              timeUnixNano: 1_760_000_000_000_000_001n,
              observedTimeUnixNano: 1_760_000_000_000_000_002n,
              severityNumber: 24,
              severityText: 'FATAL',
              body: { kvlistValue: { values: [{ key: 'msg', value: { stringValue: 'boom' } }, { key: 'codes', value: { arrayValue: { values: [{ intValue: 1n }] } } }] } },
              attributes: everyAttribute,
              droppedAttributesCount: 1,
              flags: 1,
              traceId: id16(9),
              spanId: id8(9),
              eventName: 'app.crash',
            },
            { body: { stringValue: '' } },
            { body: { bytesValue: bytes(1, 2, 3) }, severityNumber: 9 },
            {},
          ],
          schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
        },
      ],
    },
  ],
};
