import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import type { RecordCoordinates } from './envelope';
import { sha256Hex } from './keys';
import { DEFAULTS } from './options';

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
  /**
   * The record as received (an `MSKRecord`: base64 key and value, headers), when it came from
   * Kafka; any JSON value when the event carried something that was not a record.
   */
  readonly record: unknown;
  /** ISO time of the failure. */
  readonly failed_at: string;
  /**
   * Owner token of the attempt that marked the idempotency record `failed`; absent when no record
   * was claimed. `npm run dead-letters -- redrive` resets only a `failed` record with this owner.
   */
  readonly owner?: string;
}

/** Where poison records go. */
export interface DeadLetterSink {
  send(entry: DeadLetterEntry): Promise<void>;
}

/**
 * Largest dead-letter body (bytes): SQS's message limit (1 MiB) less room for the message
 * attributes, which count towards it. Both sinks keep to it, so a dead letter looks the same locally.
 */
export const DEAD_LETTER_MAX_BYTES = 1_048_576 - 8192;
/** Longest error message a dead letter keeps (characters). */
const MAX_ERROR_CHARS = 4096;
/** How much of the value (base64 characters) a dead letter keeps when the whole record does not fit. */
const VALUE_HEAD_CHARS = 8192;

/**
 * The JSON body of a dead letter, at most `maxBytes` (UTF-8) and valid SQS text. The record as
 * received is kept whole when it fits; else the body keeps its coordinates, the SHA-256 and size of
 * the record as received, the first 8192 base64 characters of its value, and says what it dropped
 * (the rest of the value, the key, the headers): the record can be read back from the topic at its
 * offset while the topic retains it. The error message is cut to 4096 characters.
 *
 * @example
 * ```ts
 * const body = deadLetterBody(entry); // always <= DEAD_LETTER_MAX_BYTES
 * ```
 */
export function deadLetterBody(entry: DeadLetterEntry, maxBytes = DEAD_LETTER_MAX_BYTES): string {
  const bounded = withBoundedError(entry);
  const whole = wholeBody(entry);
  if (whole !== undefined && Buffer.byteLength(whole) <= maxBytes) return whole;

  const received = serialized(entry.record);
  const value = (entry.record as { value?: unknown } | null)?.value;
  const head = typeof value === 'string' ? value.slice(0, VALUE_HEAD_CHARS) : undefined;
  const compact = sqsText(
    JSON.stringify({
      ...bounded,
      record: {
        ...entry.coordinates,
        received_bytes: Buffer.byteLength(received),
        received_sha256: sha256Hex(received),
        ...(head !== undefined ? { value_head: head } : {}),
      },
      record_truncated: `The record as received (${Buffer.byteLength(received)} bytes of JSON) does not fit a dead letter of ${maxBytes} bytes: kept its coordinates, its SHA-256 and the first ${VALUE_HEAD_CHARS} base64 characters of its value; dropped the rest of the value, the key and the headers. Read it back from the topic at its offset.`,
    }),
  );
  if (Buffer.byteLength(compact) > maxBytes) {
    // Only the identifiers remain, and the decoder bounds each; a limit this small is a mistake.
    throw new RangeError(
      `A dead letter cannot be made to fit ${maxBytes} bytes; use a limit of 64 KiB or more.`,
    );
  }
  return compact;
}

