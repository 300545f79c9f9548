import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Kafka } from 'cloudevents';
import { mskEvent, type RecordSpec } from '../../../scripts/lib/msk-events';
import { type RecordCodec, TOMBSTONE_EVENT_TYPE } from '../../../shared/codecs';
import { avroCodec } from '../../../shared/codecs/avro';
import { protobufCodec } from '../../../shared/codecs/protobuf';
import {
  type CodecSpec,
  type ConsumerManifest,
  defineConsumer,
  RecordStatus,
} from '../../../shared/internal';
import {
  AVRO_CONFLUENT_V1,
  AVRO_CONFLUENT_V2,
  AVRO_V1,
  AVRO_V2,
  PROTO,
  PROTO_CONFLUENT,
  PROTO_CONFLUENT_REORDERED,
} from '../../fixtures/codecs/vectors';
import { sampleCloudEvent } from '../../helpers/codecs';
import { idempotencyRecords, MemoryDeadLetters, testConsumerConfig, testEnv } from '../../helpers/consumers';
import { clients, freshIdempotencyTable } from '../../helpers/dynamo';
import { RecordingLogger, RecordingMetrics } from '../../helpers/recorders';

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;

beforeAll(() => {
  ({ raw, doc } = clients());
});

afterAll(() => {
  raw.destroy();
});

const TOPIC = 'huleedu.essay.feedback.requested.v1';
const ce = sampleCloudEvent(TOPIC);
const sdkRecord = (message: { headers: Record<string, unknown>; value: unknown }) => ({
  value:
    typeof message.value === 'string'
      ? Buffer.from(message.value)
      : Buffer.from(JSON.stringify(message.value)),
  headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, String(v)])),
});

/**
 * Per codec: the manifest's `codec`, the implementation the handler passes, an event, the same
 * event re-encoded (other bytes), and a value that is poison for the codec.
 */
interface Case {
  readonly spec: CodecSpec;
  readonly codec: RecordCodec | undefined;
  readonly type: string;
  readonly event: Pick<RecordSpec, 'value' | 'headers'>;
  readonly reencoded: Pick<RecordSpec, 'value' | 'headers'>;
  readonly poison: Pick<RecordSpec, 'value' | 'headers'>;
  readonly poisonMessage: RegExp;
}

const hex = (text: string) => Buffer.from(text, 'hex');
const CASES: Readonly<Record<string, Case>> = {
  'cloudevents (binary, then structured)': {
    spec: { kind: 'cloudevents' },
    codec: undefined,
    type: TOPIC,
    event: sdkRecord(Kafka.binary(ce) as never),
    reencoded: sdkRecord(Kafka.structured(ce) as never),
    poison: { value: Buffer.from('{}'), headers: { ce_specversion: '1.0', ce_id: '1', ce_source: '/s' } },
    poisonMessage: /CloudEvent attribute ce_type is missing at huleedu.essay.feedback.requested.v1-0@2/,
  },
  'json (keys reordered)': {
    spec: { kind: 'json', type: { from: 'header', name: 'event-type' } },
    codec: undefined,
    type: 'x.scored.v1',
    event: { value: Buffer.from('{"essay_id":"E-1","score":7}'), headers: { 'event-type': 'x.scored.v1' } },
    reencoded: {
      value: Buffer.from('{ "score": 7, "essay_id": "E-1" }'),
      headers: { 'event-type': 'x.scored.v1' },
    },
    poison: { value: Buffer.from('{"essay_id":"E-1"}') },
    poisonMessage: /no event type \(header event-type is missing\)/,
  },
  'avro (schema v1, then v2)': {
    spec: { kind: 'avro', wire: 'confluent' },
    codec: avroCodec({
      wire: 'confluent',
      readerSchema: AVRO_V2,
      writerSchemas: { '1': AVRO_V1, '2': AVRO_V2 },
    }),
    type: 'huleedu.essay.FeedbackRequested',
    event: { value: hex(AVRO_CONFLUENT_V1) },
    reencoded: { value: hex(AVRO_CONFLUENT_V2) },
    poison: { value: hex('0000000063') },
    poisonMessage: /unknown schema id 99/,
  },
  'protobuf (fields re-ordered)': {
    spec: { kind: 'protobuf', wire: 'confluent' },
    codec: protobufCodec({
      wire: 'confluent',
      proto: PROTO,
      messageType: 'huleedu.essay.FeedbackRequested',
      writerSchemas: { '3': PROTO },
    }),
    type: 'huleedu.essay.FeedbackRequested',
    event: { value: hex(PROTO_CONFLUENT) },
    reencoded: { value: hex(PROTO_CONFLUENT_REORDERED) },
    poison: { value: Buffer.from('{"not":"protobuf"}') },
    poisonMessage: /wrong magic byte 0x7b at byte 0/,
  },
};

