/**
 * What every local script agrees on: table names, the `.local/` folder, the consumers and their
 * event types, the environment a function is run with, and how DynamoDB is reached (an endpoint
 * given, or an embedded DynamoDB Local started for the occasion).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MANIFESTS } from '../../functions/manifests';
import { type Consumer, type ConsumerManifest, ENV, type KafkaHandler } from '../../shared/internal';
import { LOCAL_AWS, startDynamoDbLocal } from '../../tools/testing/dynamodb-local';
import { ensureConsumerTable, ensureIdempotencyTable } from '../../tools/testing/tables';

// The esbuild target of every local bundle (chaos workers, the benchmark): the deployed functions' own.
export { FUNCTION_ESBUILD_TARGET } from '../../infra/lib/bundling';

/**
 * The local name of a consumer table, from the environment variable that carries it:
 * `ESSAY_TABLE_NAME` → `local-essay`, `ORDERS_TABLE` → `local-orders`.
 *
 * @example
 * ```ts
 * localTableName('SPELLCHECK_TABLE_NAME'); // 'local-spellcheck'
 * ```
 */
export function localTableName(variable: string): string {
  return `local-${variable
    .replace(/_TABLE(_NAME)?$/, '')
    .toLowerCase()
    .replace(/_/g, '-')}`;
}

/**
 * Table names used locally (DynamoDB Local, or any endpoint given with `DYNAMODB_ENDPOINT`): the
 * idempotency table, and every table a manifest names, by {@link localTableName}.
 *
 * @example
 * ```ts
 * await ensureIdempotencyTable(client, LOCAL_TABLES.idempotency); // 'local-idempotency'
 * ```
 */
export const LOCAL_TABLES = {
  idempotency: 'local-idempotency',
  essays: localTableName('ESSAY_TABLE_NAME'),
  spellchecks: localTableName('SPELLCHECK_TABLE_NAME'),
} as const;

/**
 * Every consumer table variable of every manifest, with its local table name.
 *
 * @example
 * ```ts
 * LOCAL_CONSUMER_TABLES.SPELLCHECK_TABLE_NAME; // 'local-spellcheck'
 * ```
 */
export const LOCAL_CONSUMER_TABLES: Readonly<Record<string, string>> = Object.fromEntries(
  MANIFESTS.flatMap((manifest) => Object.keys(manifest.tables)).map((name) => [name, localTableName(name)]),
);

/**
 * The event types of the sample domain; each is also the name of its Kafka topic.
 *
 * @example
 * ```ts
 * envelope({ event_type: EVENT_TYPES.spellcheckRequested, data: { essay_id: 'e-1', text: 'teh cat' } });
 * ```
 */
export const EVENT_TYPES = {
  /** `{ batch_id, essay_ids: string[] (1..500, unique), course_code? }`, consumed by `essay-lifecycle`. */
  batchRegistered: 'huleedu.essay.batch.registered.v1',
  /** `{ batch_id, essay_id, text_storage_id }`, consumed by `essay-lifecycle`. */
  contentProvisioned: 'huleedu.essay.content.provisioned.v1',
  /** `{ essay_id, text (1..100000), language?: 'en', batch_id? }`, consumed by `spellchecker`. */
  spellcheckRequested: 'huleedu.essay.spellcheck.requested.v1',
} as const;

/** A consumer function that can be run locally. */
export interface LocalFunction {
  /** Folder under `functions/`, and the service name (the key's namespace). */
  readonly name: string;
  /** Environment variable naming the consumer's own table. */
  readonly tableEnv: string;
  /** Its local table. */
  readonly tableName: string;
  /** The event types it handles. */
  readonly eventTypes: readonly string[];
}

/**
 * The consumers of this repository, by name.
 *
 * @example
 * ```ts
 * const fn = LOCAL_FUNCTIONS.spellchecker; // { tableEnv: 'SPELLCHECK_TABLE_NAME', tableName: 'local-spellcheck', ... }
 * ```
 */
export const LOCAL_FUNCTIONS: Readonly<Record<'essay-lifecycle' | 'spellchecker', LocalFunction>> = {
  'essay-lifecycle': {
    name: 'essay-lifecycle',
    tableEnv: 'ESSAY_TABLE_NAME',
    tableName: LOCAL_TABLES.essays,
    eventTypes: [EVENT_TYPES.batchRegistered, EVENT_TYPES.contentProvisioned],
  },
  spellchecker: {
    name: 'spellchecker',
    tableEnv: 'SPELLCHECK_TABLE_NAME',
    tableName: LOCAL_TABLES.spellchecks,
    eventTypes: [EVENT_TYPES.spellcheckRequested],
  },
};

