import * as path from 'node:path';
import { ENV } from '../shared';
import type { DynamoDbDataAction } from './constructs/idempotent-kafka-consumer';

/**
 * What the stack needs to know about one consumer of the template.
 *
 * @example
 * ```ts
 * const orders: ConsumerDefinition = {
 *   name: 'orders', id: 'Orders', entry, topics: ['orders.v1'],
 *   tableEnvironmentVariable: 'ORDERS_TABLE_NAME', tableActions: ['dynamodb:PutItem'],
 * };
 * ```
 */
export interface ConsumerDefinition {
  /** Service name: `POWERTOOLS_SERVICE_NAME`, the idempotency keys' namespace, the consumer group id base. */
  readonly name: string;
  /** Construct id of the consumer (PascalCase, never renamed once deployed). */
  readonly id: string;
  /** Absolute path of the handler's entry file. */
  readonly entry: string;
  /** Topics it consumes. */
  readonly topics: readonly string[];
  /** Environment variable that carries its own table's name. */
  readonly tableEnvironmentVariable: string;
  /**
   * The DynamoDB actions its handler calls on its own table, and the only ones its role gets there.
   * An item of a `TransactWriteItems` counts as its own action (`Put` as `dynamodb:PutItem`, ...).
   * `test/integration/functions/table-actions.test.ts` replays the consumer's sample events through
   * its real handler and checks that the requests it sends need exactly these.
   */
  readonly tableActions: readonly DynamoDbDataAction[];
}

/**
 * The template's two sample consumers. `essay-lifecycle` completes its DynamoDB writes in the
 * same transaction as the idempotency record; `spellchecker` has one topic.
 *
 * @example
 * ```ts
 * for (const consumer of SAMPLE_CONSUMERS) console.log(consumer.name, consumer.topics);
 * ```
 */
export const SAMPLE_CONSUMERS: readonly ConsumerDefinition[] = [
  {
    name: 'essay-lifecycle',
    id: 'EssayLifecycle',
    entry: path.join(__dirname, '..', 'functions', 'essay-lifecycle', 'handler.ts'),
    topics: ['huleedu.essay.batch.registered.v1', 'huleedu.essay.content.provisioned.v1'],
    tableEnvironmentVariable: ENV.ESSAY_TABLE_NAME,
    // Consistent reads of the batch and essay items; the Put/Update of the transactional completion.
    tableActions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
  },
  {
    name: 'spellchecker',
    id: 'Spellchecker',
    entry: path.join(__dirname, '..', 'functions', 'spellchecker', 'handler.ts'),
    topics: ['huleedu.essay.spellcheck.requested.v1'],
    tableEnvironmentVariable: ENV.SPELLCHECK_TABLE_NAME,
    // One plain PutItem of the result (two-phase mode).
    tableActions: ['dynamodb:PutItem'],
  },
];
