/**
 * What the chaos driver and its worker processes say to each other over IPC, and what a worker
 * writes to its black box right before it kills itself.
 */
import type { MSKEvent } from 'aws-lambda';
import type { ChaosConsumerName } from './options';

/**
 * Where a worker is killed (SIGKILL), counted per delivery, each at the n-th matching moment:
 * - `before-claim`: a claim's request is about to be sent;
 * - `after-claim`: a claim has been written (response received);
 * - `mid-effect`: the effect's request is sent and the worker dies without waiting for its answer;
 * - `after-effect`: the effect is written, its completion not yet sent (two-phase); for a
 *   transactional consumer the effect and the completion are one request, so this is right after it;
 * - `after-complete`: a completion has been written (response received);
 * - `before-return`: the handler has returned, the response never reaches the event source mapping.
 */
export const KILL_POINTS = [
  'before-claim',
  'after-claim',
  'mid-effect',
  'after-effect',
  'after-complete',
  'before-return',
] as const;

/** One of {@link KILL_POINTS}. */
export type KillPoint = (typeof KILL_POINTS)[number];

/** A store call made to fail after all the SDK's retries (a throttling storm or a network outage). */
export interface StormPlan {
  readonly target: 'claim' | 'complete' | 'effect' | 'precheck';
  readonly fault: 'throttle' | 'outage';
  /** Attempts failed in a row once the first matching request is seen. */
  readonly attempts: number;
}

/** The faults of one delivery, decided by the driver from the seed. */
export interface FaultPlan {
  readonly kill: { readonly point: KillPoint; readonly nth: number } | undefined;
  readonly throttleRate: number;
  readonly dropRate: number;
  readonly storm: StormPlan | undefined;
  /** Delay (ms) added to the first effect request: a handler slower than the Lambda timeout. */
  readonly slowEffectMs: number | undefined;
  /** Seed of the worker's per-attempt fault decisions in this delivery. */
  readonly seed: number;
}

/** What the worker needs to know about each record to attribute requests to logical events. */
export interface JobRecord {
  /** `topic-partition@offset`. */
  readonly coordinates: string;
  readonly logicalId: number;
  readonly eventId: string | undefined;
  /** The essay or batch the effect is about. */
  readonly businessId: string | undefined;
}

/** One invocation. */
export interface Job {
  readonly deliveryId: string;
  readonly consumer: ChaosConsumerName;
  readonly event: MSKEvent;
  readonly records: readonly JobRecord[];
  /** Epoch ms of the fake Lambda's deadline; `getRemainingTimeInMillis` counts down to it. */
  readonly deadline: number;
  readonly faults: FaultPlan;
}

/** An effect that ran (or may have run) without a completion written by the same attempt. */
export interface OpenWindow {
  readonly logicalId: number;
  /** The execution (the ledger item's sort key). */
  readonly execId: string;
  /** `committed`: the effect's request succeeded; `in-flight`: sent, answer unknown. */
  readonly effect: 'committed' | 'in-flight';
  /** `true` when the completion was sent but its answer is unknown (it may have been written). */
  readonly completionInFlight: boolean;
  /** Owner token of the attempt (from its claim): the audit compares it with the final record's. */
  readonly owner: string | undefined;
}

/** Counters of one delivery, filled by the worker's middleware and metric recorder. */
export interface DeliveryStats {
  /** HTTP attempts by request kind (`claim`, `complete`, `effect`, ...). */
  readonly requests: Record<string, number>;
  /** Attempts by DynamoDB operation. */
  readonly operations: Record<string, number>;
  /** Faults injected, by kind (`throttle`, `drop-response`, `storm`, `slow`). */
  readonly faults: Record<string, number>;
  /** Layer metrics (`Processed`, `Duplicate`, `Takeover`, `HandlerDuration` count, ...). */
  readonly metrics: Record<string, number>;
  /** Claims that took over a `processing` record (seen in the claim's `ALL_OLD`). */
  takeovers: number;
  /** Takeovers done by a worker whose clock is skewed. */
  skewedTakeovers: number;
  /** Claim to completion (ms) of each record this delivery completed. */
  readonly latenciesMs: number[];
  /** Effects without their completion when the delivery ended (or the worker died). */
  openWindows: OpenWindow[];
  /** Effect executions by logical id (from the requests: committed effect writes). */
  readonly effects: Record<string, number>;
  /** Transactional completions written, by logical id, one per transaction token. */
  readonly transactions: Record<string, number>;
  /** Capacity units reported by the engine. */
  capacityUnits: number;
  /** The worker's clock offset (ms); 0 for an unskewed worker. */
  clockOffsetMs: number;
}

/** An empty {@link DeliveryStats}. */
export function emptyStats(): DeliveryStats {
  return {
    requests: {},
    operations: {},
    faults: {},
    metrics: {},
    takeovers: 0,
    skewedTakeovers: 0,
    latenciesMs: [],
    openWindows: [],
    effects: {},
    transactions: {},
    capacityUnits: 0,
    clockOffsetMs: 0,
  };
}

/** Driver to worker. */
export type DriverMessage = { readonly type: 'job'; readonly job: Job } | { readonly type: 'exit' };

/** Worker to driver. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly pid: number; readonly startupMs: number }
  | {
      readonly type: 'done';
      readonly deliveryId: string;
      readonly outcome:
        | { readonly kind: 'returned'; readonly batchItemFailures: readonly BatchItemFailure[] }
        | { readonly kind: 'threw'; readonly error: string };
      readonly stats: DeliveryStats;
    };

/** One entry of a partial batch response. */
export interface BatchItemFailure {
  readonly itemIdentifier: { readonly partition: string; readonly offset: number };
}

/** What a worker writes synchronously to its black box right before it kills itself. */
export interface BlackBoxEntry {
  readonly deliveryId: string;
  readonly pid: number;
  /** The kill point, or `timeout` when the fake Lambda ran past its deadline. */
  readonly point: KillPoint | 'timeout';
  readonly stats: DeliveryStats;
}
