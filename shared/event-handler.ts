import type { EventEnvelope, RecordCoordinates } from './envelope';
import type { IdempotencyKey } from './keys';
import type { TransactionalWrite } from './store';

export type { TransactionalWrite };

/** What a handler is told about the event besides its envelope. */
export interface HandlerInfo {
  readonly key: IdempotencyKey;
  readonly coordinates: RecordCoordinates | undefined;
  /**
   * Epoch ms at which this attempt's lease ends (the work should be done by then); in single-write
   * mode, which takes no lease, the deadline a lease would have had.
   */
  readonly leaseExpiresAt: number;
}

const TRANSACTIONAL = Symbol('transactional');

/** A handler result that carries DynamoDB writes to commit with the completion. */
export interface TransactionalResult<T> {
  readonly [TRANSACTIONAL]: true;
  readonly result: T;
  readonly writes: readonly TransactionalWrite[];
}

/**
 * A per-event handler. Return a value (two-phase mode: the effect happens inside the handler, the
 * completion follows) or {@link withWrites} (transactional mode: the writes and the completion
 * commit together).
 *
 * @example
 * ```ts
 * declare function send(data: Record<string, unknown>): Promise<boolean>;
 * const handler: EventHandler<{ sent: boolean }> = async (envelope) => ({ sent: await send(envelope.data) });
 * ```
 */
export type EventHandler<T> = (
  envelope: EventEnvelope,
  info: HandlerInfo,
) => Promise<T | TransactionalResult<T>>;

/**
 * Wraps a result and the DynamoDB writes that are its effect, to be committed atomically with the
 * `completed` mark (at most 99 writes). A crash can then never leave the effect done and the record
 * unfinished.
 *
 * @example
 * ```ts
 * const TableName = 'essays';
 * const [pk, sk] = ['BATCH#b-1', 'META'];
 * return withWrites({ counted: true }, [
 *   { Update: { TableName, Key: { pk, sk }, UpdateExpression: 'ADD ready_count :one', ExpressionAttributeValues: { ':one': 1 } } },
 * ]);
 * ```
 */
export function withWrites<T>(result: T, writes: readonly TransactionalWrite[]): TransactionalResult<T> {
  return { [TRANSACTIONAL]: true, result, writes };
}

/**
 * `true` when a handler returned {@link withWrites}.
 *
 * @internal
 */
export function isTransactional<T>(value: T | TransactionalResult<T>): value is TransactionalResult<T> {
  return typeof value === 'object' && value !== null && TRANSACTIONAL in value;
}