/**
 * The repository's root folder.
 *
 * @example
 * ```ts
 * join(REPO_ROOT, 'events', 'spellchecker-happy-path.json');
 * ```
 */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/**
 * Local state (git-ignored): the file-backed DynamoDB Local database and the dead-letter file.
 * `npm run local:reset` deletes it.
 *
 * @example
 * ```ts
 * await rm(LOCAL_DIR, { recursive: true, force: true });
 * ```
 */
export const LOCAL_DIR = join(REPO_ROOT, '.local');

/**
 * Folder of the file-backed DynamoDB Local database used when no endpoint is given.
 *
 * @example
 * ```ts
 * const ddb = await startDynamoDbLocal({ dbPath: LOCAL_DB_PATH });
 * ```
 */
export const LOCAL_DB_PATH = join(LOCAL_DIR, 'dynamodb');

/**
 * JSON Lines file that receives dead-lettered (poison) records locally, one entry per line.
 *
 * @example
 * ```ts
 * process.env.DEAD_LETTER_QUEUE_URL = pathToFileURL(DEAD_LETTER_FILE).href;
 * ```
 */
export const DEAD_LETTER_FILE = join(LOCAL_DIR, 'dead-letters.jsonl');

/**
 * Path of a function's handler module, or `undefined` when there is no such function. Only plain
 * folder names (`[a-z0-9-]`) are accepted.
 *
 * @example
 * ```ts
 * handlerPath('spellchecker'); // '/repo/functions/spellchecker/handler.ts'
 * ```
 */
export function handlerPath(functionName: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(functionName)) return undefined;
  const path = join(REPO_ROOT, 'functions', functionName, 'handler.ts');
  return existsSync(path) ? path : undefined;
}

/** Options of {@link functionEnv}. */
export interface FunctionEnvOptions {
  /** The function (service) name. */
  readonly functionName: string;
  /** DynamoDB endpoint the function talks to. */
  readonly endpoint: string;
  /** @default LOCAL_TABLES.idempotency */
  readonly idempotencyTable?: string;
  /** @default LOCAL_TABLES.essays */
  readonly essayTable?: string;
  /** @default LOCAL_TABLES.spellchecks */
  readonly spellcheckTable?: string;
  /** Dead-letter queue URL (`file://...` for a JSON Lines file). @default `file://` URL of DEAD_LETTER_FILE */
  readonly deadLetterUrl?: string;
  /** `KAFKA_PARTIAL_BATCH_RESPONSE`. @default true */
  readonly partialBatchResponse?: boolean;
  /** `POWERTOOLS_LOG_LEVEL`. @default 'WARN' */
  readonly logLevel?: string;
  /** Emit Powertools metrics (EMF). @default false */
  readonly metrics?: boolean;
}

/**
 * The environment a consumer is built from (`consumer.create()`), for a local run: table names, the dead-letter
 * URL, the DynamoDB endpoint, dummy credentials (a local run never touches an AWS account) and quiet
 * Powertools defaults.
 *
 * @example
 * ```ts
 * Object.assign(process.env, functionEnv({ functionName: 'spellchecker', endpoint: 'http://127.0.0.1:8000' }));
 * const { handler } = await import('../functions/spellchecker/handler');
 * ```
 */
export function functionEnv(options: FunctionEnvOptions): Record<string, string> {
  return {
    [ENV.SERVICE_NAME]: options.functionName,
    [ENV.IDEMPOTENCY_TABLE_NAME]: options.idempotencyTable ?? LOCAL_TABLES.idempotency,
    ...LOCAL_CONSUMER_TABLES,
    ...(options.essayTable ? { ESSAY_TABLE_NAME: options.essayTable } : {}),
    ...(options.spellcheckTable ? { SPELLCHECK_TABLE_NAME: options.spellcheckTable } : {}),
    [ENV.DEAD_LETTER_QUEUE_URL]: options.deadLetterUrl ?? pathToFileURL(DEAD_LETTER_FILE).href,
    [ENV.DYNAMODB_ENDPOINT]: options.endpoint,
    [ENV.PARTIAL_BATCH_RESPONSE]: String(options.partialBatchResponse ?? true),
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.credentials.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
    POWERTOOLS_METRICS_DISABLED: String(!(options.metrics ?? false)),
  };
}

/** A DynamoDB endpoint for a script: the one given, or an embedded DynamoDB Local. */
export interface LocalDynamo {
  readonly endpoint: string;
  /** `true` when this process started the engine (and {@link LocalDynamo.close} stops it). */
  readonly embedded: boolean;
  readonly client: DynamoDBClient;
  readonly doc: DynamoDBDocumentClient;
  /** Destroys the clients and stops an embedded engine. */
  close(): Promise<void>;
}

