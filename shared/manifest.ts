/**
 * The consumer manifest: one small, import-free file per consumer (`functions/<name>/manifest.ts`)
 * that says who the consumer is. Infrastructure, the local scripts, the chaos run and the benchmark
 * all read the same manifests, and the handler is built from it, so a service name, a metric
 * dimension, an alarm and a table variable cannot drift apart.
 */

/** The DynamoDB actions a consumer may call on one of its own tables (what its handler really sends). */
export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:BatchGetItem'
  | 'dynamodb:Query'
  | 'dynamodb:Scan'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:ConditionCheckItem';

/** One of the consumer's own tables. */
export interface ManifestTable {
  /** The actions its handler sends to the table; infra grants exactly these. */
  readonly actions: readonly TableAction[];
}

/**
 * Who a consumer is. Keep the file free of runtime imports (a type import is fine): infra and the
 * tooling load it without loading the handler.
 *
 * @example
 * ```ts
 * const manifest = {
 *   service: 'orders',
 *   id: 'Orders',
 *   topics: ['orders.placed.v1'],
 *   mode: 'transactional',
 *   tables: { ORDERS_TABLE_NAME: { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] } },
 *   ttlSeconds: { 'orders.placed.v1': 3600 },
 * } as const satisfies ConsumerManifest;
 * ```
 */
export interface ConsumerManifest {
  /**
   * The consuming service: `POWERTOOLS_SERVICE_NAME`, the metrics' `service` dimension, the
   * idempotency keys' namespace, the consumer group id, and the folder `functions/<service>/`.
   * 1-64 characters of lowercase letters, digits and `-`. Never renamed once deployed.
   */
  readonly service: string;
  /** Construct id of its resources (PascalCase). Never renamed once deployed. */
  readonly id: string;
  /** The Kafka topics it consumes. */
  readonly topics: readonly string[];
  /**
   * `transactional`: the handler's effects are DynamoDB writes committed with the completion
   * (`withWrites`); `two-phase`: any effect, completion after it (the documented window);
   * `transactional-single-write`: as `transactional`, but with no claim first: the writes and the
   * record's creation as `completed` commit in one request (the layer's `singleWrite` option;
   * only for handlers whose reads may be repeated and whose only effects are those writes).
   */
  readonly mode: 'transactional' | 'two-phase' | 'transactional-single-write';
  /** Its own tables, by the environment variable that carries each table's name. */
  readonly tables: Readonly<Record<string, ManifestTable>>;
  /** TTL (seconds) of finished idempotency records, per event type. @default {} */
  readonly ttlSeconds?: Readonly<Record<string, number>>;
  /** TTL (seconds) for any other event type. @default 86400 */
  readonly defaultTtlSeconds?: number;
}

const MODES: readonly ConsumerManifest['mode'][] = [
  'transactional',
  'two-phase',
  'transactional-single-write',
];
const SERVICE = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const CONSTRUCT_ID = /^[A-Z][A-Za-z0-9]{0,63}$/;
const ENV_NAME = /^[A-Z][A-Z0-9_]{0,127}$/;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * Checks a manifest and returns it: a `TypeError` names the field, the rule and the value.
 * Called by `defineConsumer` and by infra, so a bad manifest fails at synth and at cold start alike.
 *
 * @example
 * ```ts
 * validateManifest({ service: 'orders', id: 'Orders', topics: ['orders.v1'], mode: 'two-phase', tables: {} });
 * ```
 */
export function validateManifest<M extends ConsumerManifest>(manifest: M): M {
  const fail = (field: string, rule: string, value: unknown): never => {
    throw new TypeError(
      `Consumer manifest ${JSON.stringify(manifest.service)}: ${field} must be ${rule}, got ${JSON.stringify(value)}.`,
    );
  };
  if (!SERVICE.test(manifest.service))
    fail('service', '1-64 lowercase letters, digits and "-"', manifest.service);
  if (!CONSTRUCT_ID.test(manifest.id))
    fail('id', 'PascalCase letters and digits (a construct id)', manifest.id);
  if (manifest.topics.length === 0) fail('topics', 'at least one topic', manifest.topics);
  for (const topic of manifest.topics) if (!TOPIC.test(topic)) fail('topics[]', 'a Kafka topic name', topic);
  if (!MODES.includes(manifest.mode)) {
    fail(
      'mode',
      MODES.map((m) => `'${m}'`)
        .join(', ')
        .replace(/, ([^,]*)$/, ' or $1'),
      manifest.mode,
    );
  }
  for (const [name, table] of Object.entries(manifest.tables)) {
    if (!ENV_NAME.test(name)) fail('tables key', 'an environment variable name (SCREAMING_SNAKE)', name);
    if (table.actions.length === 0) fail(`tables.${name}.actions`, 'at least one action', table.actions);
  }
  for (const [type, ttl] of Object.entries(manifest.ttlSeconds ?? {})) {
    if (!Number.isInteger(ttl) || ttl < 1) fail(`ttlSeconds['${type}']`, 'an integer >= 1', ttl);
  }
  const fallback = manifest.defaultTtlSeconds;
  if (fallback !== undefined && (!Number.isInteger(fallback) || fallback < 1)) {
    fail('defaultTtlSeconds', 'an integer >= 1', fallback);
  }
  return manifest;
}
