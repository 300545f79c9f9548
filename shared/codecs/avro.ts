/**
 * The Avro codec's entry: `import { avroCodec } from '../../shared/codecs/avro'`. Kept apart from
 * `shared/codecs/index.ts` so that only the handlers that decode Avro bundle avsc (the library
 * Powertools' Avro deserializer uses).
 */
import avro from 'avsc';
import type { FieldSource, TypeSource } from '../manifest';
import { binaryEvent, esmJson } from './binary';
import { isEventType, poison, type RecordCodec } from './codec';
import { unframe } from './framing';

type AvroResolver = ReturnType<avro.Type['createResolver']>;

/**
 * An Avro schema as JSON (`.avsc`), or its text.
 *
 * @example
 * ```ts
 * const schema: AvroSchema = { type: 'record', name: 'acme.Invoice', fields: [{ name: 'id', type: 'string' }] };
 * ```
 */
export type AvroSchema = string | Readonly<Record<string, unknown>> | readonly unknown[];

/**
 * Options of {@link avroCodec}.
 *
 * @example
 * ```ts
 * const options: AvroCodecOptions = { wire: 'raw', readerSchema: schema };
 * ```
 */
export interface AvroCodecOptions {
  /** Must equal the manifest's `codec.wire`. */
  readonly wire: 'confluent' | 'glue' | 'esm-json' | 'raw';
  /** The consumer's reader schema: every record is resolved to it, so payloads (and content keys) have its shape. */
  readonly readerSchema: AvroSchema;
  /**
   * The writer schemas the topic may carry, by registry id (Confluent: the schema id as text, e.g.
   * `'7'`; Glue: the schema version UUID, lowercase). A record naming another id is poison. With
   * `raw`, the event source mapping's `valueSchemaMetadata.schemaId` selects one, else the reader
   * schema is the writer schema.
   * @default {} (only `raw` then works, with the reader schema)
   */
  readonly writerSchemas?: Readonly<Record<string, AvroSchema>>;
  /** @default { from: 'schema' }: the reader record's full name */
  readonly type?: TypeSource;
  /** @default none: the id is `<topic>-<partition>@<offset>` */
  readonly id?: FieldSource;
  /** @default none */
  readonly correlationId?: FieldSource;
  /** Largest decompressed Glue payload (bytes). @default 1048576 */
  readonly maxDecompressedBytes?: number;
}

/**
 * Avro's `long` as a `bigint` (avsc's own `long` is a JS number, inexact past 2^53): the
 * canonical JSON form writes it as a decimal string.
 */
const LONG = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint | number | string) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (n: number | string) => BigInt(n),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint' || (typeof n === 'number' && Number.isSafeInteger(n)),
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

/**
 * Parses an Avro schema with this codec's type registry (`long` as `bigint`).
 *
 * @example
 * ```ts
 * const type = avroType({ type: 'record', name: 'x.Y', fields: [{ name: 'id', type: 'long' }] });
 * type.toBuffer({ id: 5n });
 * ```
 */
export function avroType(schema: AvroSchema): avro.Type {
  const parsed = typeof schema === 'string' ? (JSON.parse(schema) as unknown) : schema;
  return avro.Type.forSchema(parsed as avro.Schema, { registry: { long: LONG } });
}

/**
 * The Avro codec: Confluent or Glue framing (or raw, or the event source mapping's JSON), the
 * writer schema found by its registry id among `writerSchemas` (no registry call), then avsc
 * resolves the datum to the reader schema. The payload is the reader-schema form in canonical JSON
 * (longs as decimal strings, bytes and fixed as base64, enums as their symbol, unions unwrapped),
 * so the same event written under another compatible schema version has the same content key.
 * Every bad value is poison: unknown schema id, wrong magic byte, truncated datum, trailing bytes
 * (schema mismatch), bad zlib.
 *
 * @example
 * ```ts
 * const codec = avroCodec({ wire: 'confluent', readerSchema: v2, writerSchemas: { '1': v1, '2': v2 } });
 * export const consumer = defineConsumer(manifest, routes, { codec });
 * ```
 */
export function avroCodec(options: AvroCodecOptions): RecordCodec {
  const reader = avroType(options.readerSchema);
  const resolvers = new Map<string, AvroResolver | undefined>();
  for (const [id, schema] of Object.entries(options.writerSchemas ?? {})) {
    const writer = avroType(schema);
    try {
      resolvers.set(id, writer.equals(reader) ? undefined : reader.createResolver(writer));
    } catch (cause) {
      throw new TypeError(
        `avroCodec: writer schema ${JSON.stringify(id)} cannot be resolved to the reader schema (${(cause as Error).message}); make the schemas compatible.`,
        { cause },
      );
    }
  }
  const typeSource = options.type ?? { from: 'schema' };
  const schemaName = reader.name ?? '';
  if (typeSource.from === 'schema' && !isEventType(schemaName)) {
    throw new TypeError(
      "avroCodec: the reader schema has no name usable as event type; give it a record name or pass `type` ({ from: 'topic' }, a header or a field).",
    );
  }
  const type = typeSource.from === 'schema' ? { from: 'schema' as const, name: schemaName } : typeSource;
  const maxBytes = options.maxDecompressedBytes ?? 1_048_576;
  const sources = { type, id: options.id, correlationId: options.correlationId };

  return {
    kind: 'avro',
    wire: options.wire,
    decode: (record) => {
      if (options.wire === 'esm-json') return esmJson(record, 'AVRO', sources, schemaName);
      const framed = unframe(options.wire, 'avro', record, maxBytes);
      if ('error' in framed) return poison(record, framed.error);
      let resolver: AvroResolver | undefined;
      if (framed.schemaId !== undefined && (options.wire !== 'raw' || resolvers.size > 0)) {
        if (!resolvers.has(framed.schemaId)) {
          return poison(
            record,
            `Record value names unknown schema id ${framed.schemaId.slice(0, 64)}; add its writer schema to avroCodec's writerSchemas`,
          );
        }
        resolver = resolvers.get(framed.schemaId);
      }
      let value: unknown;
      try {
        value = reader.fromBuffer(Buffer.from(framed.payload), resolver, false);
      } catch (cause) {
        const message = (cause as Error).message ?? '';
        const id =
          framed.schemaId === undefined ? 'the reader schema' : `schema id ${framed.schemaId.slice(0, 64)}`;
        return poison(
          record,
          /truncated/.test(message)
            ? `Record value is a truncated Avro datum for ${id}`
            : /trailing/.test(message)
              ? `Record value does not match ${id}: bytes are left after the Avro datum (schema mismatch)`
              : `Record value does not decode with ${id} (schema mismatch)`,
        );
      }
      return binaryEvent(record, value, sources, { name: schemaName, id: framed.schemaId });
    },
  };
}
