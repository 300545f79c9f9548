import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MSKEvent } from 'aws-lambda';
import { FEEDBACK_SCHEMA_V2 } from '../../../functions/essay-feedback/events';
import { SAMPLE_GLUE_UUID } from '../../../scripts/lib/encoders';
import { REPO_ROOT } from '../../../scripts/lib/local';
import { cloudEventsCodec, jsonCodec, type RecordCodec, TOMBSTONE_EVENT_TYPE } from '../../../shared/codecs';
import { avroCodec } from '../../../shared/codecs/avro';
import { protobufCodec } from '../../../shared/codecs/protobuf';
import { decodeMskEvent } from '../../../shared/internal';

const DIR = join(REPO_ROOT, 'events', 'formats');
const PROTO = readFileSync(join(REPO_ROOT, 'events', 'schemas', 'feedback-submitted.proto'), 'utf8');
const MESSAGE = 'huleedu.essay.FeedbackSubmitted';
const TYPE = 'huleedu.essay.feedback.submitted.v1';
const topic = { type: { from: 'topic' } } as const;

const CODECS: Readonly<Record<string, RecordCodec>> = {
  'cloudevents-structured': cloudEventsCodec(),
  'cloudevents-binary': cloudEventsCodec(),
  json: jsonCodec({ type: { from: 'header', name: 'event-type' } }),
  'avro-confluent': avroCodec({
    wire: 'confluent',
    readerSchema: FEEDBACK_SCHEMA_V2,
    writerSchemas: { '2': FEEDBACK_SCHEMA_V2 },
    ...topic,
  }),
  'avro-glue': avroCodec({
    wire: 'glue',
    readerSchema: FEEDBACK_SCHEMA_V2,
    writerSchemas: { [SAMPLE_GLUE_UUID]: FEEDBACK_SCHEMA_V2 },
    ...topic,
  }),
  'avro-raw': avroCodec({ wire: 'raw', readerSchema: FEEDBACK_SCHEMA_V2, ...topic }),
  'avro-esm-json': avroCodec({ wire: 'esm-json', readerSchema: FEEDBACK_SCHEMA_V2, ...topic }),
  'protobuf-confluent': protobufCodec({
    wire: 'confluent',
    proto: PROTO,
    messageType: MESSAGE,
    writerSchemas: { '1': PROTO },
    ...topic,
  }),
  'protobuf-glue': protobufCodec({
    wire: 'glue',
    proto: PROTO,
    messageType: MESSAGE,
    writerSchemas: { [SAMPLE_GLUE_UUID]: PROTO },
    ...topic,
  }),
  'protobuf-raw': protobufCodec({ wire: 'raw', proto: PROTO, messageType: MESSAGE, ...topic }),
};

const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));

test('there is a sample of every format, for MSK and for self-managed Kafka', () => {
  const expected = Object.keys(CODECS).flatMap((f) => [`${f}.json`, `${f}-self-managed.json`]);
  expect(files.sort()).toEqual(expected.sort());
});

test.each(files)('%s decodes with the codec of its format: the feedback, then the tombstone', (file) => {
  const format = file.replace(/(-self-managed)?\.json$/, '');
  const event = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as MSKEvent;
  expect(event.eventSource).toBe(file.includes('self-managed') ? 'SelfManagedKafka' : 'aws:kafka');
  const [feedback, tombstone] = [...decodeMskEvent(event, {}, CODECS[format]).values()].flat();
  if (!feedback?.decoded.ok)
    throw new Error(`not decoded: ${feedback?.decoded.ok === false ? feedback.decoded.error.message : ''}`);
  expect(feedback.decoded.envelope.event_type).toBe(TYPE);
  expect(feedback.decoded.envelope.data).toEqual({
    essay_id: 'E-101',
    reviewer: 'T-7',
    score: 4,
    comment: 'Clear thesis.',
  });
  expect(tombstone?.decoded.ok && tombstone.decoded.envelope.event_type).toBe(TOMBSTONE_EVENT_TYPE);
});
