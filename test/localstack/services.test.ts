/**
 * S3 and SQS on the host-mode LocalStack the global setup started, through the AWS SDK v3
 * clients: an S3 object round trip; the SQS round trip the dead-letter sink relies on, and the
 * limits LocalStack enforces on what it is sent (size counted in UTF-8 bytes of the body and the
 * attributes; XML 1.0 characters only).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { localStackClientConfig, localStackEndpoint } from '../helpers/localstack';

const MIB = 1_048_576;
const INVALID_CHARACTERS =
  /^Invalid characters found\. Valid unicode characters are #x9 \| #xA \| #xD \| #x20 to #xD7FF \| #xE000 to #xFFFD \| #x10000 to #x10FFFF$/;
const TOO_LONG = /Message must be shorter than 1048576 bytes/;

let sqs: SQSClient;
let s3: S3Client;
const created: string[] = [];

beforeAll(() => {
  sqs = new SQSClient(localStackClientConfig());
  // Path style: virtual-hosted buckets would need <bucket>.127.0.0.1 to resolve.
  s3 = new S3Client({ ...localStackClientConfig(), forcePathStyle: true });
});

afterAll(async () => {
  await Promise.all(created.map((QueueUrl) => sqs.send(new DeleteQueueCommand({ QueueUrl }))));
  sqs.destroy();
  s3.destroy();
});

describe('S3 on host-mode LocalStack', () => {
  test('creates a bucket, stores an object with its metadata and returns it byte for byte', async () => {
    const Bucket = `localstack-${randomUUID().slice(0, 8)}`;
    const Key = 'dead-letters/2026/record one.json';
    const body = Buffer.concat([
      Buffer.from('{"essay_id":"E-1","text":"é 😀"}\n'),
      Buffer.from([0, 255, 13, 10]),
    ]);
    await s3.send(new CreateBucketCommand({ Bucket }));
    try {
      const put = await s3.send(
        new PutObjectCommand({
          Bucket,
          Key,
          Body: body,
          ContentType: 'application/json',
          Metadata: { consumer: 'spellchecker' },
        }),
      );

      const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
      const listed = await s3.send(new ListObjectsV2Command({ Bucket }));

      expect(
        Buffer.from(await (got.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array()))),
      ).toEqual(body);
      expect(got.ContentType).toBe('application/json');
      expect(got.Metadata).toEqual({ consumer: 'spellchecker' });
      expect(put.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
      expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([[Key, body.length]]);
    } finally {
      await s3.send(new DeleteObjectCommand({ Bucket, Key }));
      await s3.send(new DeleteBucketCommand({ Bucket }));
    }
  });
});

/** A new standard queue for one test. */
async function freshQueue(): Promise<{ name: string; url: string }> {
  const name = `localstack-${randomUUID().slice(0, 8)}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (QueueUrl === undefined) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  created.push(QueueUrl);
  return { name, url: QueueUrl };
}

/** Sends one message to a fresh queue and receives it back. */
async function roundTrip(
  body: string,
  attributes?: Record<string, MessageAttributeValue>,
): Promise<{ sent: { MD5OfMessageBody?: string }; received: Message }> {
  const { url } = await freshQueue();
  const sent = await sqs.send(
    new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: attributes }),
  );
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 5,
      MessageAttributeNames: ['All'],
    }),
  );
  expect(Messages).toHaveLength(1);
  const [received] = Messages;
  if (received === undefined) throw new Error('no message received');
  return { sent, received };
}

/** Sends to a fresh queue, expecting a refusal; checks that nothing was enqueued. */
async function refusal(
  body: string,
  attributes?: Record<string, MessageAttributeValue>,
): Promise<{ name: string; message: string; status: number | undefined }> {
  const { url } = await freshQueue();
  let caught: unknown;
  try {
    await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: attributes }),
    );
  } catch (error) {
    caught = error;
  }
  if (!(caught instanceof Error)) throw new Error('SendMessage was accepted, expected a refusal');
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }));
  expect(Messages).toHaveLength(0);
  const status = (caught as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return { name: caught.name, message: caught.message, status };
}

describe('SQS on host-mode LocalStack', () => {
  test('gives path-style queue URLs on the loopback endpoint it listens on', async () => {
    const { name, url } = await freshQueue();

    expect(url).toBe(`${localStackEndpoint()}/queue/us-east-1/000000000000/${name}`);
  });

  test('delivers a body and its String, Number and Binary attributes unchanged', async () => {
    const body =
      'tab\there, CRLF\r\nlone CR\r, DEL \u007f, U+FFFD \ufffd, U+E000 \ue000, astral \u{10ffff} 😀';
    const attributes: Record<string, MessageAttributeValue> = {
      service: { DataType: 'String', StringValue: 'spellchecker' },
      attempt: { DataType: 'Number', StringValue: '3' },
      raw: { DataType: 'Binary', BinaryValue: Uint8Array.from([0, 1, 254, 255]) },
    };

    const { sent, received } = await roundTrip(body, attributes);

    expect(received.Body).toBe(body);
    const md5 = createHash('md5').update(body, 'utf8').digest('hex');
    expect(sent.MD5OfMessageBody).toBe(md5);
    expect(received.MD5OfBody).toBe(md5);
    expect(received.MessageAttributes).toEqual({
      service: { DataType: 'String', StringValue: 'spellchecker' },
      attempt: { DataType: 'Number', StringValue: '3' },
      raw: { DataType: 'Binary', BinaryValue: Uint8Array.from([0, 1, 254, 255]) },
    });
  });

  describe('size: body plus attributes, in UTF-8 bytes, at most 1 MiB', () => {
    test('a new queue allows 1 MiB (MaximumMessageSize 1048576)', async () => {
      const { url } = await freshQueue();

      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['MaximumMessageSize'] }),
      );

      expect(Attributes?.MaximumMessageSize).toBe(String(MIB));
    });

    test('accepts a body of exactly 1,048,576 bytes and delivers it whole', async () => {
      const body = 'a'.repeat(MIB);

      const { received } = await roundTrip(body);

      expect(received.Body?.length).toBe(MIB);
      expect(received.Body === body).toBe(true);
    });

    test('refuses a body of 1,048,577 bytes with a 400 InvalidParameterValue', async () => {
      const refused = await refusal('a'.repeat(MIB + 1));

      expect(refused).toEqual({
        name: 'InvalidParameterValue',
        message: expect.stringMatching(TOO_LONG),
        status: 400,
      });
    });

    test('counts UTF-8 bytes, not characters: 524,289 two-byte characters are refused', async () => {
      const { received } = await roundTrip('é'.repeat(MIB / 2));
      expect(received.Body?.length).toBe(MIB / 2);

      const refused = await refusal('é'.repeat(MIB / 2 + 1));

      expect(refused).toMatchObject({
        name: 'InvalidParameterValue',
        message: expect.stringMatching(TOO_LONG),
      });
    });

    test('counts each attribute name, data type and value toward the limit', async () => {
      // 1 MiB - 10 bytes of body; 'k' (1) + 'String' (6) + value: 3 bytes fit exactly, 4 do not.
      const body = 'a'.repeat(MIB - 10);

      const { received } = await roundTrip(body, { k: { DataType: 'String', StringValue: 'abc' } });
      expect(received.MessageAttributes?.k?.StringValue).toBe('abc');

      const refused = await refusal(body, { k: { DataType: 'String', StringValue: 'abcd' } });
      expect(refused).toMatchObject({
        name: 'InvalidParameterValue',
        message: expect.stringMatching(TOO_LONG),
      });
    });

    test('refuses an empty body with MissingParameter', async () => {
      const refused = await refusal('');

      expect(refused).toMatchObject({ name: 'MissingParameter', status: 400 });
    });
  });

  describe('characters: only #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF', () => {
    test.each([
      ['U+0000', '\u0000'],
      ['U+0001', '\u0001'],
      ['U+001F', '\u001f'],
      ['U+FFFE', '\ufffe'],
      ['U+FFFF', '\uffff'],
    ])('refuses %s in a body with a 400 InvalidMessageContents', async (_label, character) => {
      const refused = await refusal(`before${character}after`);

      expect(refused).toEqual({
        name: 'InvalidMessageContents',
        message: expect.stringMatching(INVALID_CHARACTERS),
        status: 400,
      });
    });

    test.each([
      ['U+0001', '\u0001'],
      ['U+FFFF', '\uffff'],
    ])('refuses %s in a String attribute value with a 400 InvalidParameterValue', async (_label, character) => {
      const refused = await refusal('ok', { reason: { DataType: 'String', StringValue: `x${character}y` } });

      expect(refused).toEqual({
        name: 'InvalidParameterValue',
        message: expect.stringMatching(INVALID_CHARACTERS),
        status: 400,
      });
    });

    test('answers a lone UTF-16 surrogate with a 500 InternalError (which the SDK retries), not a 400', async () => {
      const refused = await refusal('before\ud800after');

      expect(refused).toEqual({
        name: 'InternalError',
        message: expect.stringContaining("'utf-8' codec can't encode character '\\ud800'"),
        status: 500,
      });
    });
  });
});
