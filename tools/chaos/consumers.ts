/**
 * The consumers a chaos run drives: the real consumer of each (mode and table from its manifest),
 * how it is configured, and
 * what its ledger is.
 */

import { consumer as essayLifecycle } from '../../functions/essay-lifecycle/handler';
import { consumer as spellchecker } from '../../functions/spellchecker/handler';
import { type ConsumerOptions, consumerInMode, ENV, type KafkaHandler } from '../../shared/internal';
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
  /**
   * Builds the real handler from an environment and injected parts (`consumer.create`); with
   * `singleWrite`, the same consumer in single-write mode (only for the `SINGLE_WRITE_CONSUMERS` of `options.ts`).
   */
  create(env: NodeJS.ProcessEnv, deps: Omit<ConsumerOptions, 'env'>, singleWrite?: boolean): KafkaHandler;
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
    mode: spellchecker.manifest.mode,
    partialBatchResponse: true,
    tableEnv: onlyTable(spellchecker.manifest.tables),
    table: CHAOS_TABLES.spellchecks,
    create: (env, deps) => spellchecker.create({ env, ...deps }),
  },
  'essay-lifecycle': {
    name: 'essay-lifecycle',
    mode: essayLifecycle.manifest.mode,
    partialBatchResponse: false,
    tableEnv: onlyTable(essayLifecycle.manifest.tables),
    table: CHAOS_TABLES.essays,
    create: (env, deps, singleWrite = false) =>
      (singleWrite ? consumerInMode(essayLifecycle, 'transactional-single-write') : essayLifecycle).create({
        env,
        ...deps,
      }),
  },
};

/**
 * The environment a consumer is built from in a chaos worker.
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

/** The one table variable of a sample consumer's manifest. */
function onlyTable(tables: Readonly<Record<string, unknown>>): string {
  const [name, ...others] = Object.keys(tables);
  if (name === undefined || others.length > 0) throw new Error('a chaos consumer has exactly one table');
  return name;
}
