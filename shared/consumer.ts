import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import {
  createKafkaHandler,
  type KafkaBatchResponse,
  type KafkaHandler,
  type KafkaHandlerOptions,
} from './batch';
import { assertCodecMatches, codecFor } from './codecs';
import type { RecordCodec } from './codecs/codec';
import { loadConsumerConfig } from './config';
import { type DeadLetterSink, deadLetterSinkFor } from './dead-letter';
import { requireEnv } from './env';
import { type EventHandler, Idempotency, type LambdaContextLike } from './idempotency';
import { type ConsumerManifest, validateManifest } from './manifest';

export type { ConsumerManifest };

import type { LayerLogger, LayerMetrics } from './observability';
import { type Clock, createDocumentClient, systemClock } from './store';

/** What a consumer's routes are built with. */
export interface ConsumerContext<M extends ConsumerManifest> {
  /** The names of the consumer's own tables, by the environment variable its manifest names. */
  readonly tables: { readonly [K in keyof M['tables']]: string };
  /** The DynamoDB document client (the idempotency table's and the consumer's own tables'). */
  readonly client: DynamoDBDocumentClient;
  /** The clock of leases and TTLs; use it for the timestamps the consumer stores. */
  readonly clock: Clock;
}

/** One handler per event type, matched exactly; any other type is dead-lettered. */
export type Routes = Readonly<Record<string, EventHandler<unknown>>>;

/**
 * What a test or a local run may replace when it builds a consumer; everything defaults to the
 * production wiring from the environment.
 */
export interface ConsumerOptions {
  /** Where the configuration is read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Document client. @default `createDocumentClient({ endpoint: DYNAMODB_ENDPOINT })` */
  readonly client?: DynamoDBDocumentClient;
  /** Clock. @default the system clock */
  readonly clock?: Clock;
  /** Logger. @default a Powertools Logger for the service */
  readonly logger?: LayerLogger;
  /** Metrics. @default Powertools Metrics for the service */
  readonly metrics?: LayerMetrics;
  /** Where poison records go. @default the sink for `DEAD_LETTER_QUEUE_URL` */
  readonly deadLetter?: DeadLetterSink;
  /** Input bounds. @default DEFAULT_INPUT_LIMITS */
  readonly limits?: KafkaHandlerOptions['limits'];
}

/**
 * What a handler module passes to {@link defineConsumer} besides its routes.
 *
 * @example
 * ```ts
 * defineConsumer(manifest, routes, { codec: avroCodec({ wire: 'confluent', readerSchema }) });
 * ```
 */
export interface DefineConsumerOptions {
  /**
   * The record codec, which must implement the manifest's `codec` (checked): needed for `avro`
   * and `protobuf` (their schemas live with the handler, and their libraries are bundled only
   * where imported); optional for the others.
   * @default the codec the manifest's `codec` names (`envelope` without one)
   */
  readonly codec?: RecordCodec;
}

/** A consumer built by {@link defineConsumer}. */
export interface Consumer<M extends ConsumerManifest> {
  /** Its manifest, validated. */
  readonly manifest: M;
  /**
   * The Lambda entry point: built from `process.env` on the first invocation (a missing variable
   * fails that invocation naming it), then reused.
   */
  readonly handler: (event: MSKEvent, context?: LambdaContextLike) => Promise<KafkaBatchResponse | undefined>;
  /** Builds the handler with some parts replaced (tests, local runs). */
  create(options?: ConsumerOptions): KafkaHandler;
  /**
   * Its routes, as given: `defineConsumer({ ...consumer.manifest, mode }, consumer.routes)` is the
   * same consumer in another mode (the chaos run and the tests run single-write variants so).
   */
  readonly routes: (context: ConsumerContext<M>) => Routes;
}

