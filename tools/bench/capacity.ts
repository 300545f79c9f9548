import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Operations whose input accepts `ReturnConsumedCapacity` (low-level and document-client names). */
const REPORTS_CAPACITY = new Set([
  'GetItem',
  'Get',
  'BatchGetItem',
  'BatchGet',
  'PutItem',
  'Put',
  'UpdateItem',
  'Update',
  'DeleteItem',
  'Delete',
  'BatchWriteItem',
  'BatchWrite',
  'TransactWriteItems',
  'TransactWrite',
  'TransactGetItems',
  'TransactGet',
  'Query',
  'Scan',
]);

const READS = new Set([
  'GetItem',
  'Get',
  'BatchGetItem',
  'BatchGet',
  'TransactGetItems',
  'TransactGet',
  'Query',
  'Scan',
]);

/**
 * Capacity and failed conditional writes seen by {@link trackCapacity}.
 *
 * @example
 * ```ts
 * const tracker: CapacityTracker = trackCapacity(client); tracker.reset();
 * ```
 */
export interface CapacityTracker {
  /** Read capacity units reported by successful responses. */
  readCapacityUnits: number;
  /** Write capacity units reported by successful responses. */
  writeCapacityUnits: number;
  /**
   * Writes rejected by their condition (`ConditionalCheckFailedException`). DynamoDB bills each at
   * least 1 WCU, but the error response carries no `ConsumedCapacity`, so no engine reports it.
   */
  conditionalCheckFailures: number;
  /** `true` once any response carried `ConsumedCapacity`. */
  reported: boolean;
  reset(): void;
  remove(): void;
}

/**
 * Makes every request of a client that supports it ask for `ReturnConsumedCapacity: 'TOTAL'` (an
 * initialize-step middleware that copies the input with the field set, so the caller's command is
 * untouched), and tracks reported capacity by read and write, and failed conditional writes.
 * Install it on the low-level client: a document client built from it shares its middleware.
 *
 * @example
 * ```ts
 * const capacity = trackCapacity(rawClient);
 * await handler.process(event);
 * console.log(capacity.writeCapacityUnits, capacity.conditionalCheckFailures);
 * ```
 */
export function trackCapacity(client: DynamoDBClient): CapacityTracker {
  const suffix = Math.random().toString(36).slice(2);
  const ask = `returnConsumedCapacity-${suffix}`;
  const track = `trackCapacity-${suffix}`;
  const tracker: CapacityTracker = {
    readCapacityUnits: 0,
    writeCapacityUnits: 0,
    conditionalCheckFailures: 0,
    reported: false,
    reset() {
      tracker.readCapacityUnits = 0;
      tracker.writeCapacityUnits = 0;
      tracker.conditionalCheckFailures = 0;
    },
    remove() {
      client.middlewareStack.remove(ask);
      client.middlewareStack.remove(track);
    },
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context.commandName);
      if (!REPORTS_CAPACITY.has(operation)) return next(args);
      return next({ ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } });
    },
    { step: 'initialize', name: ask, override: true },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context.commandName);
      try {
        const result = await next(args);
        const output = result.output as { ConsumedCapacity?: unknown };
        const consumed = output.ConsumedCapacity;
        const entries = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
        for (const entry of entries) {
          const units = Number((entry as { CapacityUnits?: unknown }).CapacityUnits ?? 0);
          tracker.reported = true;
          if (READS.has(operation)) tracker.readCapacityUnits += units;
          else tracker.writeCapacityUnits += units;
        }
        return result;
      } catch (error) {
        if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') {
          tracker.conditionalCheckFailures += 1;
        }
        throw error;
      }
    },
    // Outside the retry loop: one figure per request as the caller sees it.
    { step: 'initialize', name: track, override: true },
  );
  return tracker;
}

function operationOf(commandName: unknown): string {
  return String(commandName ?? '').replace(/Command$/, '');
}
