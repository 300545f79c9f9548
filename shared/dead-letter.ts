import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecordCoordinates } from './envelope';
import { sha256Hex } from './keys';

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

/**
 * The whole entry as SQS-safe JSON, whatever its size (the record as received, uncut).
 *
 * @internal
 */
export function wholeBody(entry: DeadLetterEntry): string | undefined {
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

/** Options of {@link deadLetterSinkFor}. */
export interface DeadLetterSinkOptions {
  /** SQS endpoint override (LocalStack). */
  readonly sqsEndpoint?: string | undefined;
  /** S3 bucket for dead letters too large for a message (`SqsDeadLetterSinkOptions.spillBucket`). */
  readonly spillBucket?: string | undefined;
  /** S3 endpoint override (LocalStack); path-style addressing when set. */
  readonly s3Endpoint?: string | undefined;
}

/**
 * The SQS sink, loaded on the first dead letter a container sends rather than at its cold start:
 * the SQS and S3 clients are about a quarter of a bundle that the hot path never uses. esbuild
 * offers no lazy chunk in a CommonJS bundle (a dynamic `import()` is inlined whole), so the module
 * is a `require` that a function's bundle keeps external and finds beside `index.js`, where
 * `infra/lib/bundling.ts` builds it as a second file (`DEAD_LETTER_CHUNK`; a test checks that the
 * two agree). A bundler that inlines it instead only makes the bundle larger.
 */
class DeferredSqsDeadLetterSink implements DeadLetterSink {
  #sink: DeadLetterSink | undefined;

  constructor(
    private readonly url: string,
    private readonly options: DeadLetterSinkOptions,
  ) {}

  async send(entry: DeadLetterEntry): Promise<void> {
    this.#sink ??= loadSqsSink().sqsDeadLetterSink(this.url, this.options);
    return this.#sink.send(entry);
  }
}

/** The SQS sink's module, or an error that says how to build it in. */
function loadSqsSink(): typeof import('./dead-letter-sqs') {
  try {
    return require('./dead-letter-sqs');
  } catch (error) {
    const missing =
      (error as NodeJS.ErrnoException | undefined)?.code === 'MODULE_NOT_FOUND' &&
      String((error as Error).message).includes('dead-letter-sqs');
    if (!missing) throw error; // the module is there and failed to load: its own error says why
    throw new Error(
      'The SQS dead-letter sink (dead-letter-sqs.js) is not beside this bundle: build the function with the IdempotentKafkaConsumer construct, or add the second entry of infra/lib/bundling.ts (DEAD_LETTER_CHUNK) to your own build. The record is released to be retried, not lost.',
      { cause: error },
    );
  }
}

/**
 * Creates the sink for a dead-letter URL: `https://sqs...` for SQS (its module and clients loaded on
 * the first dead letter), `file:///path` (or a plain path) for a local JSON Lines file.
 *
 * @example
 * ```ts
 * const sink = deadLetterSinkFor(requireEnv(ENV.DEAD_LETTER_QUEUE_URL), { sqsEndpoint: process.env.SQS_ENDPOINT });
 * ```
 */
export function deadLetterSinkFor(url: string, options: DeadLetterSinkOptions = {}): DeadLetterSink {
  if (url.startsWith('file://')) return new FileDeadLetterSink(fileURLToPath(url));
  if (url.startsWith('http://') || url.startsWith('https://')) {
    return new DeferredSqsDeadLetterSink(url, options);
  }
  if (url.startsWith('/') || url.startsWith('.')) return new FileDeadLetterSink(url);
  throw new TypeError(
    `Dead-letter URL ${JSON.stringify(url)} is neither an SQS queue URL (https://sqs...) nor a file (file:///path).`,
  );
}
