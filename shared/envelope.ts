import * as z from 'zod/mini';
import type * as zc from 'zod/v4/core';
import { en } from 'zod/v4/locales';
import { InvalidRecordError } from './errors';

/**
 * Bounds on the envelope's identifiers, checked when a record is decoded (a record past one is
 * poison, with the field and the bound named). Identifiers are written into the idempotency record
 * and the logs, so each is short and free of control characters; the event type is part of the key
 * (`<prefix>:<service>:<event_type>:<hash>`), so it has the charset of a Kafka topic name.
 *
 * @example
 * ```ts
 * if (id.length > ENVELOPE_LIMITS.identifierLength) reject();
 * ```
 */
export const ENVELOPE_LIMITS = {
  /** Longest `event_id`, `correlation_id`, `source_service` and `event_timestamp` (characters). */
  identifierLength: 256,
  /** Longest `event_type` (characters of `[A-Za-z0-9._-]`). */
  eventTypeLength: 200,
  /** Longest `idempotency_key` (characters; the key is hashed, so it never reaches DynamoDB as is). */
  idempotencyKeyLength: 1024,
} as const;

/** Letters, digits, `.`, `_` and `-`: the charset of Kafka topic names. */
const EVENT_TYPE = new RegExp(`^[A-Za-z0-9._-]{1,${ENVELOPE_LIMITS.eventTypeLength}}$`);
/** C0 and C1 controls, and the line and paragraph separators. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find them.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

// `zod/mini`, the tree-shakable entry of zod 4: the same checks and messages as the full library at
// about a tenth of its bundle (tools/bench/README.md). Its messages come from the English locale,
// which the full library loads by default and the mini one does not.
z.config(en());

const identifier = (max: number) =>
  z.string().check(
    z.minLength(1),
    z.maxLength(max),
    z.refine((s) => !CONTROL.test(s), { message: 'must not contain control characters' }),
  );

/**
 * Schema of the JSON event envelope every producer writes (the seeds' `EventEnvelope`).
 * Unknown fields are kept, so a newer producer never breaks an older consumer. `data` is any JSON
 * object; each consumer validates it with its own schema ({@link parseData}).
 *
 * @example
 * ```ts
 * const parsed = z.safeParse(EventEnvelopeSchema, JSON.parse(text)); // z from 'zod/mini'
 * ```
 */
export const EventEnvelopeSchema = z.looseObject({
  event_id: identifier(ENVELOPE_LIMITS.identifierLength),
  event_type: z.string().check(
    z.regex(EVENT_TYPE, {
      message: `must be 1-${ENVELOPE_LIMITS.eventTypeLength} characters of letters, digits, '.', '_' or '-'`,
    }),
  ),
  event_timestamp: identifier(ENVELOPE_LIMITS.identifierLength),
  source_service: identifier(ENVELOPE_LIMITS.identifierLength),
  correlation_id: z.optional(identifier(ENVELOPE_LIMITS.identifierLength)),
  idempotency_key: z.optional(
    z.string().check(z.minLength(1), z.maxLength(ENVELOPE_LIMITS.idempotencyKeyLength)),
  ),
  // Not `z.record`: it refuses an object with an own `constructor` key and drops a `__proto__` one.
  data: z.custom<Record<string, unknown>>(isPlainJsonObject, { message: 'expected an object' }),
});

function isPlainJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A validated event envelope. `data` is the business payload, validated by each consumer. */
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;