/**
 * Defines a Kafka consumer from its manifest and its routes: reads the configuration (the layer's
 * variables and the manifest's tables) from the environment, builds the idempotency layer under the
 * manifest's service name and TTLs, the dead-letter sink and the batch processor.
 *
 * @example
 * ```ts
 * import { PutCommand } from '@aws-sdk/lib-dynamodb';
 * const manifest = {
 *   service: 'orders', id: 'Orders', topics: ['orders.placed.v1'], mode: 'two-phase',
 *   tables: { ORDERS_TABLE_NAME: { actions: ['dynamodb:PutItem'] } },
 * } as const satisfies ConsumerManifest;
 *
 * const consumer = defineConsumer(manifest, ({ tables, client }) => ({
 *   'orders.placed.v1': async (envelope) => {
 *     await client.send(new PutCommand({ TableName: tables.ORDERS_TABLE_NAME, Item: { pk: envelope.event_id, sk: 'order' } }));
 *     return { stored: true };
 *   },
 * }));
 * const handler = consumer.handler; // export it from functions/orders/handler.ts
 * ```
 */
export function defineConsumer<const M extends ConsumerManifest>(
  manifest: M,
  routes: (context: ConsumerContext<M>) => Routes,
  definition: DefineConsumerOptions = {},
): Consumer<M> {
  validateManifest(manifest);
  const codec = definition.codec ?? codecFor(manifest.codec);
  assertCodecMatches(manifest.codec, codec, manifest.service);
  const create = (options: ConsumerOptions = {}): KafkaHandler => {
    const env = options.env ?? process.env;
    const config = loadConsumerConfig(env);
    const tables = Object.fromEntries(
      Object.keys(manifest.tables).map((name) => [name, requireEnv(name, env)]),
    ) as ConsumerContext<M>['tables'];
    const client = options.client ?? createDocumentClient({ endpoint: config.dynamodbEndpoint });
    const clock = options.clock ?? systemClock;
    const idempotency = new Idempotency({
      service: manifest.service,
      tableName: config.idempotencyTableName,
      client,
      clock,
      failureMode: config.failureMode,
      singleWrite: manifest.mode === 'transactional-single-write',
      eventTypeTtlSeconds: manifest.ttlSeconds ?? {},
      ...(manifest.defaultTtlSeconds !== undefined ? { defaultTtlSeconds: manifest.defaultTtlSeconds } : {}),
      ...(config.leaseMarginMs !== undefined ? { leaseMarginMs: config.leaseMarginMs } : {}),
      ...(config.fallbackLeaseMs !== undefined ? { fallbackLeaseMs: config.fallbackLeaseMs } : {}),
      ...(config.localCacheMaxItems !== undefined ? { localCacheMaxItems: config.localCacheMaxItems } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
    const deadLetter =
      options.deadLetter ??
      deadLetterSinkFor(config.deadLetterQueueUrl, {
        sqsEndpoint: config.sqsEndpoint,
        spillBucket: config.deadLetterSpillBucket,
        s3Endpoint: config.s3Endpoint,
      });
    return createKafkaHandler({
      idempotency,
      deadLetter,
      partialBatchResponse: config.partialBatchResponse,
      routes: routes({ tables, client, clock }),
      codec,
      ...(options.limits ? { limits: options.limits } : {}),
    });
  };
  let built: KafkaHandler | undefined;
  const handler: Consumer<M>['handler'] = (event, context) => {
    built ??= create();
    return built(event, context);
  };
  return { manifest, handler, create, routes };
}

/**
 * The same consumer in another mode: its manifest with `mode` replaced, its routes as they are.
 * The chaos run and the tests run single-write variants of the sample consumers with it; a consumer
 * of your own chooses its mode in its manifest.
 *
 * @example
 * ```ts
 * declare const consumer: Consumer<ConsumerManifest>;
 * const singleWrite = consumerInMode(consumer, 'transactional-single-write');
 * ```
 */
export function consumerInMode<const M extends ConsumerManifest, const Mode extends ConsumerManifest['mode']>(
  consumer: Consumer<M>,
  mode: Mode,
): Consumer<Omit<M, 'mode'> & { readonly mode: Mode }> {
  type Variant = Omit<M, 'mode'> & { readonly mode: Mode };
  // The routes read only the manifest's tables, which the variant keeps.
  const routes = consumer.routes as unknown as (context: ConsumerContext<Variant>) => Routes;
  return defineConsumer<Variant>({ ...consumer.manifest, mode }, routes);
}
