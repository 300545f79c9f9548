import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, MSKEvent } from 'aws-lambda';
import {
  CONSUMER_TABLE_SCHEMA,
  createKafkaHandler,
  DEFAULTS,
  type DeadLetterEntry,
  type DeadLetterSink,
  Idempotency,
  type LayerLogger,
  type LayerMetrics,
  RetryableError,
  withWrites,
} from '../../shared/internal';
import { LOCAL_AWS } from '../testing/dynamodb-local';
import {
  countRequests,
  type InFlightTracker,
  injectFaults,
  type RequestCounter,
  trackInFlight,
} from '../testing/sdk-middleware';
import { type CapacityTracker, trackCapacity } from './capacity';
import { BENCH_EVENT_TYPE } from './workload';

/**
 * The things compared, each one entry of {@link SIDE_DEFINITIONS}:
 * - `floor`: no idempotency at all: the same handler (its one effect `PutItem`) per record in
 *   offset order, partitions at the same time like ours; what every side is measured against;
 * - `baseline`: Powertools `makeIdempotent` with its `DynamoDBPersistenceLayer`, per record, in order;
 * - `two-phase`: this project's `createKafkaHandler` (claim, the handler's `PutItem`, completion);
 * - `transactional`: the same, the handler returning its `Put` to be committed with the completion;
 * - `single-write`: transactional with `singleWrite: true`: no claim, the `Put` and the record's
 *   creation as `completed` in one `TransactWriteItems`;
 * - `two-phase-cached`: two-phase with the local cache on (`localCacheMaxItems`), so a batch
 *   redelivered to the same warm side is answered from memory.
 *
 * @example
 * ```ts
 * const side: SideName = 'two-phase';
 * ```
 */
export type SideName =
  | 'floor'
  | 'baseline'
  | 'two-phase'
  | 'transactional'
  | 'single-write'
  | 'two-phase-cached';

/**
 * What a side is: its labels and how it delivers a batch. Adding a side (a new mode, an option of
 * the layer) is one entry in {@link SIDE_DEFINITIONS}: the measurement, tables, charts and targets
 * pick it up by name.
 *
 * @example
 * ```ts
 * const { label, short }: SideDefinition = SIDE_DEFINITIONS['two-phase'];
 * ```
 */
export interface SideDefinition {
  /** Long label, for the legend. */
  readonly label: string;
  /** Short label, for table cells and chart bars. */
  readonly short: string;
  /** Builds the delivery function of one side on its own client. */
  readonly create: (client: DynamoDBClient, options: SideOptions) => Side['deliver'];
}

/** Local cache of the cached side: every key of the largest scale batch, warm-up rounds included. */
const BENCH_LOCAL_CACHE_ITEMS = 100_000;

/**
 * Every side, by name, in report order.
 *
 * @example
 * ```ts
 * const deliver = SIDE_DEFINITIONS.floor.create(client, options);
 * ```
 */
export const SIDE_DEFINITIONS: Readonly<Record<SideName, SideDefinition>> = {
  floor: {
    label: 'floor: the same handler and its PutItem, no idempotency (offset order, 4 partitions at once)',
    short: 'floor',
    create: (client, options) => floorDelivery(client, options),
  },
  baseline: {
    label: 'Powertools makeIdempotent (per record)',
    short: 'Powertools',
    create: (client, options) => baselineDelivery(client, options),
  },
  'two-phase': {
    label: 'ours: createKafkaHandler, two-phase (the handler sends its PutItem)',
    short: 'ours 2-phase',
    create: (client, options) => ourDelivery('two-phase', client, options),
  },
  transactional: {
    label: 'ours: createKafkaHandler, transactional (the Put committed with the completion)',
    short: 'ours tx',
    create: (client, options) => ourDelivery('transactional', client, options),
  },
  'single-write': {
    label:
      'ours: createKafkaHandler, single-write (singleWrite: true; the Put and the completed record in one transaction, no claim)',
    short: 'ours 1-write',
    create: (client, options) => ourDelivery('transactional', client, options, { singleWrite: true }),
  },
  'two-phase-cached': {
    label: `ours: two-phase with the local cache on (localCacheMaxItems ${BENCH_LOCAL_CACHE_ITEMS})`,
    short: 'ours 2-phase cache',
    create: (client, options) =>
      ourDelivery('two-phase', client, options, { localCacheMaxItems: BENCH_LOCAL_CACHE_ITEMS }),
  },
};

