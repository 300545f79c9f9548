/**
 * Dead letters as the redrive reads them: the body a sink wrote (`deadLetterBody`), checked field by
 * field, with the record it carries, the filters of `list` and `redrive`, and the record rebuilt as
 * the event source mapping delivers it.
 */
import type { MSKRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { DeadLetterEntry } from '../../../shared/internal';
import { UsageError } from '../cli';

/** One dead letter of a source. */
export interface DeadLetter {
  /** Its id in the source: a hash of the line (file), the `MessageId` (SQS). */
  readonly id: string;
  /** The body, decoded. */
  readonly entry: DeadLetterEntry;
  /** Why the record cannot be redelivered from this dead letter, if it cannot. */
  readonly unredeliverable: string | undefined;
  /** The record as received, when it is a whole Kafka record. */
  readonly record: MSKRecord | undefined;
  /** Where its body came from, when the message pointed at S3 (the SQS extended client's pointer). */
  readonly spilled: { readonly bucket: string; readonly key: string } | undefined;
}

/** A body that could not be read, by its position in the source. */
export interface UnreadableLetter {
  /** `line 7` (file), `message <MessageId>` (SQS). */
  readonly position: string;
  readonly reason: string;
}

const Entry = z.object({
  service: z.string().check(z.minLength(1), z.maxLength(256)),
  idempotency_key: z.string().check(z.minLength(1), z.maxLength(2048)),
  event_type: z.optional(z.nullable(z.string())),
  event_id: z.optional(z.nullable(z.string())),
  correlation_id: z.optional(z.nullable(z.string())),
  coordinates: z.optional(
    z.nullable(z.object({ topic: z.string(), partition: z.number(), offset: z.number() })),
  ),
  error: z.object({ name: z.string(), message: z.string() }),
  record: z.unknown(),
  failed_at: z.string(),
  owner: z.optional(z.string()),
  record_truncated: z.optional(z.string()),
});

const Record_ = z.object({
  topic: z.string().check(z.minLength(1), z.maxLength(249)),
  partition: z.int().check(z.minimum(0)),
  offset: z.int().check(z.minimum(0)),
  timestamp: z.number(),
  timestampType: z.string(),
  key: z.optional(z.nullable(z.string())),
  value: z.nullable(z.string()),
  headers: z.array(z.record(z.string(), z.array(z.number()))),
});

/**
 * Reads one dead-letter body; throws a `TypeError` naming the fields at fault (never their values).
 *
 * @example
 * ```ts
 * const letter = parseDeadLetter('3f1c9a2b4d5e6f70', line);
 * ```
 */
export function parseDeadLetter(
  id: string,
  body: string,
  spilled?: { readonly bucket: string; readonly key: string },
): DeadLetter {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new TypeError(`not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = Entry.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(body)'))];
    throw new TypeError(`not a dead letter: ${fields.slice(0, 5).join(', ')} missing or of the wrong type`);
  }
  const { record_truncated: truncated, ...rest } = parsed.data;
  const entry = {
    ...rest,
    event_type: rest.event_type ?? undefined,
    event_id: rest.event_id ?? undefined,
    correlation_id: rest.correlation_id ?? undefined,
    coordinates: rest.coordinates ?? undefined,
  } as DeadLetterEntry;
  const record = Record_.safeParse(entry.record);
  const unredeliverable =
    truncated !== undefined
      ? 'the dead letter kept only part of the record (it was too large); read it back from the topic at its offset'
      : !record.success
        ? 'what failed was not a Kafka record (the event itself was malformed): there is nothing to redeliver'
        : undefined;
  return {
    id,
    entry,
    unredeliverable,
    record: record.success && truncated === undefined ? (record.data as MSKRecord) : undefined,
    spilled,
  };
}

/** The filters of `list` and `redrive`; each one given must match. */
export interface LetterFilter {
  /** The consuming service (`functions/<name>`). */
  readonly consumer?: string | undefined;
  readonly eventType?: string | undefined;
  /** The error's class name. */
  readonly errorName?: string | undefined;
  /** Epoch ms: failed at or after. */
  readonly since?: number | undefined;
  /** Epoch ms: failed before. */
  readonly until?: number | undefined;
}

/**
 * Whether a dead letter passes every filter given.
 *
 * @example
 * ```ts
 * letters.filter((letter) => matches(letter, { consumer: 'spellchecker', errorName: 'SchemaValidationError' }));
 * ```
 */
export function matches(letter: DeadLetter, filter: LetterFilter): boolean {
  const { entry } = letter;
  const at = Date.parse(entry.failed_at);
  return (
    (filter.consumer === undefined || entry.service === filter.consumer) &&
    (filter.eventType === undefined || entry.event_type === filter.eventType) &&
    (filter.errorName === undefined || entry.error.name === filter.errorName) &&
    (filter.since === undefined || at >= filter.since) &&
    (filter.until === undefined || at < filter.until)
  );
}

/**
 * A time flag: an ISO date (`2026-12-01T10:00:00Z`) or a duration ago (`30m`, `2h`, `7d`), as epoch
 * ms; throws a {@link UsageError} naming the flag otherwise.
 *
 * @example
 * ```ts
 * timeFlag('--since', '2h', Date.now()); // two hours ago
 * ```
 */
export function timeFlag(flag: string, value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const ago = /^(\d{1,6})([smhd])$/.exec(value.trim());
  if (ago) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[ago[2] as 's' | 'm' | 'h' | 'd'];
    return now - Number(ago[1]) * unit;
  }
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new UsageError(
      `${flag} must be an ISO time (2026-12-01T10:00:00Z) or a duration ago (30m, 2h, 7d), got ${JSON.stringify(value)}.`,
    );
  }
  return at;
}

/**
 * The dead letter whose id is `id` or starts with it (at least 4 characters); throws a
 * {@link UsageError} when none or several match.
 *
 * @example
 * ```ts
 * const letter = findLetter(letters, '3f1c9a');
 * ```
 */
export function findLetter(letters: readonly DeadLetter[], id: string): DeadLetter {
  const exact = letters.find((letter) => letter.id === id);
  if (exact) return exact;
  const found = id.length >= 4 ? letters.filter((letter) => letter.id.startsWith(id)) : [];
  if (found.length === 1 && found[0]) return found[0];
  throw new UsageError(
    found.length === 0
      ? `No dead letter ${JSON.stringify(id)}; npm run dead-letters -- list shows the ids.`
      : `${JSON.stringify(id)} matches ${found.length} dead letters; give more of the id.`,
  );
}

/** A record's key, value and headers as bytes (what a producer writes). */
export interface RecordBytes {
  readonly key: Buffer | undefined;
  readonly value: Buffer | undefined;
  readonly headers: Map<string, Buffer>;
}

/**
 * The bytes of a record as received (base64 key and value, byte-array headers).
 *
 * @example
 * ```ts
 * const { key, value, headers } = recordBytes(letter.record);
 * ```
 */
export function recordBytes(record: MSKRecord): RecordBytes {
  const headers = new Map<string, Buffer>();
  for (const header of record.headers) {
    for (const [name, bytes] of Object.entries(header)) headers.set(name, Buffer.from(bytes));
  }
  const key = (record as { key?: string | null }).key;
  const value = record.value as string | null;
  return {
    key: typeof key === 'string' ? Buffer.from(key, 'base64') : undefined,
    value: typeof value === 'string' ? Buffer.from(value, 'base64') : undefined,
    headers,
  };
}
