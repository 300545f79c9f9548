/**
 * Value encoders of `npm run events`: an envelope written in each record format the codecs decode
 * (`shared/codecs`), with the same libraries (avsc, protobufjs) and the framing of each wire.
 */
import protobuf from 'protobufjs';
import { avroType } from '../../shared/codecs/avro';
import type { EventEnvelope } from '../../shared/internal';

/**
 * The formats `npm run events -- --format` writes.
 *
 * @example
 * ```ts
 * VALUE_FORMATS.includes('avro-glue'); // true
 * ```
 */
export const VALUE_FORMATS = [
  'envelope',
  'cloudevents-structured',
  'cloudevents-binary',
  'json',
  'avro-confluent',
  'avro-glue',
  'avro-raw',
  'avro-esm-json',
  'protobuf-confluent',
  'protobuf-glue',
  'protobuf-raw',
  'protobuf-esm-json',
] as const;

/**
 * One of {@link VALUE_FORMATS}.
 *
 * @example
 * ```ts
 * const format: ValueFormat = 'cloudevents-binary';
 * ```
 */
export type ValueFormat = (typeof VALUE_FORMATS)[number];

/**
 * A record value in its format, with the headers the format needs.
 *
 * @example
 * ```ts
 * const { value, headers }: EncodedValue = encoderFor('json')(env);
 * ```
 */
export interface EncodedValue {
  readonly value: Uint8Array | Record<string, unknown>;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * What the binary formats need: the schema and the registry id it is written under.
 *
 * @example
 * ```ts
 * const options: SchemaOptions = { schema: avsc, schemaId: '2' };
 * ```
 */
export interface SchemaOptions {
  /** Avro schema (JSON text) or `.proto` text. */
  readonly schema?: string;
  /** Confluent schema id (decimal) or Glue schema version UUID. @default '1' / a fixed UUID */
  readonly schemaId?: string;
  /** Protobuf message, fully qualified. */
  readonly messageType?: string;
}

/**
 * The Glue schema version UUID of the samples when none is given.
 *
 * @example
 * ```ts
 * avroCodec({ wire: 'glue', readerSchema, writerSchemas: { [SAMPLE_GLUE_UUID]: readerSchema } });
 * ```
 */
export const SAMPLE_GLUE_UUID = '00000000-0000-4000-8000-000000000001';

/**
 * The encoder of a format: the envelope's `data` (and, for CloudEvents, its identifiers) in that
 * format. `json` sends `data` with the type in an `event-type` header.
 *
 * @example
 * ```ts
 * const encode = encoderFor('avro-confluent', { schema: avsc, schemaId: '2' });
 * const { value } = encode(envelope({ event_type: 't.v1', data: { essay_id: 'E-1' } }));
 * ```
 */
export function encoderFor(
  format: ValueFormat,
  options: SchemaOptions = {},
): (env: EventEnvelope) => EncodedValue {
  switch (format) {
    case 'envelope':
      return (env) => ({ value: env as Record<string, unknown> });
    case 'cloudevents-structured':
      return (env) => ({
        value: Buffer.from(
          JSON.stringify({
            specversion: '1.0',
            ...ceAttributes(env),
            datacontenttype: 'application/json',
            data: env.data,
          }),
        ),
        headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
      });
    case 'cloudevents-binary':
      return (env) => ({
        value: Buffer.from(JSON.stringify(env.data)),
        headers: {
          ce_specversion: '1.0',
          ...Object.fromEntries(Object.entries(ceAttributes(env)).map(([k, v]) => [`ce_${k}`, v])),
          'content-type': 'application/json',
        },
      });
    case 'json':
      return (env) => ({
        value: Buffer.from(JSON.stringify(env.data)),
        headers: { 'event-type': env.event_type },
      });
    default:
      return format.startsWith('avro-') ? avroEncoder(format, options) : protobufEncoder(format, options);
  }
}

function ceAttributes(env: EventEnvelope): Record<string, string> {
  return {
    id: env.event_id,
    source: `/${env.source_service}`,
    type: env.event_type,
    time: env.event_timestamp,
    ...(env.correlation_id ? { correlationid: env.correlation_id } : {}),
  };
}

function required(value: string | undefined, flag: string, format: string): string {
  if (value === undefined) throw new TypeError(`--format ${format} needs ${flag}.`);
  return value;
}

function frame(
  wire: string,
  schemaId: string,
  payload: Uint8Array,
  indexes: Uint8Array = new Uint8Array(0),
): Uint8Array {
  if (wire === 'confluent') {
    const header = Buffer.alloc(5);
    header.writeUInt32BE(Number(schemaId), 1);
    return Buffer.concat([header, indexes, payload]);
  }
  if (wire === 'glue') {
    const uuid = Buffer.from(schemaId.replaceAll('-', ''), 'hex');
    if (uuid.length !== 16)
      throw new TypeError(`--schema-id for glue must be a UUID, got ${JSON.stringify(schemaId)}.`);
    return Buffer.concat([Buffer.from([3, 0]), uuid, indexes, payload]);
  }
  return payload;
}

function avroEncoder(format: ValueFormat, options: SchemaOptions): (env: EventEnvelope) => EncodedValue {
  const wire = format.slice('avro-'.length);
  const type = avroType(required(options.schema, '--schema-file (an .avsc)', format));
  const schemaId = options.schemaId ?? (wire === 'glue' ? SAMPLE_GLUE_UUID : '1');
  return (env) => {
    if (wire === 'esm-json') return { value: Buffer.from(JSON.stringify(env.data)) };
    return { value: frame(wire, schemaId, type.toBuffer(env.data)) };
  };
}

function protobufEncoder(format: ValueFormat, options: SchemaOptions): (env: EventEnvelope) => EncodedValue {
  const wire = format.slice('protobuf-'.length);
  const parsed = protobuf.parse(required(options.schema, '--schema-file (a .proto)', format), {
    keepCase: true,
  });
  const name = required(options.messageType, '--message-type', format);
  const type = parsed.root.lookupType(name);
  const schemaId = options.schemaId ?? (wire === 'glue' ? SAMPLE_GLUE_UUID : '1');
  const path = indexPath(type);
  // Confluent: zigzag varints, count then indexes ([0] alone as 0); Glue: one unsigned varint.
  const zigzag = (n: number) => varint(n * 2);
  const indexes =
    wire === 'confluent'
      ? path.length === 1 && path[0] === 0
        ? Buffer.from([0])
        : Buffer.concat([zigzag(path.length), ...path.map(zigzag)])
      : varint(path[0] ?? 0);
  return (env) => {
    if (wire === 'esm-json') return { value: Buffer.from(JSON.stringify(env.data)) };
    const message = type.encode(type.fromObject(env.data)).finish();
    return { value: frame(wire, schemaId, message, wire === 'raw' ? undefined : indexes) };
  };
}

/** The message indexes of a type: its position among its parent's messages, from the top. */
function indexPath(type: protobuf.Type): number[] {
  const path: number[] = [];
  let current: protobuf.ReflectionObject = type;
  while (current.parent && current instanceof protobuf.Type) {
    const siblings = current.parent.nestedArray.filter((n) => n instanceof protobuf.Type);
    path.unshift(siblings.indexOf(current));
    current = current.parent;
  }
  return path;
}

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let value = n;
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  bytes.push(value);
  return Buffer.from(bytes);
}