/**
 * Every side, in report order.
 *
 * @example
 * ```ts
 * const sides = SIDES.map((name) => createSide(name, options));
 * ```
 */
export const SIDES: readonly SideName[] = Object.keys(SIDE_DEFINITIONS) as SideName[];

/**
 * Human label of each side, for tables.
 *
 * @example
 * ```ts
 * console.log(SIDE_LABELS.baseline); // 'Powertools makeIdempotent (per record)'
 * ```
 */
export const SIDE_LABELS: Readonly<Record<SideName, string>> = Object.fromEntries(
  SIDES.map((name) => [name, SIDE_DEFINITIONS[name].label]),
) as Record<SideName, string>;

/**
 * Partitions the floor side processes at the same time: the layer's default `partitionConcurrency`
 * (`DEFAULTS` of `shared/internal.ts`), so the floor is the best
 * a handler without idempotency does with the same parallelism.
 *
 * @example
 * ```ts
 * FLOOR_PARTITION_CONCURRENCY; // 4
 * ```
 */
export const FLOOR_PARTITION_CONCURRENCY: number = DEFAULTS.partitionConcurrency;

/**
 * The key the baseline hashes: `data` and `event_type` of the envelope, matching our `content`
 * strategy. A valid JMESPath multiselect hash (the Powertools Kafka docs snippet's path does not
 * parse).
 *
 * @example
 * ```ts
 * new IdempotencyConfig({ eventKeyJmesPath: POWERTOOLS_KEY_JMESPATH });
 * ```
 */
export const POWERTOOLS_KEY_JMESPATH = '{data: data, event_type: event_type}';

/**
 * What one delivery of a batch did.
 *
 * @example
 * ```ts
 * const { handlerCalls, duplicates }: DeliveryOutcome = await side.deliver(event);
 * ```
 */
export interface DeliveryOutcome {
  /** Handler invocations (the effect ran this many times). */
  readonly handlerCalls: number;
  /** Records answered from the idempotency store (already done, or repeated in the batch). */
  readonly duplicates: number;
  /** `true` when the delivery failed and the batch must come again. */
  readonly failed: boolean;
  /** Records left for a redelivery (retryable outcomes, e.g. in progress elsewhere). */
  readonly retried?: number;
}

/**
 * Options of one {@link Side.deliver}.
 *
 * @example
 * ```ts
 * await side.deliver(event, { failOn: workload.failOn });
 * ```
 */
export interface DeliverOptions {
  /** The handler of the record whose `data.id` matches throws (a retryable error). */
  readonly failOn?: string | undefined;
  /** Retryable outcomes are expected (concurrent workers on one key): report them, do not throw. */
  readonly allowRetries?: boolean;
}

/**
 * One side of the comparison, bound to its own client, counters and table(s).
 *
 * @example
 * ```ts
 * const side: Side = createSide('baseline', options); await side.deliver(event); side.close();
 * ```
 */
export interface Side {
  readonly name: SideName;
  /** Requests by operation, counted per HTTP attempt. */
  readonly requests: RequestCounter;
  /** Reported capacity and failed conditional writes. */
  readonly capacity: CapacityTracker;
  /**
   * Delivers a batch as the Lambda event source would. With `failOn`, the handler of the record
   * whose `data.id` matches throws (a retryable error), as a dependency outage would.
   */
  deliver(event: MSKEvent, options?: DeliverOptions): Promise<DeliveryOutcome>;
  /** Releases the client. */
  close(): void;
}

/**
 * Options of {@link createSide}.
 *
 * @example
 * ```ts
 * const options: SideOptions = { endpoint, tableName: 'bench-ours', consumerTableName: 'bench-effects', delayMs: 0 };
 * ```
 */
