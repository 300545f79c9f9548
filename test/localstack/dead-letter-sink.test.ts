/**
 * The SQS dead-letter sink against LocalStack's SQS and S3: what the dead letters of hostile and
 * oversized records become once a real SQS has accepted them, with and without a spill bucket.
 * The entries are the ones the batch processor builds (see test/integration/shared/hostile-input).
 */
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mskRecord } from '../../scripts/lib/msk-events';
import {
  DEAD_LETTER_MAX_BYTES,
  type DeadLetterEntry,
  SqsDeadLetterSink,
  sha256Hex,
} from '../../shared/internal';
import { localStackClientConfig } from '../helpers/localstack';

let sqs: SQSClient;
let s3: S3Client;
const queues: string[] = [];

beforeAll(() => {
  sqs = new SQSClient(localStackClientConfig());
  s3 = new S3Client({ ...localStackClientConfig(), forcePathStyle: true });
});

afterAll(async () => {
  await Promise.all(queues.map((QueueUrl) => sqs.send(new DeleteQueueCommand({ QueueUrl }))));
  sqs.destroy();
  s3.destroy();
});

async function queue(): Promise<string> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: `dlq-${randomUUID().slice(0, 8)}` }));
  const url = created.QueueUrl;
  if (!url) throw new Error('CreateQueue returned no URL');
  queues.push(url);
  return url;
}

async function receiveOne(queueUrl: string): Promise<Message> {
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
      WaitTimeSeconds: 1,
    }),
  );
  expect(received.Messages ?? []).toHaveLength(1);
  const [message] = received.Messages ?? [];
  if (!message) throw new Error('no message');
  return message;
}

const COORDINATES = { topic: 'huleedu.essay.spellcheck.requested.v1', partition: 2, offset: 77 };

function entry(overrides: Partial<DeadLetterEntry> = {}): DeadLetterEntry {
  return {
    service: 'spellchecker',
    idempotency_key: `idem:v1:spellchecker:invalid:${'a'.repeat(64)}`,
    event_type: undefined,
    event_id: undefined,
    correlation_id: undefined,
    coordinates: COORDINATES,
    error: { name: 'InvalidRecordError', message: 'Record headers at … are over 32768 bytes' },
    record: mskRecord({ ...COORDINATES, value: 'not json' }),
    failed_at: '2026-12-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A record as Lambda would deliver one whose headers and value are far over any message. */
function oversizedRecord() {
  return mskRecord({
    ...COORDINATES,
    value: 'v'.repeat(900_000),
    headers: { big: 'h'.repeat(300_000) }, // about 1.2 MB as JSON byte arrays
  });
}

describe('SqsDeadLetterSink on LocalStack', () => {
  test('a record that fits arrives whole, with its attributes', async () => {
    const url = await queue();
    const e = entry();
    await new SqsDeadLetterSink(url, { client: sqs }).send(e);
    const message = await receiveOne(url);
    expect(JSON.parse(message.Body ?? '')).toEqual(JSON.parse(JSON.stringify(e)));
    expect(message.MessageAttributes?.service?.StringValue).toBe('spellchecker');
    expect(message.MessageAttributes?.error_name?.StringValue).toBe('InvalidRecordError');
  });

  test('a record far over the message limit is accepted, cut to coordinates, digest and value head', async () => {
    // GIVEN a dead letter whose record as received is about 2 MB of JSON
    const url = await queue();
    const record = oversizedRecord();
    expect(Buffer.byteLength(JSON.stringify(record))).toBeGreaterThan(DEAD_LETTER_MAX_BYTES);
    // WHEN sent; THEN SQS accepts it, and the body lets the record be found and checked
    await new SqsDeadLetterSink(url, { client: sqs }).send(entry({ record }));
    const body = JSON.parse((await receiveOne(url)).Body ?? '');
    expect(body.record).toMatchObject({ ...COORDINATES, received_sha256: sha256Hex(JSON.stringify(record)) });
    expect(body.record_truncated).toMatch(/dropped the rest of the value, the key and the headers/);
  });

  test('characters SQS refuses (U+FFFF, U+0001, a lone surrogate) in any field do not stop the send', async () => {
    const url = await queue();
    const hostile = 'id-\uFFFF-\u0001-\uD800-end';
    await new SqsDeadLetterSink(url, { client: sqs }).send(
      entry({ event_id: hostile, error: { name: `Bad\u0001Name\uFFFE`, message: hostile } }),
    );
    const message = await receiveOne(url);
    expect(JSON.parse(message.Body ?? '').event_id).toBe(hostile);
    expect(message.MessageAttributes?.error_name?.StringValue).toBe('Bad?Name?');
  });

  test('with a spill bucket, an oversized dead letter goes whole to S3 behind an extended-client pointer', async () => {
    // GIVEN a sink with a spill bucket
    const url = await queue();
    const bucket = `spill-${randomUUID().slice(0, 8)}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const record = oversizedRecord();
    const e = entry({ record });
    const sink = new SqsDeadLetterSink(url, { client: sqs, spillBucket: bucket, s3 });
    // WHEN an oversized dead letter is sent
    await sink.send(e);
    // THEN the message is the SQS extended client's pointer, sized, and the object is the whole entry
    const message = await receiveOne(url);
    const [pointerClass, pointer] = JSON.parse(message.Body ?? '') as [
      string,
      { s3BucketName: string; s3Key: string },
    ];
    expect(pointerClass).toBe('software.amazon.payloadoffloading.PayloadS3Pointer');
    expect(pointer.s3BucketName).toBe(bucket);
    expect(pointer.s3Key).toBe(
      `dead-letters/spellchecker/${sha256Hex(e.idempotency_key)}/${COORDINATES.topic}-${COORDINATES.partition}-${COORDINATES.offset}.json`,
    );
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: pointer.s3Key }));
    const stored = await object.Body?.transformToString();
    expect(JSON.parse(stored ?? '')).toEqual(JSON.parse(JSON.stringify(e)));
    expect(message.MessageAttributes?.ExtendedPayloadSize?.StringValue).toBe(
      String(Buffer.byteLength(stored ?? '')),
    );
    expect(message.MessageAttributes?.service?.StringValue).toBe('spellchecker');
  });

  test('with a spill bucket, a dead letter that fits is still sent inline (no object)', async () => {
    const url = await queue();
    const bucket = `spill-${randomUUID().slice(0, 8)}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const e = entry();
    await new SqsDeadLetterSink(url, { client: sqs, spillBucket: bucket, s3 }).send(e);
    const message = await receiveOne(url);
    expect(JSON.parse(message.Body ?? '')).toEqual(JSON.parse(JSON.stringify(e)));
    expect(message.MessageAttributes?.ExtendedPayloadSize).toBeUndefined();
  });

  test('a spill bucket that does not exist fails the send: the dead letter is never a pointer to nothing', async () => {
    const url = await queue();
    const sink = new SqsDeadLetterSink(url, {
      client: sqs,
      spillBucket: `missing-${randomUUID().slice(0, 8)}`,
      s3,
    });
    await expect(sink.send(entry({ record: oversizedRecord() }))).rejects.toThrow(/bucket/i);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    expect(received.Messages ?? []).toEqual([]);
  });
});