/** The test consumer's manifest, with the codec under test. */
const manifestWith = <const C extends CodecSpec>(codec: C) =>
  ({
    service: 'codec-test',
    id: 'CodecTest',
    topics: [TOPIC],
    mode: 'two-phase',
    tables: {},
    codec,
  }) as const satisfies ConsumerManifest;

describe.each(Object.entries(CASES))('%s through the real handler', (name, c) => {
  const effects: unknown[] = [];
  const deadLetters = new MemoryDeadLetters();
  let tableName: string;
  let handler: ReturnType<ReturnType<typeof defineConsumer>['create']>;

  beforeAll(async () => {
    // GIVEN a consumer whose manifest names the codec, with a route for its type and for tombstones
    tableName = await freshIdempotencyTable(raw, `codec-${name.split(' ')[0]}`);
    const manifest = manifestWith(c.spec);
    const consumer = defineConsumer(
      manifest,
      () => ({
        [c.type]: async (envelope) => {
          effects.push(envelope.data);
          return { seen: envelope.event_id };
        },
        [TOMBSTONE_EVENT_TYPE]: async (envelope) => {
          effects.push({ deleted: envelope.data.key });
          return { deleted: true };
        },
      }),
      c.codec ? { codec: c.codec } : {},
    );
    handler = consumer.create({
      env: testEnv(testConsumerConfig(tableName), {}),
      client: doc,
      deadLetter: deadLetters,
      logger: new RecordingLogger(),
      metrics: new RecordingMetrics(),
    });
  });

  const batch = () =>
    mskEvent([
      { topic: TOPIC, partition: 0, offset: 0, timestamp: 1_767_000_000_000, key: 'E-1', ...c.event },
      { topic: TOPIC, partition: 0, offset: 1, timestamp: 1_767_000_000_000, key: 'E-1', ...c.reencoded },
      { topic: TOPIC, partition: 0, offset: 2, timestamp: 1_767_000_000_000, key: 'bad', ...c.poison },
      { topic: TOPIC, partition: 0, offset: 3, timestamp: 1_767_000_000_000, key: 'E-1', tombstone: true },
    ]);

  test('the event runs once, its re-encoding is a duplicate, the poison is dead-lettered whole, the tombstone is routed', async () => {
    // WHEN the batch is delivered
    const report = await handler.process(batch());

    // THEN one effect for the event and one for the tombstone
    expect(report.records.map((r) => r.status)).toEqual(['processed', 'duplicate', 'failed', 'processed']);
    expect(effects).toEqual([
      expect.objectContaining({ essay_id: 'E-1' }),
      { deleted: Buffer.from('E-1').toString('base64') },
    ]);
    // AND the dead letter carries the record as received (key, value, headers, coordinates) and what is wrong
    expect(deadLetters.entries).toHaveLength(1);
    const [letter] = deadLetters.entries;
    expect(letter?.error.message).toMatch(c.poisonMessage);
    expect(letter?.coordinates).toEqual({ topic: TOPIC, partition: 0, offset: 2 });
    const received = batch().records[`${TOPIC}-0`]?.[2];
    expect(letter?.record).toEqual(received);
    expect((letter?.record as { key: string }).key).toBe(Buffer.from('bad').toString('base64'));
    // AND the idempotency table holds the event completed under its type, the poison failed under `invalid`
    const records = await idempotencyRecords(doc, tableName);
    const byType = (type: string) => records.filter((r) => String(r.id).includes(`:${type}:`));
    expect(byType(c.type).map((r) => r.status)).toEqual([RecordStatus.COMPLETED]);
    expect(byType('invalid').map((r) => r.status)).toEqual([RecordStatus.FAILED]);
    expect(byType(TOMBSTONE_EVENT_TYPE).map((r) => r.status)).toEqual([RecordStatus.COMPLETED]);
  });

  test('a redelivery of the batch runs nothing again and dead-letters nothing again', async () => {
    const report = await handler.process(batch());
    expect(report.records.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(effects).toHaveLength(2);
    expect(deadLetters.entries).toHaveLength(1);
  });
});

test('defineConsumer refuses a codec that does not implement the manifest codec', () => {
  const manifest = manifestWith({ kind: 'avro', wire: 'glue' });
  const confluent = avroCodec({ wire: 'confluent', readerSchema: AVRO_V2 });
  expect(() => defineConsumer(manifest, () => ({}), { codec: confluent })).toThrow(
    /manifest's codec is avro \(wire glue\) but the handler passes a avro \(wire confluent\) codec/,
  );
  expect(() => defineConsumer(manifest, () => ({}))).toThrow(/needs its schemas: pass \{ codec: avroCodec/);
});
