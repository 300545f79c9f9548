import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_AWS } from '../../tools/testing/dynamodb-local';
import { ensureConsumerTable, ensureIdempotencyTable } from '../../tools/testing/tables';

/** Endpoint of the DynamoDB Local started by the integration project's global setup. */
export function testEndpoint(): string {
  const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!endpoint) {
    throw new Error(
      'TEST_DYNAMODB_ENDPOINT is not set: run integration tests through `npm run test:integration`.',
    );
  }
  return endpoint;
}

/** A fresh low-level client and document client on the given (or the shared test) endpoint. */
export function clients(options: { endpoint?: string; maxAttempts?: number } = {}): {
  raw: DynamoDBClient;
  doc: DynamoDBDocumentClient;
} {
  const raw = new DynamoDBClient({
    ...LOCAL_AWS,
    endpoint: options.endpoint ?? testEndpoint(),
    maxAttempts: options.maxAttempts ?? 4,
    retryMode: 'standard',
  });
  const doc = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return { raw, doc };
}

/** Creates a uniquely named idempotency table (one per test file or test) and returns its name. */
export async function freshIdempotencyTable(raw: DynamoDBClient, label = 'idem'): Promise<string> {
  const name = `${label}-${randomUUID().slice(0, 8)}`;
  await ensureIdempotencyTable(raw, name);
  return name;
}

/** Creates a uniquely named consumer table (`pk` + `sk`) and returns its name. */
export async function freshConsumerTable(raw: DynamoDBClient, label = 'business'): Promise<string> {
  const name = `${label}-${randomUUID().slice(0, 8)}`;
  await ensureConsumerTable(raw, name);
  return name;
}
