/**
 * The Powertools bridge: this layer's fenced DynamoDB store as a Powertools `BasePersistenceLayer`,
 * for `makeIdempotent` users who want owner-token fencing without moving to `defineConsumer`.
 *
 * @example
 * ```ts
 * import { makeIdempotent } from '@aws-lambda-powertools/idempotency';
 * import { FencedDynamoDBPersistenceLayer } from '../shared/powertools';
 * const persistenceStore = new FencedDynamoDBPersistenceLayer({ tableName: 'idempotency' });
 * export const handler = makeIdempotent(async (event: unknown) => ({ ok: true }), { persistenceStore });
 * ```
 */
export {
  FencedDynamoDBPersistenceLayer,
  type FencedDynamoDBPersistenceLayerOptions,
} from './powertools-persistence';