/** The entry with its error's name and message cut to their bounds. */
function withBoundedError(entry: DeadLetterEntry): DeadLetterEntry {
  const message = entry.error.message;
  return {
    ...entry,
    error: {
      name: entry.error.name.slice(0, 256),
      message: message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS)}…(cut)` : message,
    },
  };
}

/** The whole entry as SQS-safe JSON, whatever its size (the record as received, uncut). */
function wholeBody(entry: DeadLetterEntry): string | undefined {
  try {
    return sqsText(JSON.stringify(withBoundedError(entry)));
  } catch {
    return undefined; // nested too deep to serialize: only the compact form can be sent
  }
}

/** A record as received, as JSON text; one nested too deep to serialize is named by its kind. */
function serialized(record: unknown): string {
  try {
    return JSON.stringify(record) ?? 'null';
  } catch {
    return `"unserializable ${Array.isArray(record) ? 'array' : typeof record}"`;
  }
}

/**
 * JSON text that SQS accepts: `JSON.stringify` already escapes control characters and lone
 * surrogates, but not U+FFFE and U+FFFF, which SQS refuses. Inside JSON they can only be in
 * strings, where an escape means the same.
 */
function sqsText(json: string): string {
  return json.replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** A message attribute value SQS accepts: allowed characters only (others become `?`), at most 256. */
function attribute(text: string): string {
  const allowed = text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '?');
  return [...allowed].slice(0, 256).join('') || '?'; // by code point, never half a surrogate pair
}

/** Options of {@link SqsDeadLetterSink}. */
export interface SqsDeadLetterSinkOptions {
  /**
   * SQS client.
   * @default a client with the SDK's standard retries (4 attempts)
   */
  readonly client?: SQSClient;
  /**
   * S3 bucket for a dead letter too large for a message, as the SQS extended client does: the whole
   * entry goes to S3 and the message carries the extended client's pointer
   * (`["software.amazon.payloadoffloading.PayloadS3Pointer", {"s3BucketName", "s3Key"}]`, with the
   * `ExtendedPayloadSize` attribute), so its readers (Java, Python) fetch it as they would their own.
   * @default none: the body is cut to fit instead ({@link deadLetterBody})
   */
  readonly spillBucket?: string;
  /**
   * S3 client for `spillBucket`.
   * @default a client with the SDK's standard retries (4 attempts)
   */
  readonly s3?: S3Client;
}

/**
 * The pointer class name the SQS extended clients (Java, Python) write and read.
 *
 * @example
 * ```ts
 * const spilled = JSON.parse(body)[0] === S3_POINTER_CLASS;
 * ```
 */
export const S3_POINTER_CLASS = 'software.amazon.payloadoffloading.PayloadS3Pointer';

/**
 * Sends dead letters to an SQS queue, one message each, as JSON ({@link deadLetterBody}: bounded,
 * the record whole when it fits), or, with `spillBucket`, the whole entry to S3 when it does not
 * fit a message. The SDK retries a failed request (4 attempts); a send that still fails is the
 * batch's failure (the record is released, never lost).
 *
 * @example
 * ```ts
 * const sink = new SqsDeadLetterSink(queueUrl, { spillBucket: 'my-dead-letter-payloads' });
 * ```
 */
export class SqsDeadLetterSink implements DeadLetterSink {
  private readonly client: SQSClient;
  private readonly s3: S3Client | undefined;
  private readonly spillBucket: string | undefined;

  constructor(
    readonly queueUrl: string,
    options: SqsDeadLetterSinkOptions = {},
  ) {
    this.client = options.client ?? new SQSClient({ maxAttempts: DEFAULTS.sdkMaxAttempts });
    this.spillBucket = options.spillBucket;
    this.s3 = options.spillBucket
      ? (options.s3 ?? new S3Client({ maxAttempts: DEFAULTS.sdkMaxAttempts }))
      : undefined;
  }

  async send(entry: DeadLetterEntry): Promise<void> {
    const message = sqsMessage(this.queueUrl, entry);
    if (this.s3 && this.spillBucket && message.MessageBody !== undefined) {
      const whole = wholeBody(entry);
      if (whole !== undefined && whole !== message.MessageBody) {
        // The object first: a message never points at nothing. Its key is the same on every retry.
        const key = spillKey(entry);
        await this.s3.send(
          new PutObjectCommand({
            Bucket: this.spillBucket,
            Key: key,
            Body: whole,
            ContentType: 'application/json',
          }),
        );
        message.MessageBody = JSON.stringify([
          S3_POINTER_CLASS,
          { s3BucketName: this.spillBucket, s3Key: key },
        ]);
        message.MessageAttributes = {
          ...message.MessageAttributes,
          ExtendedPayloadSize: { DataType: 'Number', StringValue: String(Buffer.byteLength(whole)) },
        };
      }
    }
    await this.client.send(new SendMessageCommand(message));
  }
}

/**
 * The S3 key of a spilled dead letter: by service, idempotency key (hashed) and coordinates, so a
 * retried send overwrites its own object instead of leaving another.
 */
function spillKey(entry: DeadLetterEntry): string {
  const at = entry.coordinates
    ? `${entry.coordinates.topic}-${entry.coordinates.partition}-${entry.coordinates.offset}`
    : 'no-coordinates';
  return `dead-letters/${attribute(entry.service)}/${sha256Hex(entry.idempotency_key)}/${at}.json`;
}

/**
 * The `SendMessage` input for a dead letter: the bounded body and sanitized attributes (service,
 * error name, idempotency key), which SQS filters and consoles show.
 *
 * @internal
 */
export function sqsMessage(queueUrl: string, entry: DeadLetterEntry): SendMessageCommandInput {
  return {
    QueueUrl: queueUrl,
    MessageBody: deadLetterBody(entry),
    MessageAttributes: {
      service: { DataType: 'String', StringValue: attribute(entry.service) },
      error_name: { DataType: 'String', StringValue: attribute(entry.error.name) },
      idempotency_key: { DataType: 'String', StringValue: attribute(entry.idempotency_key) },
    },
  };
}

/**
 * Appends dead letters to a JSON Lines file, one {@link deadLetterBody} a line (bounded as for
 * SQS, so a dead letter looks the same locally). The local default, so that `npm run invoke` needs
 * no queue.
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
    await appendFile(this.path, `${deadLetterBody(entry)}\n`, 'utf8');
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
  options: {
    /** SQS endpoint override (LocalStack). */
    readonly sqsEndpoint?: string | undefined;
    /** S3 bucket for dead letters too large for a message ({@link SqsDeadLetterSinkOptions.spillBucket}). */
    readonly spillBucket?: string | undefined;
    /** S3 endpoint override (LocalStack); path-style addressing when set. */
    readonly s3Endpoint?: string | undefined;
  } = {},
): DeadLetterSink {
  if (url.startsWith('file://')) return new FileDeadLetterSink(fileURLToPath(url));
  if (url.startsWith('http://') || url.startsWith('https://')) {
    const client = new SQSClient({
      maxAttempts: DEFAULTS.sdkMaxAttempts,
      ...(options.sqsEndpoint ? { endpoint: options.sqsEndpoint } : {}),
    });
    const s3 = options.spillBucket
      ? new S3Client({
          maxAttempts: DEFAULTS.sdkMaxAttempts,
          ...(options.s3Endpoint ? { endpoint: options.s3Endpoint, forcePathStyle: true } : {}),
        })
      : undefined;
    return new SqsDeadLetterSink(url, {
      client,
      ...(options.spillBucket && s3 ? { spillBucket: options.spillBucket, s3 } : {}),
    });
  }
  if (url.startsWith('/') || url.startsWith('.')) return new FileDeadLetterSink(url);
  throw new TypeError(
    `Dead-letter URL ${JSON.stringify(url)} is neither an SQS queue URL (https://sqs...) nor a file (file:///path).`,
  );
}
