import type { DynamoDbLocal } from '../../tools/testing/dynamodb-local';

/** Stops the DynamoDB Local started by the global setup. */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __DDB_LOCAL__?: DynamoDbLocal }).__DDB_LOCAL__?.stop();
}
