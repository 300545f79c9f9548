import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { marshall } from '@aws-sdk/util-dynamodb';
import {
  formatReport,
  invokeFunction,
  readMskEvent,
  scanIdempotencyRecords,
} from '../../../localstack/lib/invoke';
import { FakeLocalStack, type RecordedRequest } from './fake-localstack';

const dir = mkdtempSync(path.join(tmpdir(), 'localstack-invoke-'));

/** An MSK event as Lambda's Kafka ESM sends it (base64 value, byte-array headers). */
const EVENT = {
  eventSource: 'aws:kafka',
  eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/demo/uuid',
  bootstrapServers: 'b-1.demo:9098',
  records: {
    'huleedu.essay.spellcheck.requested.v1-0': [
      {
        topic: 'huleedu.essay.spellcheck.requested.v1',
        partition: 0,
        offset: 15,
        timestamp: 1_700_000_000_000,
        timestampType: 'CREATE_TIME',
        value: Buffer.from('{"event_id":"e1","event_type":"t","data":{"x":1}}').toString('base64'),
        headers: [{ trace: [104, 105] }],
      },
      {
        topic: 'huleedu.essay.spellcheck.requested.v1',
        partition: 0,
        offset: 16,
        timestamp: 1_700_000_000_001,
        timestampType: 'CREATE_TIME',
        value: Buffer.from('{"event_id":"e2","event_type":"t","data":{"x":2}}').toString('base64'),
        headers: [],
      },
    ],
  },
};