export interface SideOptions {
  readonly endpoint: string;
  /** Idempotency table of this side (the baseline's has its own: key `id`, TTL `expiration`). */
  readonly tableName: string;
  /** Consumer table for the transactional side's business write. */
  readonly consumerTableName: string;
  /** Simulated network delay per DynamoDB request attempt (ms); 0 for none. */
  readonly delayMs: number;
  /** Called when a request is sent and when it returns (max in flight, in the scale rows). */
  readonly inFlight?: InFlightTracker | undefined;
}

/**
 * Names a request of the layer by the part it plays, for the in-flight counts: an `UpdateItem`
 * that asks for the old item (`ReturnValues: ALL_OLD`) is a claim, any other a completion (or a
 * release); other operations keep their name.
 *
 * @example
 * ```ts
 * const tracker = inFlightTracker(layerRequestKind);
 * ```
 */
export function layerRequestKind(operation: string, input: Record<string, unknown>): string {
  if (operation !== 'UpdateItem') return operation;
  return input.ReturnValues === 'ALL_OLD' ? 'claim' : 'completion';
}

/**
 * A Lambda context whose remaining time is always 60 s (the leases' base).
 *
 * @example
 * ```ts
 * await handler.process(event, benchContext());
 * ```
 */
export function benchContext(): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
    memoryLimitInMB: '512',
    awsRequestId: '00000000-0000-0000-0000-000000000000',
    logGroupName: '/aws/lambda/bench',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Shape of a benchmark record's value as the handlers read it. */
interface BenchValue {
  readonly event_type: string;
  readonly data: { readonly id: string };
}

/**
 * Creates one side with its own DynamoDB client: request counter, capacity tracker and, with
 * `delayMs > 0`, a fixed simulated delay per request attempt.
 *
 * @example
 * ```ts
 * const side = createSide('two-phase', { endpoint, tableName: 'ours', consumerTableName: 'effects', delayMs: 0 });
 * const outcome = await side.deliver(event);
 * console.log(Object.fromEntries(side.requests.byOperation));
 * side.close();
 * ```
 */
export function createSide(name: SideName, options: SideOptions): Side {
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint: options.endpoint, maxAttempts: 4 });
  const capacity = trackCapacity(client);
  const requests = countRequests(client);
  if (options.inFlight) trackInFlight(client, options.inFlight);
  if (options.delayMs > 0) injectFaults(client, () => `delay:${options.delayMs}`);
  const deliver = SIDE_DEFINITIONS[name].create(client, options);
  return { name, requests, capacity, deliver, close: () => client.destroy() };
}

/** The one effect of the bench's handler: an item in the consumer table, the same on every side. */
function effectPut(options: SideOptions, id: string, eventId: unknown) {
  return {
    TableName: options.consumerTableName,
    Item: {
      [CONSUMER_TABLE_SCHEMA.partitionKey]: `THING#${id}`,
      [CONSUMER_TABLE_SCHEMA.sortKey]: 'EFFECT',
      event_id: String(eventId),
    },
  };
}

function floorDelivery(client: DynamoDBClient, options: SideOptions): Side['deliver'] {
  const doc = DynamoDBDocumentClient.from(client);
  return async (event, deliveryOptions = {}) => {
    let calls = 0;
    let failed = false;
    const partitions = Object.values(event.records);
    let next = 0;
    // FLOOR_PARTITION_CONCURRENCY lanes, each taking the next partition when it is done with one.
    const lane = async (): Promise<void> => {
      for (let index = next++; index < partitions.length; index = next++) {
        for (const record of partitions[index] ?? []) {
          const value = JSON.parse(Buffer.from(record.value, 'base64').toString('utf8')) as BenchValue & {
            event_id: string;
          };
          calls += 1;
          if (value.data.id === deliveryOptions.failOn) {
            // A handler without idempotency stops its partition here; the redelivery runs it all again.
            failed = true;
            break;
          }
          await doc.send(new PutCommand(effectPut(options, value.data.id, value.event_id)));
        }
      }
    };
    await Promise.all(Array.from({ length: FLOOR_PARTITION_CONCURRENCY }, lane));
    return { handlerCalls: calls, duplicates: 0, failed };
  };
}

