import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type AnyClient = DynamoDBClient | DynamoDBDocumentClient;

/** What a fault decision sees of one HTTP attempt. */
export interface AttemptInfo {
  /** Low-level command name without the `Command` suffix: `UpdateItem`, `TransactWriteItems`, ... */
  readonly operation: string;
  /** The command's input (low-level, marshalled). */
  readonly input: Record<string, unknown>;
  /** 1-based count of attempts seen by this injector, over all operations. */
  readonly seq: number;
}

/**
 * A fault for one attempt:
 * - `outage`: the request never reaches the engine; fails like a refused connection (retried by the SDK).
 * - `throttle`: the request never reaches the engine; fails as `ProvisionedThroughputExceededException`.
 * - `drop-response`: the request **is executed** by the engine, then its response is lost (a timeout).
 * - `delay:<ms>`: the attempt waits before it is sent (simulated network latency).
 */
export type Fault = 'outage' | 'throttle' | 'drop-response' | `delay:${number}`;

/** Handle returned by {@link injectFaults}. */
export interface FaultInjector {
  /** Attempts seen, in order, with the fault applied to each (if any). */
  readonly attempts: { operation: string; fault: Fault | undefined }[];
  /** Removes the middleware. */
  remove(): void;
}

/**
 * Injects faults into a DynamoDB client for real: a middleware placed inside the SDK's retry loop
 * decides per HTTP attempt whether to fail it before sending, or to send it and then lose the
 * response. The SDK's own retry strategy then does what it does in production.
 *
 * @example
 * ```ts
 * const faults = injectFaults(client, (a) => (a.operation === 'UpdateItem' && a.seq === 1 ? 'drop-response' : undefined));
 * ```
 */
export function injectFaults(
  client: AnyClient,
  decide: (attempt: AttemptInfo) => Fault | undefined,
): FaultInjector {
  const attempts: FaultInjector['attempts'] = [];
  const name = `faultInjector-${Math.random().toString(36).slice(2)}`;
  let seq = 0;
  client.middlewareStack.addRelativeTo(
    // biome-ignore lint/suspicious/noExplicitAny: the middleware stack's generic types are not exported usefully.
    (next: any, context: any) => async (args: any) => {
      seq += 1;
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const fault = decide({ operation, input: args.input ?? {}, seq });
      attempts.push({ operation, fault });
      if (fault === 'outage') {
        throw Object.assign(new Error(`connect ECONNREFUSED (injected outage on ${operation})`), {
          name: 'Error',
          code: 'ECONNREFUSED',
          $metadata: {},
        });
      }
      if (fault === 'throttle') {
        throw Object.assign(
          new Error(`Rate of requests exceeds the allowed throughput (injected on ${operation})`),
          {
            name: 'ProvisionedThroughputExceededException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
          },
        );
      }
      if (fault?.startsWith('delay:')) {
        await new Promise((r) => setTimeout(r, Number(fault.slice(6))));
        return next(args);
      }
      const result = await next(args);
      if (fault === 'drop-response') {
        throw Object.assign(
          new Error(`response lost after the request was executed (injected on ${operation})`),
          {
            name: 'TimeoutError',
            $metadata: {},
          },
        );
      }
      return result;
    },
    { relation: 'after', toMiddleware: 'retryMiddleware', name, override: true },
  );
  return { attempts, remove: () => client.middlewareStack.remove(name) };
}

/** Counts of DynamoDB requests by operation, and the capacity units the engine reported. */
export interface RequestCounter {
  readonly byOperation: Map<string, number>;
  /** Total consumed capacity units reported by responses that carry `ConsumedCapacity`. */
  capacityUnits: number;
  total(): number;
  reset(): void;
  remove(): void;
}

/**
 * Counts every HTTP attempt a client sends, by operation, and sums the consumed capacity that
 * responses report (requests must ask for it with `ReturnConsumedCapacity`).
 *
 * @example
 * ```ts
 * const counter = countRequests(client);
 * await doWork();
 * console.log(counter.byOperation.get('BatchGetItem'));
 * ```
 */