/** Where a record came from: its Kafka coordinates. */
export interface RecordCoordinates {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * The result of decoding one record's value: the envelope when it is valid, else the error that
 * makes it poison. Either way the raw bytes are kept, so the key and the dead-letter body can be
 * built from the record exactly as received.
 */
export type DecodedEvent =
  | {
      readonly ok: true;
      readonly raw: Uint8Array;
      readonly envelope: EventEnvelope;
      readonly coordinates: RecordCoordinates | undefined;
      /**
       * The canonical text the content key and the payload hash are computed from, when the codec
       * sets it (CloudEvents, JSON, Avro, Protobuf, tombstones); else the canonical JSON of the
       * envelope's `event_type` and `data`.
       */
      readonly content?: string;
    }
  | {
      readonly ok: false;
      readonly raw: Uint8Array;
      readonly error: InvalidRecordError;
      /** `event_type` when the value was JSON with a string `event_type`, for routing and logs. */
      readonly eventType: string | undefined;
      readonly coordinates: RecordCoordinates | undefined;
    };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a record value (bytes) into an {@link EventEnvelope}: strict UTF-8, then JSON, then the
 * envelope schema. Never throws; a bad value comes back with `ok: false` and a message saying what
 * is wrong with it.
 *
 * @example
 * ```ts
 * declare const record: { topic: string; partition: number; offset: number; value: string };
 * const { topic, partition, offset } = record;
 * const decoded = decodeEvent(Buffer.from(record.value, 'base64'), { topic, partition, offset });
 * if (!decoded.ok) console.error(decoded.error.message); // names the field at fault, never its value
 * ```
 */
export function decodeEvent(raw: Uint8Array, coordinates?: RecordCoordinates): DecodedEvent {
  // No `cause`: the parser's and the schema's errors carry the record's content. The position is
  // formatted only for a record that fails (this function runs once per record of every batch).
  const invalid = (message: string, eventType?: string): DecodedEvent => ({
    ok: false,
    raw,
    eventType,
    coordinates,
    error: new InvalidRecordError(
      `${message}${coordinates ? ` at ${coordinates.topic}-${coordinates.partition}@${coordinates.offset}` : ''}`,
    ),
  });

  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return invalid('Record value is not valid UTF-8; producers must send UTF-8 JSON');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    // The engine's message quotes the start of the value (a secret, maybe): keep its position only.
    const position = /at position (\d+)/.exec((cause as Error).message)?.[1];
    return invalid(
      `Record value is not JSON (${position === undefined ? 'a syntax error; the parser reports no position' : `syntax error at character ${position}`})`,
    );
  }
  const claimedType =
    isPlainJsonObject(json) && Object.hasOwn(json, 'event_type') ? json.event_type : undefined;
  // Kept for routing and logs only when it is a well-formed type (bounded, no control characters).
  const eventType = typeof claimedType === 'string' && EVENT_TYPE.test(claimedType) ? claimedType : undefined;
  const parsed = EventEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    return invalid(`Record value is not a valid event envelope (${describeIssues(parsed.error)})`, eventType);
  }
  // The validated JSON itself, not the schema's copy: the copy assigns keys one by one, so a
  // `__proto__` key would become the copy's prototype (lending it fields the record lacks) and be
  // left out of the content key. `JSON.parse` keeps such a key as an ordinary own property, and
  // the schema has no transforms, so the original is exactly what was validated.
  return { ok: true, raw, envelope: json as EventEnvelope, coordinates };
}

/**
 * The first issues of a schema error as `path: message; ...`, for an error message that names the
 * fields at fault and never their values (zod's messages do not quote the input; each path segment
 * is cut to 64 characters, since keys come from the record too).
 *
 * @example
 * ```ts
 * const parsed = schema.safeParse(data);
 * if (!parsed.success) throw new InvalidRecordError(`invalid data: ${describeIssues(parsed.error)}`);
 * ```
 */
export function describeIssues(error: zc.$ZodError, max = 5): string {
  return error.issues
    .slice(0, max)
    .map((issue) => {
      const path = issue.path.map((part) => {
        const name = String(part);
        return name.length > 64 ? `${name.slice(0, 64)}…` : name;
      });
      // Unknown keys are the record's content: count them, never list them.
      const message =
        issue.code === 'unrecognized_keys' ? `${issue.keys.length} unrecognized key(s)` : issue.message;
      return `${path.join('.') || '(root)'}: ${message}`;
    })
    .join('; ');
}
