/**
 * The anchor of the cold-start comparison: the smallest idempotent Kafka consumer Powertools 2.35
 * offers (its Kafka consumer with the JSON deserializer, `makeIdempotent` around the record
 * handler, its DynamoDB persistence layer), bundled by the benchmark with the same esbuild options
 * as the consumers. Not deployed; only bundled and loaded.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { kafkaConsumer, SchemaType } from '@aws-lambda-powertools/kafka';

const persistenceStore = new DynamoDBPersistenceLayer({
  tableName: process.env.IDEMPOTENCY_TABLE_NAME ?? 'idempotency',
});
const config = new IdempotencyConfig({ eventKeyJmesPath: '{data: data, event_type: event_type}' });

const processRecord = makeIdempotent(async (_value: unknown) => ({ ok: true }), { persistenceStore, config });

/** The Lambda entry point. */
export const handler = kafkaConsumer<string, unknown>(
  async (event, context) => {
    config.registerLambdaContext(context);
    for (const record of event.records) await processRecord(record.value);
  },
  { value: { type: SchemaType.JSON } },
);
