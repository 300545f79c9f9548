/**
 * The Protobuf codec's entry: `import { protobufCodec } from '../../shared/codecs/protobuf'`. Kept
 * apart from `shared/codecs/index.ts` so that only the handlers that decode Protobuf bundle
 * protobufjs (the library Powertools' Protobuf deserializer uses).
 */
import protobuf from 'protobufjs';
import type { FieldSource, TypeSource } from '../manifest';
import { binaryEvent, esmJson } from './binary';
import { isEventType, poison, type RecordCodec } from './codec';
import { unframe } from './framing';

/**
 * Options of {@link protobufCodec}.
 *
 * @example
 * ```ts
 * const options: ProtobufCodecOptions = { wire: 'raw', proto, messageType: 'acme.Shipment' };
 * ```
 */
export interface ProtobufCodecOptions {
  /** Must equal the manifest's `codec.wire`. */
  readonly wire: 'confluent' | 'glue' | 'esm-json' | 'raw';
  /** The consumer's reader schema, `.proto` text (proto2 or proto3; field names kept as written). */
  readonly proto: string;
  /**
   * The message the reader expects, fully qualified (`huleedu.essay.FeedbackRequested`): `raw`
   * and `esm-json` values are this message; framed values name theirs by message index.
   */
  readonly messageType: string;
  /**
   * The writer schemas (`.proto` text) by registry id (Confluent: the schema id as text; Glue: the
   * schema version UUID), to turn message indexes into message names. The message is then decoded
   * with the reader schema's message of that name (fields the reader does not know are dropped).
   * @default {} (only `raw` and `esm-json` then work)
   */
  readonly writerSchemas?: Readonly<Record<string, string>>;
  /** @default { from: 'schema' }: the message's full name */
  readonly type?: TypeSource;
  /** @default none: the id is `<topic>-<partition>@<offset>` */
  readonly id?: FieldSource;
  /** @default none */
  readonly correlationId?: FieldSource;
  /** Largest decompressed Glue payload (bytes). @default 1048576 */
  readonly maxDecompressedBytes?: number;
}

/**
 * Canonical JSON form of a message: int64 as decimal strings, enums by name, bytes as base64,
 * every field present (proto3 defaults filled in, so an omitted default and an explicit one are
 * the same event), `NaN`/`Infinity` as strings.
 */
const TO_OBJECT: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: String,
  defaults: true,
  arrays: true,
  objects: true,
  json: true,
};

/** Top-level messages of a schema in declaration order, then their nested ones: what message indexes count. */
function messagesOf(container: protobuf.NamespaceBase): protobuf.Type[] {
  return container.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

function parseProto(text: string, what: string): { root: protobuf.Root; top: protobuf.Type[] } {
  try {
    const parsed = protobuf.parse(text, { keepCase: true });
    const pkg = parsed.package ? parsed.root.lookup(parsed.package) : parsed.root;
    if (!(pkg instanceof protobuf.Namespace) && !(pkg instanceof protobuf.Root))
      throw new Error('no package');
    return { root: parsed.root, top: messagesOf(pkg as protobuf.NamespaceBase) };
  } catch (cause) {
    throw new TypeError(`protobufCodec: ${what} is not a valid .proto (${(cause as Error).message}).`, {
      cause,
    });
  }
}

/**
 * The Protobuf codec: Confluent framing (schema id, then the message-index list: zigzag varints,
 * `0` for the first message) or Glue (version UUID, one message index), or raw, or the event
 * source mapping's JSON; the message index names the message in the writer schema, and the bytes
 * are decoded by protobufjs as the reader schema's message of that name. Poison: unknown schema
 * id, wrong magic byte, truncated value, unknown message index, a message the reader does not
 * know or that does not decode (schema mismatch), bad zlib.
 *
 * @example
 * ```ts
 * const codec = protobufCodec({ wire: 'confluent', proto, messageType: 'acme.Order', writerSchemas: { '3': proto } });
 * export const consumer = defineConsumer(manifest, routes, { codec });
 * ```
 */
export function protobufCodec(options: ProtobufCodecOptions): RecordCodec {
  const reader = parseProto(options.proto, 'the reader schema (proto)');
  const expected = reader.root.lookup(options.messageType);
  if (!(expected instanceof protobuf.Type)) {
    throw new TypeError(
      `protobufCodec: messageType ${JSON.stringify(options.messageType)} is not a message of proto.`,
    );
  }
  const writers = new Map<string, protobuf.Type[]>();
  for (const [id, text] of Object.entries(options.writerSchemas ?? {})) {
    writers.set(id, parseProto(text, `writer schema ${JSON.stringify(id)}`).top);
  }
  const typeSource = options.type ?? { from: 'schema' };
  const maxBytes = options.maxDecompressedBytes ?? 1_048_576;
  const expectedName = expected.fullName.replace(/^\./, '');
  const sourcesFor = (name: string) => ({
    type: typeSource.from === 'schema' ? { from: 'schema' as const, name } : typeSource,
    id: options.id,
    correlationId: options.correlationId,
  });
  if (typeSource.from === 'schema' && !isEventType(expectedName)) {
    throw new TypeError(
      `protobufCodec: message name ${expectedName} is not usable as event type; pass \`type\`.`,
    );
  }

  return {
    kind: 'protobuf',
    wire: options.wire,
    decode: (record) => {
      if (options.wire === 'esm-json')
        return esmJson(record, 'PROTOBUF', sourcesFor(expectedName), expectedName);
      const framed = unframe(options.wire, 'protobuf', record, maxBytes);
      if ('error' in framed) return poison(record, framed.error);
      let type: protobuf.Type = expected;
      if (framed.messageIndexes !== undefined) {
        const id = (framed.schemaId ?? '').slice(0, 64);
        const top = writers.get(framed.schemaId ?? '');
        if (top === undefined) {
          return poison(
            record,
            `Record value names unknown schema id ${id}; add its .proto to protobufCodec's writerSchemas`,
          );
        }
        let level: protobuf.Type[] = top;
        let found: protobuf.Type | undefined;
        for (const [depth, index] of framed.messageIndexes.entries()) {
          found = level[index];
          if (found === undefined) {
            return poison(
              record,
              `Record value has unknown message index ${index} at depth ${depth} for schema id ${id} (${level.length} messages there)`,
            );
          }
          level = messagesOf(found);
        }
        const name = (found as protobuf.Type).fullName;
        const inReader = reader.root.lookup(name);
        if (!(inReader instanceof protobuf.Type)) {
          return poison(
            record,
            `Record value is message ${name.replace(/^\./, '').slice(0, 200)}, which the reader schema does not define (schema mismatch)`,
          );
        }
        type = inReader;
      }
      const name = type.fullName.replace(/^\./, '');
      let value: unknown;
      try {
        value = type.toObject(type.decode(framed.payload), TO_OBJECT);
      } catch (cause) {
        const truncated = /index out of range/.test((cause as Error).message ?? '');
        return poison(
          record,
          truncated
            ? `Record value is a truncated Protobuf message ${name.slice(0, 200)}`
            : `Record value does not decode as Protobuf message ${name.slice(0, 200)} (schema mismatch)`,
        );
      }
      if (typeSource.from === 'schema' && !isEventType(name)) {
        return poison(record, 'Record message name is not usable as event type');
      }
      return binaryEvent(record, value, sourcesFor(name), { name, id: framed.schemaId });
    },
  };
}