/** Options of {@link openDynamo}. */
export interface OpenDynamoOptions {
  /** Endpoint to use; when absent an engine is started. @default undefined */
  readonly endpoint?: string | undefined;
  /** Start the engine in memory instead of file-backed. @default false */
  readonly inMemory?: boolean;
  /** Folder of the file-backed database. @default LOCAL_DB_PATH */
  readonly dbPath?: string;
  /** Port of an embedded engine. @default a free port */
  readonly port?: number;
}

/**
 * Connects to DynamoDB for a local script: the endpoint given, else a DynamoDB Local started
 * file-backed under `.local/dynamodb/` (state survives between runs) or in memory.
 *
 * @example
 * ```ts
 * const ddb = await openDynamo({ endpoint: process.env.DYNAMODB_ENDPOINT });
 * try { await ensureLocalTables(ddb.client); } finally { await ddb.close(); }
 * ```
 */
export async function openDynamo(options: OpenDynamoOptions = {}): Promise<LocalDynamo> {
  const engine = options.endpoint
    ? undefined
    : await startDynamoDbLocal({
        ...(options.inMemory ? {} : { dbPath: options.dbPath ?? LOCAL_DB_PATH }),
        ...(options.port !== undefined ? { port: options.port } : {}),
      });
  const endpoint = options.endpoint ?? engine?.endpoint ?? '';
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint, maxAttempts: 3 });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    endpoint,
    embedded: engine !== undefined,
    client,
    doc,
    async close() {
      doc.destroy();
      client.destroy();
      await engine?.stop();
    },
  };
}

/**
 * Creates the local tables (idempotency with TTL, and every manifest's tables) unless they exist.
 *
 * @example
 * ```ts
 * await ensureLocalTables(ddb.client);
 * await ensureLocalTables(ddb.client, { idempotency: 'idem-test', essays: 'essays-test', spellchecks: 'checks-test' });
 * ```
 */
export async function ensureLocalTables(
  client: DynamoDBClient,
  names: {
    readonly idempotency: string;
    readonly essays: string;
    readonly spellchecks: string;
  } = LOCAL_TABLES,
): Promise<void> {
  await ensureIdempotencyTable(client, names.idempotency);
  const consumerTables = new Set([...Object.values(LOCAL_CONSUMER_TABLES), names.essays, names.spellchecks]);
  for (const name of consumerTables) await ensureConsumerTable(client, name);
}

/**
 * Whether a value is a Lambda handler built by `createKafkaHandler` (callable, with `.process`).
 *
 * @example
 * ```ts
 * if (!isKafkaHandler(module.handler)) throw new Error('not wired yet');
 * ```
 */
export function isKafkaHandler(value: unknown): value is KafkaHandler {
  return typeof value === 'function' && typeof (value as { process?: unknown }).process === 'function';
}

/**
 * Imports a function's real handler module (`functions/<name>/handler.ts`) and builds its handler
 * from the environment: the module's `consumer` (`defineConsumer`) through `consumer.create()`, or
 * an exported `handler` built with `createKafkaHandler`. Set the environment first
 * ({@link functionEnv}). Throws when the function does not exist or exports neither.
 *
 * @example
 * ```ts
 * Object.assign(process.env, functionEnv({ functionName: 'spellchecker', endpoint }));
 * const handler = await importHandler('spellchecker');
 * const report = await handler.process(event);
 * ```
 */
export async function importHandler(functionName: string): Promise<KafkaHandler> {
  const path = handlerPath(functionName);
  if (path === undefined) {
    throw new Error(
      `No function ${JSON.stringify(functionName)}: expected functions/${functionName}/handler.ts. Functions here: ${listFunctions().join(', ') || '(none)'}.`,
    );
  }
  const loaded = (await import(path)) as { consumer?: { create?: unknown }; handler?: unknown } | null;
  const consumer = loaded?.consumer;
  if (consumer && typeof consumer.create === 'function')
    return (consumer as Consumer<ConsumerManifest>).create();
  const handler = loaded?.handler;
  if (!isKafkaHandler(handler)) {
    throw new Error(
      `functions/${functionName}/handler.ts exports neither a consumer (export const consumer = defineConsumer(manifest, ...)) nor a KafkaHandler; is the consumer wired yet?`,
    );
  }
  return handler;
}

/**
 * Names of the functions under `functions/` that have a `handler.ts`.
 *
 * @example
 * ```ts
 * listFunctions(); // ['essay-lifecycle', 'spellchecker']
 * ```
 */
export function listFunctions(): string[] {
  const dir = join(REPO_ROOT, 'functions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'handler.ts')))
    .map((entry) => entry.name)
    .sort();
}