export function countRequests(client: AnyClient): RequestCounter {
  const name = `requestCounter-${Math.random().toString(36).slice(2)}`;
  const counter: RequestCounter = {
    byOperation: new Map(),
    capacityUnits: 0,
    total: () => [...counter.byOperation.values()].reduce((a, b) => a + b, 0),
    reset: () => {
      counter.byOperation.clear();
      counter.capacityUnits = 0;
    },
    remove: () => client.middlewareStack.remove(name),
  };
  client.middlewareStack.addRelativeTo(
    // biome-ignore lint/suspicious/noExplicitAny: the middleware stack's generic types are not exported usefully.
    (next: any, context: any) => async (args: any) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      counter.byOperation.set(operation, (counter.byOperation.get(operation) ?? 0) + 1);
      const result = await next(args);
      const consumed = result?.output?.ConsumedCapacity;
      for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) {
        counter.capacityUnits += Number(c?.CapacityUnits ?? 0);
      }
      return result;
    },
    { relation: 'after', toMiddleware: 'retryMiddleware', name, override: true },
  );
  return counter;
}

/**
 * The most requests a client had in flight at once, overall and by operation (a request is in
 * flight from its first attempt to its last answer, retries included).
 */
export interface InFlightTracker {
  /** Requests in flight now, by operation. */
  readonly current: Map<string, number>;
  /** The highest count seen since the last reset, by operation. */
  readonly max: Map<string, number>;
  /** The highest count seen of all operations together. */
  maxTotal: number;
  /**
   * The most items one request carried, for the batch operations (`BatchGetItem` keys,
   * `BatchWriteItem` requests, `TransactWriteItems` items), since the last reset.
   */
  readonly largestBatch: Map<string, number>;
  /** Names a request for the counts: its operation unless the tracker was given a classifier. */
  readonly classify: (operation: string, input: Record<string, unknown>) => string;
  reset(): void;
}

/**
 * A fresh {@link InFlightTracker}, to pass to {@link trackInFlight} (one tracker may watch several
 * clients); `classify` names each request (default: its operation), to tell apart requests of one
 * operation that play different parts.
 *
 * @example
 * ```ts
 * const tracker = inFlightTracker(); trackInFlight(client, tracker);
 * ```
 */
export function inFlightTracker(
  classify: (operation: string, input: Record<string, unknown>) => string = (operation) => operation,
): InFlightTracker {
  const tracker: InFlightTracker = {
    classify,
    current: new Map(),
    max: new Map(),
    maxTotal: 0,
    largestBatch: new Map(),
    reset: () => {
      tracker.max.clear();
      tracker.maxTotal = 0;
      tracker.largestBatch.clear();
    },
  };
  return tracker;
}

/**
 * Records how many requests of a client are in flight at once: an initialize-step middleware
 * (outside the retry loop) that counts a request from when it is sent until it settles.
 *
 * @example
 * ```ts
 * const tracker = inFlightTracker();
 * trackInFlight(client, tracker);
 * await handler.process(event);
 * console.log(tracker.max.get('UpdateItem'));
 * ```
 */
export function trackInFlight(client: AnyClient, tracker: InFlightTracker): () => void {
  const name = `inFlight-${Math.random().toString(36).slice(2)}`;
  const total = () => [...tracker.current.values()].reduce((a, b) => a + b, 0);
  client.middlewareStack.add(
    // biome-ignore lint/suspicious/noExplicitAny: the middleware stack's generic types are not exported usefully.
    (next: any, context: any) => async (args: any) => {
      const command = String(context.commandName ?? '').replace(/Command$/, '');
      const operation = tracker.classify(command, args.input ?? {});
      const now = (tracker.current.get(operation) ?? 0) + 1;
      tracker.current.set(operation, now);
      tracker.max.set(operation, Math.max(tracker.max.get(operation) ?? 0, now));
      tracker.maxTotal = Math.max(tracker.maxTotal, total());
      const items = batchItems(command, args.input);
      if (items !== undefined) {
        tracker.largestBatch.set(command, Math.max(tracker.largestBatch.get(command) ?? 0, items));
      }
      try {
        return await next(args);
      } finally {
        tracker.current.set(operation, (tracker.current.get(operation) ?? 1) - 1);
      }
    },
    { step: 'initialize', name, override: true },
  );
  return () => client.middlewareStack.remove(name);
}

function batchItems(operation: string, input: Record<string, unknown> | undefined): number | undefined {
  if (input === undefined) return undefined;
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    let count = 0;
    for (const request of Object.values((input.RequestItems ?? {}) as Record<string, unknown>)) {
      if (Array.isArray(request)) count += request.length;
      else count += ((request as { Keys?: unknown[] }).Keys ?? []).length;
    }
    return count;
  }
  if (operation === 'TransactWriteItems') return ((input.TransactItems ?? []) as unknown[]).length;
  return undefined;
}
