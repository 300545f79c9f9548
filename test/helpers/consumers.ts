import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { consumer as essayLifecycle } from '../../functions/essay-lifecycle/handler';
import { consumer as spellchecker } from '../../functions/spellchecker/handler';
import {
  type ConsumerConfig,
  type ConsumerManifest,
  type ConsumerOptions,
  consumerInMode,
  type DeadLetterEntry,
  type DeadLetterSink,
  ENV,
  type IdempotencyRecord,
  type KafkaHandler,
  type LambdaContextLike,
} from '../../shared/internal';
import { scanAll } from '../../tools/testing/tables';

/** A dead-letter sink that keeps every entry in memory, for assertions. */
export class MemoryDeadLetters implements DeadLetterSink {
  readonly entries: DeadLetterEntry[] = [];
  async send(entry: DeadLetterEntry): Promise<void> {
    this.entries.push(entry);
  }
}

/** The configuration every consumer reads, for a test (no endpoint: the test injects its client). */
export function testConsumerConfig(idempotencyTableName: string): ConsumerConfig {
  return {
    idempotencyTableName,
    deadLetterQueueUrl: 'file:///dev/null',
    partialBatchResponse: true,
    failureMode: 'fail-closed',
    dynamodbEndpoint: undefined,
    sqsEndpoint: undefined,
    deadLetterSpillBucket: undefined,
    s3Endpoint: undefined,
    leaseMarginMs: undefined,
    fallbackLeaseMs: undefined,
    localCacheMaxItems: undefined,
  };
}

/**
 * The environment a consumer is built from (`consumer.create({ env })`), for a test: the layer's
 * settings from `config` and the consumer's own tables by their variables.
 */
export function testEnv(config: ConsumerConfig, tables: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
  const optional = (name: string, value: string | number | undefined) =>
    value === undefined ? {} : { [name]: String(value) };
  return {
    [ENV.IDEMPOTENCY_TABLE_NAME]: config.idempotencyTableName,
    [ENV.DEAD_LETTER_QUEUE_URL]: config.deadLetterQueueUrl,
    [ENV.PARTIAL_BATCH_RESPONSE]: String(config.partialBatchResponse),
    [ENV.FAILURE_MODE]: config.failureMode,
    ...optional(ENV.DYNAMODB_ENDPOINT, config.dynamodbEndpoint),
    ...optional(ENV.SQS_ENDPOINT, config.sqsEndpoint),
    ...optional(ENV.LEASE_MARGIN_MS, config.leaseMarginMs),
    ...optional(ENV.FALLBACK_LEASE_MS, config.fallbackLeaseMs),
    ...optional(ENV.LOCAL_CACHE_MAX_ITEMS, config.localCacheMaxItems),
    ...tables,
  };
}

/** Every item of a table (a consistent scan, all pages); the one in tools/testing. */
export { scanAll };

/** Every idempotency record of a table. */
export async function idempotencyRecords(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<IdempotencyRecord[]> {
  return (await scanAll(client, tableName)) as unknown as IdempotencyRecord[];
}

/** A Lambda context whose remaining time runs out at `deadline` (epoch ms, by the real clock). */
export function contextUntil(deadline: number): LambdaContextLike {
  return { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
}

/** A clock that runs `offsetMs` ahead of the real one (a redelivery after the lease, without waiting). */
export function clockAhead(offsetMs: number): { now(): number } {
  return { now: () => Date.now() + offsetMs };
}

/** What {@link holdRequests} hands back. */
export interface RequestHold {
  /** Resolves when the first matching request is being held. */
  readonly reached: Promise<void>;
  /** Lets the held requests go on (to play a stale worker that wakes up). */
  release(): void;
}

/**
 * Holds every request of a client that `match` selects before it is sent, until `release()`: an
 * invocation stuck there plays a Lambda that timed out mid-batch (requests sent before the hold, such
 * as earlier completions, go through as in-flight requests do). Never released, the invocation is
 * abandoned as Lambda abandons a timed-out one.
 */
export function holdRequests(
  client: DynamoDBDocumentClient,
  match: (operation: string, input: Record<string, unknown>) => boolean,
): RequestHold {
  let reachedResolve: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => {
    reachedResolve = resolve;
  });
  let releaseGate: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    releaseGate = resolve;
  });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      if (match(operation, args.input as Record<string, unknown>)) {
        reachedResolve();
        await gate;
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: `hold-${Math.random().toString(36).slice(2)}` },
  );
  return { reached, release: releaseGate };
}

/** The string value of a marshalled attribute (`{ S: '...' }`) of a low-level request's item or key. */
export function stringAttribute(
  input: Record<string, unknown>,
  container: 'Item' | 'Key',
  name: string,
): string | undefined {
  const holder = input[container];
  if (typeof holder !== 'object' || holder === null) return undefined;
  const attribute = (holder as Record<string, unknown>)[name];
  if (typeof attribute === 'string') return attribute;
  if (
    typeof attribute === 'object' &&
    attribute !== null &&
    typeof (attribute as { S?: unknown }).S === 'string'
  ) {
    return (attribute as { S: string }).S;
  }
  return undefined;
}

/**
 * Waits until the idempotency records of the given event ids are all `completed` (polling, at most
 * `timeoutMs`): how a test knows the requests an abandoned invocation had in flight have landed.
 */
export async function waitUntilCompleted(
  client: DynamoDBDocumentClient,
  tableName: string,
  eventIds: readonly string[],
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await idempotencyRecords(client, tableName);
    const done = new Set(records.filter((r) => r.status === 'completed').map((r) => r.event_id));
    if (eventIds.every((id) => done.has(id))) return;
    if (Date.now() > deadline) {
      throw new Error(
        `records of events ${eventIds.filter((id) => !done.has(id)).join(', ')} did not complete`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Counts the writes of one operation that the engine executed and answered (counted after the
 * response, so a request failed by an injected fault or held forever is not counted), keyed by a
 * string attribute of the request's item: a consumer's real effects.
 */
export function countEffects(
  client: DynamoDBDocumentClient,
  operation: string,
  keyOf: (input: Record<string, unknown>) => string | undefined,
): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (String(context.commandName ?? '').replace(/Command$/, '') === operation) {
        const key = keyOf(args.input as Record<string, unknown>) ?? '(none)';
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return result;
    },
    { step: 'deserialize', name: `effects-${Math.random().toString(36).slice(2)}` },
  );
  return counts;
}

/** The spellchecker's settings in a test: the layer's, and its own table. */
export type SpellcheckerConfig = ConsumerConfig & { readonly spellcheckTableName: string };

/** The real spellchecker consumer, built from a test's settings with parts replaced. */
export function createSpellchecker(config: SpellcheckerConfig, options: ConsumerOptions = {}): KafkaHandler {
  return spellchecker.create({
    env: testEnv(config, { SPELLCHECK_TABLE_NAME: config.spellcheckTableName }),
    ...options,
  });
}

/** The essay-lifecycle consumer's settings in a test: the layer's, and its own table. */
export type EssayLifecycleConfig = ConsumerConfig & { readonly essayTableName: string };

/** The real essay-lifecycle consumer, built from a test's settings with parts replaced. */
export function createEssayLifecycle(
  config: EssayLifecycleConfig,
  options: ConsumerOptions = {},
  mode: ConsumerManifest['mode'] = essayLifecycle.manifest.mode,
): KafkaHandler {
  return consumerInMode(essayLifecycle, mode).create({
    env: testEnv(config, { ESSAY_TABLE_NAME: config.essayTableName }),
    ...options,
  });
}
