import { startDynamoDbLocal } from '../../tools/testing/dynamodb-local';

/** Starts one DynamoDB Local for the integration project; tests read its endpoint from the env. */
export default async function globalSetup(): Promise<void> {
  const ddb = await startDynamoDbLocal();
  process.env.TEST_DYNAMODB_ENDPOINT = ddb.endpoint;
  (globalThis as { __DDB_LOCAL__?: typeof ddb }).__DDB_LOCAL__ = ddb;
}
