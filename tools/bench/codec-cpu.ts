/**
 * Per-record CPU of each record codec (`shared/codecs`): decode + canonical JSON + SHA-256 of the
 * content key, for the bench's ~1 KB essay-like payload written in each format.
 */
import { encoderFor, type ValueFormat } from '../../scripts/lib/encoders';
import { cloudEventsCodec, jsonCodec, type RecordCodec } from '../../shared/codecs';
import { avroCodec } from '../../shared/codecs/avro';
import { protobufCodec } from '../../shared/codecs/protobuf';
import { computeKey, DEFAULT_KEY_PREFIX, decodeEvent, type EventEnvelope } from '../../shared/internal';
import { sampleValue, timePerCall } from './cpu';

/**
 * One codec's figure.
 *
 * @example
 * ```ts
 * const [envelope]: CodecCpuFigures[] = measureCodecCpu({ budgetMs: 200 });
 * ```
 */
export interface CodecCpuFigures {
  readonly codec: string;
  /** Size of the record value in this format (bytes). */
  readonly valueBytes: number;
  /** Decode + `computeKey` (content strategy), median of 7 windows. */
  readonly usPerRecord: number;
  readonly best: number;
}

const AVRO_SCHEMA = {
  type: 'record',
  name: 'SpellcheckRequested',
  namespace: 'bench',
  fields: [
    { name: 'essay_id', type: 'string' },
    { name: 'batch_id', type: 'string' },
    { name: 'language', type: 'string' },
    { name: 'text', type: 'string' },
    {
      name: 'corrections',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Correction',
          fields: [
            { name: 'offset', type: 'int' },
            { name: 'length', type: 'int' },
            { name: 'suggestion', type: 'string' },
            { name: 'rule', type: 'string' },
          ],
        },
      },
    },
  ],
};
const PROTO = `syntax = "proto3";
package bench;
message Correction { int32 offset = 1; int32 length = 2; string suggestion = 3; string rule = 4; }
message SpellcheckRequested { string essay_id = 1; string batch_id = 2; string language = 3; string text = 4; repeated Correction corrections = 5; }`;

/**
 * Measures every codec on the same event (the 1 KB sample of {@link sampleValue}).
 *
 * @example
 * ```ts
 * for (const f of measureCodecCpu()) console.log(f.codec, f.usPerRecord);
 * ```
 */
export function measureCodecCpu(options: { readonly budgetMs?: number } = {}): CodecCpuFigures[] {
  const budgetMs = options.budgetMs ?? 800;
  const decoded = decodeEvent(sampleValue(1024));
  if (!decoded.ok) throw new Error('bench: the sample value does not decode.');
  const env: EventEnvelope = decoded.envelope;
  const protoType = {
    proto: PROTO,
    messageType: 'bench.SpellcheckRequested',
    type: { from: 'topic' },
  } as const;
  const cases: readonly [string, ValueFormat, RecordCodec | undefined][] = [
    ['envelope', 'envelope', undefined],
    ['cloudevents structured', 'cloudevents-structured', cloudEventsCodec()],
    ['cloudevents binary', 'cloudevents-binary', cloudEventsCodec()],
    ['json (type header)', 'json', jsonCodec({ type: { from: 'header', name: 'event-type' } })],
    [
      'avro confluent',
      'avro-confluent',
      avroCodec({
        wire: 'confluent',
        readerSchema: AVRO_SCHEMA,
        writerSchemas: { '1': AVRO_SCHEMA },
        type: { from: 'topic' },
      }),
    ],
    [
      'protobuf confluent',
      'protobuf-confluent',
      protobufCodec({ wire: 'confluent', ...protoType, writerSchemas: { '1': PROTO } }),
    ],
  ];
  const keyOptions = { prefix: DEFAULT_KEY_PREFIX, service: 'bench', strategy: 'content' as const };
  const coordinates = { topic: env.event_type, partition: 0, offset: 0 };
  return cases.map(([name, format, codec]) => {
    const schema = format.startsWith('avro') ? JSON.stringify(AVRO_SCHEMA) : PROTO;
    const encoded = encoderFor(format, { schema, messageType: 'bench.SpellcheckRequested' })(env);
    const value =
      encoded.value instanceof Uint8Array ? encoded.value : Buffer.from(JSON.stringify(encoded.value));
    const record = {
      coordinates,
      timestamp: 0,
      key: undefined,
      value,
      headers: new Map(Object.entries(encoded.headers ?? {})),
    };
    const decode = codec ? () => codec.decode(record) : () => decodeEvent(value, coordinates);
    const first = decode();
    if (!first.ok) throw new Error(`bench: the ${name} sample does not decode (${first.error.message}).`);
    let sink = 0;
    const timed = timePerCall(budgetMs, () => {
      sink += computeKey(decode(), keyOptions).id.length;
    });
    if (sink === 0) throw new Error('unreachable: keeps the measured calls alive');
    return { codec: name, valueBytes: value.length, usPerRecord: timed.microseconds, best: timed.best };
  });
}
