import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { CONSUMER_TABLE_SCHEMA, IDEMPOTENCY_TABLE_SCHEMA } from '../../shared/internal';

/**
 * Creates the idempotency table (key and TTL attribute from the shared schema) unless it exists.
 *
 * @example
 * ```ts
 * await ensureIdempotencyTable(client, 'idempotency');
 * ```
 */
export async function ensureIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await ensureTable(client, tableName, [{ name: IDEMPOTENCY_TABLE_SCHEMA.partitionKey, keyType: 'HASH' }]);
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: IDEMPOTENCY_TABLE_SCHEMA.ttlAttribute, Enabled: true },
      }),
    )
    .catch((error: unknown) => {
      // Enabling TTL twice is rejected; the table already has it.
      if ((error as { name?: string }).name !== 'ValidationException') throw error;
    });
}

/**
 * Creates a consumer table (`pk` + `sk`, from the shared schema) unless it exists.
 *
 * @example
 * ```ts
 * await ensureConsumerTable(client, 'essays');
 * ```
 */
export async function ensureConsumerTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await ensureTable(client, tableName, [
    { name: CONSUMER_TABLE_SCHEMA.partitionKey, keyType: 'HASH' },
    { name: CONSUMER_TABLE_SCHEMA.sortKey, keyType: 'RANGE' },
  ]);
}

async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  keys: { name: string; keyType: 'HASH' | 'RANGE' }[],
): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: 'S' })),
        KeySchema: keys.map((k) => ({ AttributeName: k.name, KeyType: k.keyType })),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Table ${tableName} did not become ACTIVE`);
}

/**
 * Reads every item of a table (paginated scan, consistent reads).
 *
 * @example
 * ```ts
 * const items = await scanAll(client, 'chaos-ledger');
 * ```
 */
export async function scanAll(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (start !== undefined);
  return items;
}
