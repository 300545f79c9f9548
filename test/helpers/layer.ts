import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  type Clock,
  type DecodedEvent,
  decodeEvent,
  describe as describeError,
  type EventEnvelope,
  IDEMPOTENCY_TABLE_SCHEMA,
  Idempotency,
  type IdempotencyOptions,
  type IdempotencyRecord,
  type Outcome,
  type RecordCoordinates,
} from '../../shared/internal';
import { RecordingLogger, RecordingMetrics } from './recorders';

/** A clock the test moves by hand. Starts at the real time so TTLs look like production ones. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: number = Date.now()) {
    this.current = start;
  }
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

/** A clock that reads another clock shifted by `offsetMs` (a worker whose clock runs ahead). */
export function skewedClock(base: Clock, offsetMs: number): Clock {
  return { now: () => base.now() + offsetMs };
}

/** A valid event envelope with test defaults; `overrides` replace fields. */
export function envelope(overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    event_id: 'evt-1',
    event_type: 'test.thing.happened.v1',
    event_timestamp: '2025-01-01T00:00:00Z',
    source_service: 'producer',
    correlation_id: 'corr-1',
    data: { thing_id: 't-1', amount: 10 },
    ...overrides,
  };
}

/** An envelope of its own for a test: `event_id` `evt-<label>`, `data` `{ test: label }` (so its own key). */
export function uniqueEvent(label: string, overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return envelope({ event_id: `evt-${label}`, data: { test: label }, ...overrides });
}

/** UTF-8 JSON bytes of a value, as a producer would write them. */
export function bytesOf(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** Decodes an envelope's bytes, exactly as the batch processor does with a record value. */
export function decoded(value: EventEnvelope, coordinates?: RecordCoordinates): DecodedEvent {
  return decodeEvent(bytesOf(value), coordinates);
}

/** An {@link Idempotency} with recorders and a manual clock, plus the recorders for assertions. */
export interface TestLayer {
  readonly idem: Idempotency;
  readonly logger: RecordingLogger;
  readonly metrics: RecordingMetrics;
}

/**
 * Builds a layer for tests: service `svc`, recorders for logs and metrics, and whatever options
 * the test sets (table, client and clock at least).
 */
export function testLayer(
  options: Partial<IdempotencyOptions> & {
    readonly tableName: string;
    readonly client: DynamoDBDocumentClient;
  },
): TestLayer {
  const logger = new RecordingLogger();
  const metrics = new RecordingMetrics();
  const idem = new Idempotency({ service: 'svc', logger, metrics, ...options });
  return { idem, logger, metrics };
}

/** Narrows an outcome to a status, failing with the outcome's error when it is another one. */
export function expectOutcome<T, S extends Outcome<T>['status']>(
  outcome: Outcome<T>,
  status: S,
): Extract<Outcome<T>, { status: S }> {
  if (outcome.status !== status) {
    const detail = 'error' in outcome ? `: ${describeError(outcome.error)}` : '';
    throw new Error(`expected outcome ${status}, got ${outcome.status}${detail}`);
  }
  return outcome as Extract<Outcome<T>, { status: S }>;
}

/**
 * Reads an idempotency record as stored, expired or not (a strongly consistent read that, unlike
 * `IdempotencyStore.get`, does not hide expired items).
 */
export async function readRecord(
  client: DynamoDBDocumentClient,
  tableName: string,
  id: string,
): Promise<IdempotencyRecord | undefined> {
  const response = await client.send(
    new GetCommand({
      TableName: tableName,
      Key: { [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: id },
      ConsistentRead: true,
    }),
  );
  return response.Item as IdempotencyRecord | undefined;
}

/** Like {@link readRecord}, but fails the test when the record is absent. */
export async function mustReadRecord(
  client: DynamoDBDocumentClient,
  tableName: string,
  id: string,
): Promise<IdempotencyRecord> {
  const record = await readRecord(client, tableName, id);
  if (record === undefined) throw new Error(`expected a record for ${id}, found none`);
  return record;
}

/** A promise with its resolve function exposed, to hold a handler at a chosen point. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The value, or a test failure naming what was missing (instead of a non-null assertion). */
export function must<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`expected ${what}, found none`);
  return value;
}
