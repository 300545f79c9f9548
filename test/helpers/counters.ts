import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactionalWrite } from '../../shared/internal';

/** A consumer table used as the business effect of a test: counters incremented in transactions. */
export interface CounterTable {
  /** The effect: `ADD count 1` on the counter's item. */
  increment(counter: string): TransactionalWrite;
  /** The counter's value (a consistent read), `undefined` when never incremented. */
  value(counter: string): Promise<number | undefined>;
  /** The item of a partition key (`sk` `META`), as stored. */
  item(pk: string): Promise<Record<string, unknown> | undefined>;
}

/**
 * The counters of a consumer table (`pk` + `sk`), for the transactional tests.
 *
 * @example
 * ```ts
 * const counters = counterTable(doc, businessTable);
 * await idem.run(decoded(event), async () => withWrites('r', [counters.increment('row9')]));
 * expect(await counters.value('row9')).toBe(1);
 * ```
 */
export function counterTable(doc: DynamoDBDocumentClient, tableName: string): CounterTable {
  const item = async (pk: string) => {
    const response = await doc.send(
      new GetCommand({ TableName: tableName, Key: { pk, sk: 'META' }, ConsistentRead: true }),
    );
    return response.Item;
  };
  return {
    increment: (counter) => ({
      Update: {
        TableName: tableName,
        Key: { pk: `COUNTER#${counter}`, sk: 'META' },
        UpdateExpression: 'ADD #count :one',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1 },
      },
    }),
    value: async (counter) => {
      const found = await item(`COUNTER#${counter}`);
      return found === undefined ? undefined : Number(found.count);
    },
    item,
  };
}
