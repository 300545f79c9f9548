import { z } from 'zod';
import { InvalidRecordError } from './errors';

/**
 * Schema of the JSON event envelope every producer writes (the seeds' `EventEnvelope`).
 * Unknown fields are kept, so a newer producer never breaks an older consumer.
 *
 * @example
 * ```ts
 * const parsed = EventEnvelopeSchema.safeParse(JSON.parse(text));
 * ```
 */
export const EventEnvelopeSchema = z.looseObject({
  event_id: z.string().min(1),
  event_type: z.string().min(1).max(200),
  event_timestamp: z.string().min(1),
  source_service: z.string().min(1),
  correlation_id: z.string().min(1).optional(),
  idempotency_key: z.string().min(1).max(1024).optional(),
  data: z.record(z.string(), z.unknown()),
});

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
 * const decoded = decodeEvent(Buffer.from(record.value, 'base64'), { topic, partition, offset });
 * if (!decoded.ok) deadLetter(decoded.error);
 * ```
 */
export function decodeEvent(raw: Uint8Array, coordinates?: RecordCoordinates): DecodedEvent {
  const where = coordinates ? ` at ${coordinates.topic}-${coordinates.partition}@${coordinates.offset}` : '';
  const invalid = (message: string, eventType?: string, cause?: unknown): DecodedEvent => ({
    ok: false,
    raw,
    eventType,
    coordinates,
    error: new InvalidRecordError(`${message}${where}`, { cause }),
  });

  let text: string;
  try {
    text = utf8.decode(raw);
  } catch (cause) {
    return invalid('Record value is not valid UTF-8; producers must send UTF-8 JSON', undefined, cause);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    return invalid(`Record value is not JSON (${(cause as Error).message})`, undefined, cause);
  }
  const eventType =
    typeof json === 'object' &&
    json !== null &&
    typeof (json as { event_type?: unknown }).event_type === 'string'
      ? (json as { event_type: string }).event_type
      : undefined;
  const parsed = EventEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    return invalid(`Record value is not a valid event envelope (${issues})`, eventType, parsed.error);
  }
  // The schema's record parsing drops a top-level `__proto__` key of `data`, so such a payload would
  // share its content key with the same payload without it (a distinct event skipped as duplicate).
  if (Object.hasOwn((json as { data: object }).data, '__proto__')) {
    return invalid(
      'Record value is not a valid event envelope (data: "__proto__" is not allowed as a key)',
      eventType,
    );
  }
  return { ok: true, raw, envelope: parsed.data, coordinates };
}
