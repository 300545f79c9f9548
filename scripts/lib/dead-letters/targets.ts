/**
 * Where a redriven record goes: the consumer's handler (run here, or a deployed function through
 * the Lambda API), or back to its topic.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { MSKRecord } from 'aws-lambda';
import { ENV, type KafkaHandler } from '../../../shared/internal';
import { produce } from '../../../tools/kafka/client';
import { functionEnv, importHandler, LOCAL_CONSUMER_TABLES } from '../local';
import { mskEventOf } from '../msk-events';
import { type DeadLetter, recordBytes } from './letters';

/** A place to redeliver a dead letter's record to. */
export interface RedeliveryTarget {
  /** `handler spellchecker (here)`, `function my-fn (Lambda API)`, `topic t at host:9092`. */
  describe(letter: DeadLetter): string;
  /**
   * `true` when the record has been processed once {@link RedeliveryTarget.redeliver} returns (a
   * handler ran): the redrive then reads its idempotency record to see how it ended. `false` for a
   * topic, whose consumer runs later.
   */
  readonly synchronous: boolean;
  /** Redelivers the record; throws when it was not taken (the dead letter is then kept). */
  redeliver(letter: DeadLetter, record: MSKRecord): Promise<string>;
}

/** What a handler target runs the consumer with. */
export interface HandlerTargetOptions {
  /** DynamoDB endpoint the consumer talks to. */
  readonly endpoint: string;
  readonly idempotencyTable: string;
  /** Where the consumer sends a record that fails again (the source being redriven). */
  readonly deadLetterUrl: string;
  /** SQS and S3 endpoint of `deadLetterUrl` (LocalStack). */
  readonly sqsEndpoint?: string | undefined;
  /** Bucket for a new dead letter too large for a message (`DEAD_LETTER_SPILL_BUCKET`). */
  readonly spillBucket?: string | undefined;
}

/**
 * The consumer's own handler (`functions/<service>/handler.ts`), run in this process with the
 * environment of a local run, given the record in an MSK event as the event source mapping
 * delivers it (the record byte for byte, alone in its batch). Consumer table variables already in
 * the environment (`SPELLCHECK_TABLE_NAME`, ...) are kept; the others get their local names.
 *
 * @example
 * ```ts
 * const target = handlerTarget({ endpoint, idempotencyTable: 'local-idempotency', deadLetterUrl: source.url });
 * ```
 */
export function handlerTarget(options: HandlerTargetOptions): RedeliveryTarget {
  const handlers = new Map<string, KafkaHandler>();
  const handlerFor = async (service: string): Promise<KafkaHandler> => {
    const known = handlers.get(service);
    if (known) return known;
    // A consumer table variable already set is kept: it points the handler at other tables.
    const tables = Object.keys(LOCAL_CONSUMER_TABLES).flatMap((name) => {
      const value = process.env[name];
      return value ? [[name, value] as const] : [];
    });
    Object.assign(process.env, {
      ...functionEnv({
        functionName: service,
        endpoint: options.endpoint,
        idempotencyTable: options.idempotencyTable,
        deadLetterUrl: options.deadLetterUrl,
      }),
      ...(options.sqsEndpoint
        ? { [ENV.SQS_ENDPOINT]: options.sqsEndpoint, [ENV.S3_ENDPOINT]: options.sqsEndpoint }
        : {}),
      ...(options.spillBucket ? { [ENV.DEAD_LETTER_SPILL_BUCKET]: options.spillBucket } : {}),
      ...Object.fromEntries(tables),
    });
    const handler = await importHandler(service);
    handlers.set(service, handler);
    return handler;
  };
  return {
    synchronous: true,
    describe: (letter) => `handler functions/${letter.entry.service} (run here)`,
    async redeliver(letter, record) {
      const handler = await handlerFor(letter.entry.service);
      const report = await handler.process(mskEventOf([record]));
      const line = report.records[0];
      if (report.deadLetterFailure) throw report.deadLetterFailure;
      return line ? `${line.status}${line.error ? ` (${line.error})` : ''}` : 'no record in the report';
    },
  };
}

/**
 * A deployed function (AWS, or LocalStack with `endpoint`), invoked through the Lambda API
 * (`RequestResponse`) with the record in an MSK event. A function error, or a batch response that
 * reports the record, throws.
 *
 * @example
 * ```ts
 * const target = lambdaTarget('KafkaConsumers-Spellchecker1234', { endpoint: 'http://127.0.0.1:4566' });
 * ```
 */
export function lambdaTarget(
  functionName: string,
  options: { readonly endpoint?: string | undefined; readonly region?: string | undefined } = {},
): RedeliveryTarget {
  const client = new LambdaClient({
    maxAttempts: 1, // an invocation is not retried blindly: the redrive's rerun decides
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.region ? { region: options.region } : {}),
  });
  return {
    synchronous: true,
    describe: () =>
      `function ${functionName} (Lambda API${options.endpoint ? ` at ${options.endpoint}` : ''})`,
    async redeliver(_letter, record) {
      const response = await client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'RequestResponse',
          Payload: Buffer.from(JSON.stringify(mskEventOf([record]))),
        }),
      );
      const text = response.Payload ? Buffer.from(response.Payload).toString('utf8') : '';
      if (response.FunctionError) {
        throw new Error(`${functionName} failed (${response.FunctionError}): ${text.slice(0, 500)}`);
      }
      const failures = (safeJson(text) as { batchItemFailures?: unknown[] } | null)?.batchItemFailures;
      if (Array.isArray(failures) && failures.length > 0) {
        throw new Error(`${functionName} reported the record as a failure to retry: ${text.slice(0, 500)}`);
      }
      return `invoked (status ${response.StatusCode ?? '?'})`;
    },
  };
}

/**
 * The record's topic at `bootstrapServers`: its key, value and headers produced again (a new
 * offset; the partition chosen by key, as any producer's). Its consumer then processes it when
 * its event source mapping reads it.
 *
 * @example
 * ```ts
 * const target = produceTarget('127.0.0.1:9092');
 * ```
 */
export function produceTarget(bootstrapServers: string, send: typeof produce = produce): RedeliveryTarget {
  return {
    synchronous: false,
    describe: (letter) =>
      `topic ${letter.record?.topic ?? letter.entry.coordinates?.topic ?? '?'} at ${bootstrapServers}`,
    async redeliver(_letter, record) {
      const { key, value, headers } = recordBytes(record);
      // Object.fromEntries defines own properties: a header named `__proto__` stays a header.
      await send(bootstrapServers, record.topic, [
        { key, value: value ?? null, headers: Object.fromEntries(headers) },
      ]);
      return `produced to ${record.topic}`;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
