import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod/mini';
import { BatchItem, batchKey, EssayItem, type EssayTableKey, essayKey } from './domain';

/**
 * Reads of the essay table (strongly consistent: a plan must see every committed transaction). The
 * writes are not here: they are planned by the domain and committed by the idempotency layer.
 *
 * @example
 * ```ts
 * const table = new EssayTable(client, 'essays');
 * const batch = await table.batch('b1'); // BatchItem | undefined
 * ```
 */
export class EssayTable {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** The batch's item, or `undefined` when the batch is not registered. */
  async batch(batchId: string): Promise<BatchItem | undefined> {
    return this.read(batchKey(batchId), BatchItem);
  }

  /** The essay's item, or `undefined` while its content is not provisioned. */
  async essay(batchId: string, essayId: string): Promise<EssayItem | undefined> {
    return this.read(essayKey(batchId, essayId), EssayItem);
  }

  private async read<S extends z.ZodMiniType>(
    key: EssayTableKey,
    schema: S,
  ): Promise<z.infer<S> | undefined> {
    const response = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { ...key }, ConsistentRead: true }),
    );
    if (response.Item === undefined) return undefined;
    const parsed = schema.safeParse(response.Item);
    if (!parsed.success) {
      // The table holds an item this code did not write: an operator must look. Thrown as a plain
      // (retryable) error, so that good events are retried rather than dead-lettered meanwhile.
      throw new Error(
        `Item ${key.pk}/${key.sk} of table ${this.tableName} is malformed: ${parsed.error.issues
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ')}.`,
      );
    }
    return parsed.data;
  }
}
