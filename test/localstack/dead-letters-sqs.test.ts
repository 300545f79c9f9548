import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { runDeadLetters } from '../../scripts/dead-letters';
import { SqsSource } from '../../scripts/lib/dead-letters/sources';
import { envelope, mskEvent } from '../../scripts/lib/msk-events';
import { PermanentError, SqsDeadLetterSink } from '../../shared/internal';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../tools/testing/dynamodb-local';
import { ensureConsumerTable, ensureIdempotencyTable, scanAll } from '../../tools/testing/tables';
import { createSpellchecker, testConsumerConfig } from '../helpers/consumers';
import { clients } from '../helpers/dynamo';
import { localStackClientConfig, localStackEndpoint } from '../helpers/localstack';

const TOPIC = 'huleedu.essay.spellcheck.requested.v1';
let ddb: DynamoDbLocal;
let sqs: SQSClient;
let s3: S3Client;

beforeAll(async () => {
  ddb = await startDynamoDbLocal();
  sqs = new SQSClient(localStackClientConfig());
  s3 = new S3Client({ ...localStackClientConfig(), forcePathStyle: true });
});

afterAll(async () => {
  sqs.destroy();
  s3.destroy();
  await ddb.stop();
});

describe('npm run dead-letters on SQS (LocalStack), dead letters spilled to S3 included', () => {
  test('reads both, redrives the fixed one to the handler, removes its message, and releases the rest', async () => {
    // GIVEN a LocalStack queue and spill bucket, and the real spellchecker failing two records
    // permanently: one for a bug (fixed since), one too large for a message (spilled to S3)
    const queueUrl = (
      await sqs.send(new CreateQueueCommand({ QueueName: `dlq-${randomUUID().slice(0, 8)}` }))
    ).QueueUrl as string;
    const bucket = `spill-${randomUUID().slice(0, 8)}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { raw, doc } = clients({ endpoint: ddb.endpoint });
    const idempotencyTable = `idem-${randomUUID().slice(0, 8)}`;
    const spellcheckTable = `checks-${randomUUID().slice(0, 8)}`;
    await ensureIdempotencyTable(raw, idempotencyTable);
    await ensureConsumerTable(raw, spellcheckTable);
    let bug = true;
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        if (bug && /^Put(Item)?Command$/.test(String(context.commandName))) throw new PermanentError('a bug');
        return next(args);
      },
      { step: 'initialize', name: 'bug' },
    );
    const sink = new SqsDeadLetterSink(queueUrl, { client: sqs, s3, spillBucket: bucket });
    const handler = createSpellchecker(
      { ...testConsumerConfig(idempotencyTable), spellcheckTableName: spellcheckTable },
      { client: doc, deadLetter: sink },
    );
    const report = await handler.process(
      mskEvent([
        {
          topic: TOPIC,
          partition: 0,
          offset: 1,
          value: envelope({ event_type: TOPIC, data: { essay_id: 'e-1', text: 'teh' } }),
        },
        // 900 KB of text: over the schema's 100,000 characters (poison whatever the fix), and its
        // dead letter too large for a message
        {
          topic: TOPIC,
          partition: 0,
          offset: 2,
          value: envelope({ event_type: TOPIC, data: { essay_id: 'e-2', text: 'a'.repeat(900_000) } }),
        },
      ]),
    );
    expect(report.records.map((r) => r.status)).toEqual(['failed', 'failed']);
    bug = false;

    // WHEN the source is read: THEN both, the spilled one through its pointer
    const source = new SqsSource(queueUrl, { sqs, s3, visibilityTimeout: 60 });
    const { letters, unreadable } = await source.read();
    expect(unreadable).toEqual([]);
    expect(letters.map((l) => [l.entry.coordinates?.offset, l.spilled?.bucket ?? null]).sort()).toEqual([
      [1, null],
      [2, bucket],
    ]);
    await source.close(); // visible again at once

    // WHEN the fixed one is redriven through the command
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      SPELLCHECK_TABLE_NAME: spellcheckTable,
    });
    const args = ['--queue-url', queueUrl, '--endpoint', localStackEndpoint(), '--region', 'us-east-1'];
    const common = [
      ...args,
      '--dynamodb-endpoint',
      ddb.endpoint,
      '--table',
      idempotencyTable,
      '--spill-bucket',
      bucket,
    ];
    const code = await runDeadLetters(['redrive', '--all', ...common]);

    // THEN the first is processed and its message deleted; the second (still poison) failed again:
    // its new dead letter replaced the old one, and its spilled body (same S3 key) was kept
    expect(code).toBe(0);
    expect(await scanAll(doc, spellcheckTable)).toHaveLength(1);
    const remaining = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const bodies = (remaining.Messages ?? []).map((m) => m.Body ?? '');
    expect(bodies).toHaveLength(1);
    const pointer = JSON.parse(bodies[0] ?? '[]') as [string, { s3BucketName: string; s3Key: string }];
    const spilled = await s3.send(
      new GetObjectCommand({ Bucket: pointer[1].s3BucketName, Key: pointer[1].s3Key }),
    );
    expect(JSON.parse((await spilled.Body?.transformToString()) ?? '{}')).toMatchObject({
      coordinates: { offset: 2 },
      error: { name: 'InvalidRecordError' },
    });
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  }, 180_000);
});