function baselineDelivery(client: DynamoDBClient, options: SideOptions): Side['deliver'] {
  let failOn: string | undefined;
  let calls = 0;
  let reached = 0;
  // As a user writes it today: one persistence layer and one config at module scope, the record
  // handler wrapped once, the Lambda context registered on each invocation.
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    awsSdkV3Client: client,
  });
  const config = new IdempotencyConfig({ eventKeyJmesPath: POWERTOOLS_KEY_JMESPATH });
  const doc = DynamoDBDocumentClient.from(client);
  const processRecord = makeIdempotent(
    async (value: BenchValue & { event_id: string }) => {
      calls += 1;
      if (value.data.id === failOn) throw new Error(`simulated dependency failure at ${value.data.id}`);
      await doc.send(new PutCommand(effectPut(options, value.data.id, value.event_id)));
      return { ok: true };
    },
    { persistenceStore, config },
  );
  const lambdaHandler = async (event: MSKEvent, context: Context): Promise<void> => {
    config.registerLambdaContext(context);
    for (const records of Object.values(event.records)) {
      for (const record of records) {
        reached += 1;
        const value = JSON.parse(Buffer.from(record.value, 'base64').toString('utf8')) as BenchValue & {
          event_id: string;
        };
        await processRecord(value);
      }
    }
  };
  return async (event, deliveryOptions = {}) => {
    failOn = deliveryOptions.failOn;
    calls = 0;
    reached = 0;
    let failed = false;
    try {
      await lambdaHandler(event, benchContext());
    } catch (error) {
      // The Lambda throws and the event source delivers the whole batch again.
      if (failOn === undefined) throw error;
      failed = true;
    }
    return { handlerCalls: calls, duplicates: reached - calls, failed };
  };
}

class MemoryDeadLetters implements DeadLetterSink {
  readonly entries: DeadLetterEntry[] = [];
  async send(entry: DeadLetterEntry): Promise<void> {
    this.entries.push(entry);
  }
}

/** Logs nothing: the baseline logs nothing either, and the bench measures the store's round trips. */
const silentLogger: LayerLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

const noMetrics: LayerMetrics = {
  addMetric: () => undefined,
  publishStoredMetrics: () => undefined,
};

function ourDelivery(
  name: 'two-phase' | 'transactional',
  client: DynamoDBClient,
  options: SideOptions,
  layer: { readonly singleWrite?: boolean; readonly localCacheMaxItems?: number } = {},
): Side['deliver'] {
  let failOn: string | undefined;
  let calls = 0;
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const idempotency = new Idempotency({
    service: 'bench',
    tableName: options.tableName,
    client: doc,
    logger: silentLogger,
    metrics: noMetrics,
    ...layer,
  });
  const deadLetters = new MemoryDeadLetters();
  const handler = createKafkaHandler({
    idempotency,
    deadLetter: deadLetters,
    partialBatchResponse: false,
    routes: {
      [BENCH_EVENT_TYPE]: async (envelope) => {
        calls += 1;
        const id = String(envelope.data.id);
        if (id === failOn) throw new RetryableError(`simulated dependency failure at ${id}`);
        const put = effectPut(options, id, envelope.event_id);
        if (name === 'transactional') return withWrites({ ok: true }, [{ Put: put }]);
        await doc.send(new PutCommand(put));
        return { ok: true };
      },
    },
  });
  return async (event, deliveryOptions = {}) => {
    failOn = deliveryOptions.failOn;
    calls = 0;
    const report = await handler.process(event, benchContext());
    if (report.counts.failed > 0 || deadLetters.entries.length > 0) {
      throw new Error(`bench: ${report.counts.failed} records failed permanently; the workload is broken.`);
    }
    const failed = report.batchItemFailures.length > 0;
    if (failed && failOn === undefined && deliveryOptions.allowRetries !== true) {
      const first = report.records.find((r) => r.error !== undefined);
      throw new Error(`bench: unexpected retryable failure (${first?.error ?? 'unknown'}).`);
    }
    return {
      handlerCalls: calls,
      duplicates: report.counts.duplicate,
      failed,
      retried: report.batchItemFailures.length,
    };
  };
}
