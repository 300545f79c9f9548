import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { DecodedEvent, EventEnvelope, RecordCoordinates } from './envelope';
import { clip } from './errors';

/**
 * A function that derives the identity of an event from the decoded record. It receives only
 * valid envelopes (poison records are keyed by their raw bytes) and must return a non-empty string.
 */
export type CustomKeyFunction = (
  envelope: EventEnvelope,
  coordinates: RecordCoordinates | undefined,
) => string;

/**
 * How an event's identity is derived:
 * - `content` (default): SHA-256 of the canonical JSON (RFC 8785) of `event_type` and `data`.
 *   Survives producer retries that mint a new `event_id`. Two genuinely distinct events with
 *   identical `data` and type are one event under this strategy.
 * - `envelope`: the envelope's `idempotency_key`, else its `event_id`.
 * - `coordinates`: `topic-partition-offset`; catches event source redeliveries only.
 * - a function: your own identity, from the decoded envelope.
 */
export type KeyStrategy = 'content' | 'envelope' | 'coordinates' | CustomKeyFunction;

/** The identity of one event, computed once before any handler runs. */
export interface IdempotencyKey {
  /** `<prefix>:<service>:<event_type>:<hash>`, the record's partition key. */
  readonly id: string;
  /** SHA-256 (hex) of the business payload, to detect a key reused for another payload. */
  readonly payloadHash: string;
  /** The event type segment of the key (`invalid` for a poison record). */
  readonly eventType: string;
}

/** Event type segment used for records that could not be decoded. */
export const INVALID_EVENT_TYPE = 'invalid';

/**
 * SHA-256 of a string or bytes, hex encoded.
 *
 * @example
 * ```ts
 * sha256Hex('abc'); // 'ba7816bf…'
 * ```
 */
export function sha256Hex(input: string | Uint8Array): string {
  // Node's one-shot `hash()` (no Hash object per call): ~0.5 µs less per key than
  // `createHash().update().digest()` (tools/bench/README.md, CPU per record).
  return hash('sha256', input, 'hex');
}

/**
 * RFC 8785 canonical JSON of a value: object keys sorted by code point at every depth, arrays in
 * order, numbers in their shortest round-trip form. Throws a `TypeError` for values JSON cannot
 * represent (`undefined` at the top, `BigInt`, cycles, non-finite numbers).
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [2, { d: 1, c: 0 }] }); // '{"a":[2,{"c":0,"d":1}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (cause) {
    // `canonicalize` throws a plain Error for NaN, Infinity and cycles; keep the documented contract.
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new TypeError(`canonicalJson: the value has no JSON representation (${reason}).`, { cause });
  }
  if (text === undefined)
    throw new TypeError('canonicalJson: the value has no JSON representation (undefined).');
  return text;
}

/** Options of {@link computeKey}. */
export interface KeyOptions {
  /** Key namespace prefix, versioned. */
  readonly prefix: string;
  /** Consuming service name. */
  readonly service: string;
  /** Identity strategy. */
  readonly strategy: KeyStrategy;
}

/**
 * Computes the idempotency key of a decoded record, from the record as received. A poison record
 * (not UTF-8, not JSON, not an envelope) is keyed by the SHA-256 of its raw bytes under the
 * `invalid` event type, so that its redeliveries are recognised too.
 *
 * @example
 * ```ts
 * const key = computeKey(decodeEvent(bytes), { prefix: 'idem:v1', service: 'spellchecker', strategy: 'content' });
 * key.id; // 'idem:v1:spellchecker:huleedu.essay.spellcheck.requested.v1:3f1c…'
 * ```
 */
export function computeKey(decoded: DecodedEvent, options: KeyOptions): IdempotencyKey {
  const namespace = `${options.prefix}:${options.service}`;
  if (!decoded.ok) {
    const hash = sha256Hex(decoded.raw);
    return {
      id: `${namespace}:${INVALID_EVENT_TYPE}:${hash}`,
      payloadHash: hash,
      eventType: INVALID_EVENT_TYPE,
    };
  }
  const { envelope, coordinates } = decoded;
  const payloadHash = sha256Hex(
    decoded.content ?? canonicalJson({ event_type: envelope.event_type, data: envelope.data }),
  );
  let identity: string;
  const strategy = options.strategy;
  if (strategy === 'content') {
    identity = payloadHash;
  } else if (strategy === 'envelope') {
    identity = sha256Hex(envelope.idempotency_key ?? envelope.event_id);
  } else if (strategy === 'coordinates') {
    if (coordinates === undefined) {
      throw new TypeError(
        "keyStrategy 'coordinates' needs the record's topic, partition and offset; pass them to decodeEvent or choose another strategy.",
      );
    }
    identity = sha256Hex(`${coordinates.topic}-${coordinates.partition}-${coordinates.offset}`);
  } else {
    const custom = strategy(envelope, coordinates);
    if (typeof custom !== 'string' || custom.length === 0) {
      throw new TypeError(
        `The custom keyStrategy returned ${typeof custom === 'string' ? 'an empty string' : `a ${typeof custom}`} for event ${clip(envelope.event_id)}; it must return a non-empty string.`,
      );
    }
    identity = sha256Hex(custom);
  }
  return {
    id: `${namespace}:${envelope.event_type}:${identity}`,
    payloadHash,
    eventType: envelope.event_type,
  };
}
