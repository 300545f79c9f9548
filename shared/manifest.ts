/**
 * The consumer manifest: one small, import-free file per consumer (`functions/<name>/manifest.ts`)
 * that says who the consumer is. Infrastructure, the local scripts, the chaos run and the benchmark
 * all read the same manifests, and the handler is built from it, so a service name, a metric
 * dimension, an alarm and a table variable cannot drift apart.
 */

/** The DynamoDB actions a consumer may call on one of its own tables (what its handler really sends). */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:Scan'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:ConditionCheckItem';

/** One of the consumer's own tables. */
export interface ManifestTable {
  /** The actions its handler sends to the table; infra grants exactly these. */
  readonly actions: readonly TableAction[];
}

/**
 * Where a codec reads an attribute of the event (type, id, correlation id): a header (UTF-8 text)
 * or a dot-separated path of own fields of the payload (at most 8 segments).
 *
 * @example
 * ```ts
 * const id: FieldSource = { from: 'header', name: 'message-id' };
 * ```
 */
export type FieldSource =
  | { readonly from: 'header'; readonly name: string }
  | { readonly from: 'field'; readonly path: string };

/**
 * Where a codec reads the event type (the route, and a segment of the key): a header, a payload
 * field, the topic, or (Avro, Protobuf) the record's or message's full schema name.
 *
 * @example
 * ```ts
 * const type: TypeSource = { from: 'field', path: 'meta.type' };
 * ```
 */
export type TypeSource = FieldSource | { readonly from: 'topic' } | { readonly from: 'schema' };

/**
 * How an Avro or Protobuf value is framed: `confluent` (magic byte 0, 4-byte big-endian schema
 * id, Protobuf message indexes), `glue` (AWS Glue Schema Registry header: version 3, compression
 * 0 or 5 = zlib, 16-byte schema version UUID), `raw` (the bare encoding: also what the event source
 * mapping's schema-registry integration delivers with `EventRecordFormat` `SOURCE`, which strips
 * the schema metadata), `esm-json` (the mapping's integration with `EventRecordFormat` `JSON`:
 * the value is already JSON).
 *
 * @example
 * ```ts
 * const codec = { kind: 'avro', wire: 'confluent' } as const satisfies CodecSpec;
 * ```
 */
export type BinaryWire = 'confluent' | 'glue' | 'esm-json' | 'raw';

/**
 * The record format of a consumer's topics (the manifest's `codec`):
 * - `envelope` (default): UTF-8 JSON in the house envelope (`event_id`, `event_type`, `data`, ...);
 * - `cloudevents`: CloudEvents 1.0 over the Kafka protocol binding, structured or binary mode;
 * - `json`: any JSON value, the type from a header, a field or the topic (`type`, default the
 *   topic), the id and correlation id optionally from a header or field;
 * - `avro`, `protobuf`: binary values framed as `wire` says; the handler passes the codec with the
 *   schemas (`avroCodec`, `protobufCodec` from `shared/codecs/avro`, `shared/codecs/protobuf`).
 *
 * @example
 * ```ts
 * const codec = { kind: 'json', type: { from: 'header', name: 'event-type' } } as const satisfies CodecSpec;
 * ```
 */
export type CodecSpec =
  | { readonly kind: 'envelope' }
  | { readonly kind: 'cloudevents' }
  | {
      readonly kind: 'json';
      /** @default { from: 'topic' } */
      readonly type?: Exclude<TypeSource, { from: 'schema' }>;
      /** @default none: the id is `<topic>-<partition>@<offset>` */
      readonly id?: FieldSource;
      /** @default none */
      readonly correlationId?: FieldSource;
    }
  | { readonly kind: 'avro'; readonly wire: BinaryWire }
  | { readonly kind: 'protobuf'; readonly wire: BinaryWire };

/**
 * Who a consumer is. Keep the file free of runtime imports (a type import is fine): infra and the
 * tooling load it without loading the handler.
 *
 * @example
 * ```ts
 * const manifest = {
 *   service: 'orders',
 *   id: 'Orders',
 *   topics: ['orders.placed.v1'],
 *   mode: 'transactional',
 *   tables: { ORDERS_TABLE_NAME: { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] } },
 *   ttlSeconds: { 'orders.placed.v1': 3600 },
 * } as const satisfies ConsumerManifest;
 * ```
 */
