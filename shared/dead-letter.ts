import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { MSKRecord } from 'aws-lambda';
import type { RecordCoordinates } from './envelope';

/** What the dead-letter path receives for one permanently failed record. */
export interface DeadLetterEntry {
  /** Consuming service. */
  readonly service: string;
  readonly idempotency_key: string;
  readonly event_type: string | undefined;
  readonly event_id: string | undefined;
  readonly correlation_id: string | undefined;
  readonly coordinates: RecordCoordinates | undefined;
  /** The error's class and message: why the record is poison. */
  readonly error: { readonly name: string; readonly message: string };
  /** The record as received (base64 key and value, headers), when it came from Kafka. */
  readonly record: MSKRecord | undefined;
  /** ISO time of the failure. */
  readonly failed_at: string;
}

/** Where poison records go. */
export interface DeadLetterSink {
  send(entry: DeadLetterEntry): Promise<void>;
}

/** SQS's message size limit (1 MiB). */
const SQS_MAX_BYTES = 1_048_576;

/**
 * Sends dead letters to an SQS queue, one message each, as JSON. A record too large for SQS is sent
 * without its value (its coordinates, key and error are kept, so it can be read back from the topic).
 *
 * @example
 * ```ts
 * const sink = new SqsDeadLetterSink(process.env.DEAD_LETTER_QUEUE_URL);
 * ```
 */
export class SqsDeadLetterSink implements DeadLetterSink {
  private readonly client: SQSClient;

  constructor(
    readonly queueUrl: string,
    client?: SQSClient,
  ) {
    this.client = client ?? new SQSClient({ maxAttempts: 4 });
  }

  async send(entry: DeadLetterEntry): Promise<void> {
    let body = JSON.stringify(entry);
    if (Buffer.byteLength(body) > SQS_MAX_BYTES - 4096 && entry.record) {
      body = JSON.stringify({
        ...entry,
        record: { ...entry.record, value: '', value_omitted: 'too-large-for-sqs' },
      });
    }
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        MessageAttributes: {
          service: { DataType: 'String', StringValue: entry.service },
          error_name: { DataType: 'String', StringValue: entry.error.name },
          idempotency_key: { DataType: 'String', StringValue: entry.idempotency_key },
        },
      }),
    );
  }
}

/**
 * Appends dead letters to a JSON Lines file. The local default, so that `npm run invoke` needs no
 * queue.
 *
 * @example
 * ```ts
 * const sink = new FileDeadLetterSink('.local/dead-letters.jsonl');
 * ```
 */
export class FileDeadLetterSink implements DeadLetterSink {
  constructor(readonly path: string) {}

  async send(entry: DeadLetterEntry): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(this.path, `${JSON.stringify(entry)}\n`, 'utf8');
  }
}

/**
 * Creates the sink for a dead-letter URL: `https://sqs...` for SQS, `file:///path` (or a plain path)
 * for a local JSON Lines file.
 *
 * @example
 * ```ts
 * const sink = deadLetterSinkFor(requireEnv(ENV.DEAD_LETTER_QUEUE_URL), { sqsEndpoint: process.env.SQS_ENDPOINT });
 * ```
 */
export function deadLetterSinkFor(
  url: string,
  options: { readonly sqsEndpoint?: string | undefined } = {},
): DeadLetterSink {
  if (url.startsWith('file://')) return new FileDeadLetterSink(fileURLToPath(url));
  if (url.startsWith('http://') || url.startsWith('https://')) {
    const client = new SQSClient({
      maxAttempts: 4,
      ...(options.sqsEndpoint ? { endpoint: options.sqsEndpoint } : {}),
    });
    return new SqsDeadLetterSink(url, client);
  }
  if (url.startsWith('/') || url.startsWith('.')) return new FileDeadLetterSink(url);
  throw new TypeError(
    `Dead-letter URL ${JSON.stringify(url)} is neither an SQS queue URL (https://sqs...) nor a file (file:///path).`,
  );
}
