/**
 * The consumers a chaos run drives: the real `createHandler` of each, how it is configured, and
 * what its ledger is.
 */

import type { ConsumerDeps } from '../../functions/common/runtime';
import { loadConfig as loadEssayLifecycleConfig } from '../../functions/essay-lifecycle/config';
import { createHandler as createEssayLifecycleHandler } from '../../functions/essay-lifecycle/consumer';
import { loadConfig as loadSpellcheckerConfig } from '../../functions/spellchecker/config';
import { createHandler as createSpellcheckerHandler } from '../../functions/spellchecker/consumer';
import { ENV, type KafkaHandler } from '../../shared';
import type { ChaosConsumerName } from './options';

/** Tables of a chaos run (in its own DynamoDB Local). */
export const CHAOS_TABLES = {
  idempotency: 'chaos-idempotency',
  spellchecks: 'chaos-spellchecks',
  essays: 'chaos-essays',
  ledger: 'chaos-ledger',
} as const;

/** A consumer as the chaos run drives it. */
export interface ChaosConsumer {
  readonly name: ChaosConsumerName;
  /**
   * `two-phase`: the effect is written by the handler, the completion follows (a crash between them
   * repeats the effect after the lease); `transactional`: effect and completion commit together.
   */
  readonly mode: 'two-phase' | 'transactional';
  /** `ReportBatchItemFailures` on its event source mapping (else whole-batch retries). */
  readonly partialBatchResponse: boolean;
  /** Environment variable naming its own table. */
  readonly tableEnv: string;
  /** Its own table. */
  readonly table: string;
  /** Builds the real handler from an environment (through its `loadConfig`) and injected deps. */
  create(env: NodeJS.ProcessEnv, deps: ConsumerDeps): KafkaHandler;
}

/**
 * The consumers, by name. The spellchecker reports partial batch failures; essay-lifecycle has its
 * whole batch retried, so that both retry modes of the event source mapping are exercised.
 *
 * @example
 * ```ts
 * const handler = CHAOS_CONSUMER_SPECS.spellchecker.create(env, { client });
 * ```
 */
export const CHAOS_CONSUMER_SPECS: Readonly<Record<ChaosConsumerName, ChaosConsumer>> = {
  spellchecker: {
    name: 'spellchecker',
    mode: 'two-phase',
    partialBatchResponse: true,
    tableEnv: ENV.SPELLCHECK_TABLE_NAME,
    table: CHAOS_TABLES.spellchecks,
    create: (env, deps) => createSpellcheckerHandler(loadSpellcheckerConfig(env), deps),
  },
  'essay-lifecycle': {
    name: 'essay-lifecycle',
    mode: 'transactional',
    partialBatchResponse: false,
    tableEnv: ENV.ESSAY_TABLE_NAME,
    table: CHAOS_TABLES.essays,
    create: (env, deps) => createEssayLifecycleHandler(loadEssayLifecycleConfig(env), deps),
  },
};

/**
 * The environment a consumer's `loadConfig` reads in a chaos worker.
 *
 * @example
 * ```ts
 * const env = consumerEnv(CHAOS_CONSUMER_SPECS.spellchecker, { endpoint, deadLetterPath, leaseMarginMs: 250 });
 * ```
 */
export function consumerEnv(
  consumer: ChaosConsumer,
  options: { readonly endpoint: string; readonly deadLetterPath: string; readonly leaseMarginMs: number },
): NodeJS.ProcessEnv {
  return {
    [ENV.IDEMPOTENCY_TABLE_NAME]: CHAOS_TABLES.idempotency,
    [ENV.SERVICE_NAME]: consumer.name,
    [ENV.DEAD_LETTER_QUEUE_URL]: options.deadLetterPath,
    [ENV.PARTIAL_BATCH_RESPONSE]: String(consumer.partialBatchResponse),
    [ENV.DYNAMODB_ENDPOINT]: options.endpoint,
    [ENV.LEASE_MARGIN_MS]: String(options.leaseMarginMs),
    [consumer.tableEnv]: consumer.table,
  };
}