export interface ConsumerManifest {
  /**
   * The consuming service: `POWERTOOLS_SERVICE_NAME`, the metrics' `service` dimension, the
   * idempotency keys' namespace, the consumer group id, and the folder `functions/<service>/`.
   * 1-64 characters of lowercase letters, digits and `-`. Never renamed once deployed.
   */
  readonly service: string;
  /** Construct id of its resources (PascalCase). Never renamed once deployed. */
  readonly id: string;
  /** The Kafka topics it consumes. */
  readonly topics: readonly string[];
  /**
   * `transactional`: the handler's effects are DynamoDB writes committed with the completion
   * (`withWrites`); `two-phase`: any effect, completion after it (the documented window);
   * `transactional-single-write`: as `transactional`, but with no claim first: the writes and the
   * record's creation as `completed` commit in one request (the layer's `singleWrite` option;
   * only for handlers whose reads may be repeated and whose only effects are those writes).
   */
  readonly mode: 'transactional' | 'two-phase' | 'transactional-single-write';
  /** Its own tables, by the environment variable that carries each table's name. */
  readonly tables: Readonly<Record<string, ManifestTable>>;
  /** TTL (seconds) of finished idempotency records, per event type. @default {} */
  readonly ttlSeconds?: Readonly<Record<string, number>>;
  /** TTL (seconds) for any other event type. @default 86400 */
  readonly defaultTtlSeconds?: number;
  /**
   * The record format of its topics (see {@link CodecSpec}).
   * @default { kind: 'envelope' }
   */
  readonly codec?: CodecSpec;
}

const MODES: readonly ConsumerManifest['mode'][] = [
  'transactional',
  'two-phase',
  'transactional-single-write',
];
const SERVICE = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const CONSTRUCT_ID = /^[A-Z][A-Za-z0-9]{0,63}$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]{0,127}$/;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * Checks a manifest and returns it: a `TypeError` names the field, the rule and the value.
 * Called by `defineConsumer` and by infra, so a bad manifest fails at synth and at cold start alike.
 *
 * @example
 * ```ts
 * validateManifest({ service: 'orders', id: 'Orders', topics: ['orders.v1'], mode: 'two-phase', tables: {} });
 * ```
 */
export function validateManifest<M extends ConsumerManifest>(manifest: M): M {
  const fail = (field: string, rule: string, value: unknown): never => {
    throw new TypeError(
      `Consumer manifest ${JSON.stringify(manifest.service)}: ${field} must be ${rule}, got ${JSON.stringify(value)}.`,
    );
  };
  if (!SERVICE.test(manifest.service))
    fail('service', '1-64 lowercase letters, digits and "-"', manifest.service);
  if (!CONSTRUCT_ID.test(manifest.id))
    fail('id', 'PascalCase letters and digits (a construct id)', manifest.id);
  if (manifest.topics.length === 0) fail('topics', 'at least one topic', manifest.topics);
  for (const topic of manifest.topics) if (!TOPIC.test(topic)) fail('topics[]', 'a Kafka topic name', topic);
  if (!MODES.includes(manifest.mode)) {
    fail(
      'mode',
      MODES.map((m) => `'${m}'`)
        .join(', ')
        .replace(/, ([^,]*)$/, ' or $1'),
      manifest.mode,
    );
  }
  for (const [name, table] of Object.entries(manifest.tables)) {
    if (!ENV_NAME.test(name)) fail('tables key', 'an environment variable name (SCREAMING_SNAKE)', name);
    if (table.actions.length === 0) fail(`tables.${name}.actions`, 'at least one action', table.actions);
  }
  for (const [type, ttl] of Object.entries(manifest.ttlSeconds ?? {})) {
    if (!Number.isInteger(ttl) || ttl < 1) fail(`ttlSeconds['${type}']`, 'an integer >= 1', ttl);
  }
  const fallback = manifest.defaultTtlSeconds;
  if (fallback !== undefined && (!Number.isInteger(fallback) || fallback < 1)) {
    fail('defaultTtlSeconds', 'an integer >= 1', fallback);
  }
  validateCodec(manifest.codec, fail);
  return manifest;
}

const CODEC_KINDS = ['envelope', 'cloudevents', 'json', 'avro', 'protobuf'];
const WIRES = ['confluent', 'glue', 'esm-json', 'raw'];

function validateCodec(
  codec: CodecSpec | undefined,
  fail: (field: string, rule: string, value: unknown) => never,
) {
  if (codec === undefined) return;
  if (!CODEC_KINDS.includes(codec.kind)) fail('codec.kind', `one of ${CODEC_KINDS.join(', ')}`, codec.kind);
  if (codec.kind === 'avro' || codec.kind === 'protobuf') {
    if (!WIRES.includes(codec.wire)) fail('codec.wire', `one of ${WIRES.join(', ')}`, codec.wire);
  }
  if (codec.kind === 'json') {
    for (const [field, source] of [
      ['type', codec.type],
      ['id', codec.id],
      ['correlationId', codec.correlationId],
    ] as const) {
      if (source === undefined || source.from === 'topic') continue;
      if (source.from === 'header' && (typeof source.name !== 'string' || source.name.length === 0)) {
        fail(`codec.${field}.name`, 'a header name', source.name);
      } else if (source.from === 'field' && !/^[^.]+(?:\.[^.]+){0,7}$/.test(source.path)) {
        fail(`codec.${field}.path`, 'a dot-separated field path of 1-8 segments', source.path);
      } else if (source.from !== 'header' && source.from !== 'field') {
        fail(`codec.${field}.from`, "'header', 'field' or 'topic'", (source as { from: unknown }).from);
      }
    }
  }
}