function writeEvent(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe('readMskEvent', () => {
  test('returns the file bytes unchanged and counts the records of every partition', async () => {
    const text = `${JSON.stringify(EVENT, null, 2)}\n`;
    const event = await readMskEvent(writeEvent('event.json', text));
    expect(Buffer.from(event.bytes).toString('utf8')).toBe(text);
    expect(event.recordCount).toBe(2);
  });

  test('fails if the file is not JSON, naming the file', async () => {
    const file = writeEvent('broken.json', '{"records": ');
    await expect(readMskEvent(file)).rejects.toThrow(
      new RegExp(`${file.replace(/[.\\]/g, '\\$&')} is not JSON`),
    );
  });

  test('fails if the JSON is not an MSK event', async () => {
    await expect(readMskEvent(writeEvent('sqs.json', '{"Records":[]}'))).rejects.toThrow(
      /is not an MSK event: expected an object with "records"/,
    );
    await expect(readMskEvent(writeEvent('flat.json', '{"records":{"t-0":{}}}'))).rejects.toThrow(
      /records\["t-0"\] must be an array/,
    );
  });
});

describe('invokeFunction against a local HTTP server', () => {
  const server = new FakeLocalStack((request) =>
    request.url.includes('/functions/')
      ? {
          headers: {
            'x-amz-function-error': request.url.includes('failing') ? 'Unhandled' : '',
            'x-amz-log-result': Buffer.from('START RequestId: r1\nEND RequestId: r1\n').toString('base64'),
            'x-amz-executed-version': '$LATEST',
          },
          body: JSON.stringify({
            batchItemFailures: [
              { itemIdentifier: { partition: 'huleedu.essay.spellcheck.requested.v1-0', offset: 16 } },
            ],
          }),
        }
      : { status: 404, body: '{}' },
  );
  let endpoint: string;
  let request: RecordedRequest | undefined;
  beforeAll(async () => {
    endpoint = await server.start();
  });
  afterAll(() => server.stop());

  test('posts the event bytes to the function, synchronously, asking for the log tail', async () => {
    // GIVEN
    const bytes = new TextEncoder().encode(JSON.stringify(EVENT));
    // WHEN
    const result = await invokeFunction(
      { endpoint, region: 'eu-north-1' },
      'KafkaEffectivelyOnceLocal-Spell',
      bytes,
    );
    // THEN
    request = server.requests.at(-1);
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/2015-03-31/functions/KafkaEffectivelyOnceLocal-Spell/invocations');
    expect(request?.headers['x-amz-invocation-type']).toBe('RequestResponse');
    expect(request?.headers['x-amz-log-type']).toBe('Tail');
    expect(request?.body.equals(Buffer.from(bytes))).toBe(true);
    // Signed for the chosen region with LocalStack's test credentials, never real ones.
    expect(request?.headers.authorization).toMatch(
      /Credential=test\/\d{8}\/eu-north-1\/lambda\/aws4_request/,
    );
    expect(result).toEqual({
      statusCode: 200,
      payload: {
        batchItemFailures: [
          { itemIdentifier: { partition: 'huleedu.essay.spellcheck.requested.v1-0', offset: 16 } },
        ],
      },
      logTail: 'START RequestId: r1\nEND RequestId: r1\n',
    });
  });

  test('reports a function error', async () => {
    const result = await invokeFunction({ endpoint, region: 'us-east-1' }, 'failing', new Uint8Array());
    expect(result.functionError).toBe('Unhandled');
  });

  test('fails if the endpoint refuses the connection', async () => {
    await expect(
      invokeFunction({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1' }, 'f', new Uint8Array()),
    ).rejects.toThrow();
  });
});

describe('scanIdempotencyRecords against a local HTTP server', () => {
  const items = [
    { id: 'idem:v1:spellchecker:t:a', status: 'completed', expiration: 1_900_000_000, updated_at: 10 },
    { id: 'idem:v1:spellchecker:t:b', status: 'processing', expiration: 1_900_000_000, updated_at: 30 },
    { id: 'idem:v1:spellchecker:t:c', status: 'failed', expiration: 1_900_000_000, updated_at: 20 },
  ];
  const server = new FakeLocalStack((request) => {
    const body = JSON.parse(request.body.toString('utf8')) as { ExclusiveStartKey?: unknown };
    // Two pages: the first two items, then the last one.
    const page = body.ExclusiveStartKey === undefined ? items.slice(0, 2) : items.slice(2);
    return {
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({
        Items: page.map((item) => marshall(item)),
        Count: page.length,
        ...(body.ExclusiveStartKey === undefined ? { LastEvaluatedKey: marshall({ id: items[1]?.id }) } : {}),
      }),
    };
  });
  let endpoint: string;
  beforeAll(async () => {
    endpoint = await server.start();
  });
  afterAll(() => server.stop());

  test('scans every page of the table and returns the records newest first', async () => {
    const records = await scanIdempotencyRecords({ endpoint, region: 'us-east-1' }, 'IdempotencyTable-X', 50);
    expect(records.map((r) => r.id)).toEqual([
      'idem:v1:spellchecker:t:b',
      'idem:v1:spellchecker:t:c',
      'idem:v1:spellchecker:t:a',
    ]);
    expect(server.requests).toHaveLength(2);
    for (const request of server.requests) {
      expect(request.headers['x-amz-target']).toBe('DynamoDB_20120810.Scan');
      expect(JSON.parse(request.body.toString('utf8'))).toMatchObject({ TableName: 'IdempotencyTable-X' });
    }
  });

  test('stops at the limit', async () => {
    server.requests.length = 0;
    const records = await scanIdempotencyRecords({ endpoint, region: 'us-east-1' }, 'IdempotencyTable-X', 2);
    expect(records).toHaveLength(2);
    expect(server.requests).toHaveLength(1);
    expect(JSON.parse(server.requests[0]?.body.toString('utf8') ?? '{}')).toMatchObject({ Limit: 2 });
  });
});

describe('formatReport', () => {
  test('shows the function, the error state, the response, the log tail and each record', () => {
    const text = formatReport({
      functionName: 'fn',
      recordCount: 2,
      tableName: 'table',
      result: {
        statusCode: 200,
        functionError: 'Unhandled',
        payload: { errorMessage: 'boom' },
        logTail: 'log line\n',
      },
      records: [{ id: 'a', status: 'failed' }],
    });
    expect(text).toContain('Invoked fn with 2 record(s): HTTP 200, function error: Unhandled');
    expect(text).toContain('"errorMessage": "boom"');
    expect(text).toContain('Log tail:\nlog line');
    expect(text).toContain('Idempotency records in table (1):\n{"id":"a","status":"failed"}');
  });
});
