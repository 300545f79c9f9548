/**
 * The SQS dead-letter sink, with its S3 spill: a module of its own because only the dead-letter
 * path needs the SQS and S3 clients (about 150 KB of a bundle, and their module evaluation at every
 * cold start). The construct builds it as a second file beside the handler's bundle
 * (`DEAD_LETTER_CHUNK` of `infra/lib/bundling.ts`), and `deadLetterSinkFor` loads it on the
 * first dead letter a container sends.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SendMessageCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import {
  type DeadLetterEntry,
  type DeadLetterSink,
  type DeadLetterSinkOptions,
  deadLetterBody,
  S3_POINTER_CLASS,
  wholeBody,
} from './dead-letter';
import { sha256Hex } from './keys';
import { DEFAULTS } from './options';

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
 * The SQS sink for a queue URL with the clients the options name (endpoints for LocalStack,
 * path-style S3 addressing when an S3 endpoint is set). What `deadLetterSinkFor` loads and calls.
 *
 * @example
 * ```ts
 * const sink = sqsDeadLetterSink(queueUrl, { spillBucket: 'my-dead-letter-payloads' });
 * ```
 */
export function sqsDeadLetterSink(url: string, options: DeadLetterSinkOptions = {}): DeadLetterSink {
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

/** A message attribute value SQS accepts: allowed characters only (others become `?`), at most 256. */
function attribute(text: string): string {
  const allowed = text.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '?');
  return [...allowed].slice(0, 256).join('') || '?'; // by code point, never half a surrogate pair
}
