/**
 * Reading and repairing the idempotency table by hand: list its records, and release a record stuck
 * in `processing` with the same fencing the layer uses (conditional on the owner that was read).
 */
import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  IDEMPOTENCY_TABLE_SCHEMA,
  type IdempotencyRecord,
  RecordStatus,
  releaseRequest,
} from '../../shared/internal';
import { type Column, formatTable, relativeTime, shortKey } from './cli';

/**
 * Reads every record of an idempotency table (a paginated, strongly consistent scan), optionally
 * only those with a given status, ordered by claim time. A table that does not exist has no records.
 *
 * @example
 * ```ts
 * const stuck = await listRecords(doc, 'local-idempotency', { status: 'processing' });
 * ```
 */
export async function listRecords(
  client: DynamoDBDocumentClient,
  tableName: string,
  options: { readonly status?: RecordStatus | undefined } = {},
): Promise<IdempotencyRecord[]> {
  const records: IdempotencyRecord[] = [];
  let start: Record<string, unknown> | undefined;
  try {
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          ConsistentRead: true,
          ...(options.status
            ? {
                FilterExpression: '#status = :status',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':status': options.status },
              }
            : {}),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      records.push(...((page.Items ?? []) as IdempotencyRecord[]));
      start = page.LastEvaluatedKey;
    } while (start);
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return [];
    throw error;
  }
  return records.sort((a, b) => (a.claimed_at ?? 0) - (b.claimed_at ?? 0) || a.id.localeCompare(b.id));
}

/**
 * Renders records as an aligned table: key (shortened), state, owner, lease, expiry, attempts,
 * event type, error. Times are relative to `now`; a record past its TTL shows `expired` (DynamoDB
 * deletes it lazily, and every read ignores it).
 *
 * @example
 * ```ts
 * console.log(formatRecords(await listRecords(doc, 'local-idempotency')));
 * ```
 */
export function formatRecords(records: readonly IdempotencyRecord[], now: number = Date.now()): string {
  const columns: Column<IdempotencyRecord>[] = [
    { header: 'key', cell: (r) => shortKey(r.id) },
    { header: 'state', cell: (r) => (r.expiration * 1000 < now ? `${r.status} (expired)` : r.status) },
    { header: 'owner', cell: (r) => r.owner.slice(0, 8) },
    { header: 'lease', cell: (r) => leaseText(r, now) },
    { header: 'expires', cell: (r) => relativeTime(r.expiration * 1000, now) },
    { header: 'attempts', cell: (r) => String(r.attempts ?? ''), right: true },
    { header: 'event type', cell: (r) => r.event_type },
    { header: 'error', cell: (r) => (r.error ? `${r.error.name}: ${r.error.message}` : ''), max: 70 },
  ];
  return formatTable(columns, records);
}

function leaseText(record: IdempotencyRecord, now: number): string {
  if (record.status !== RecordStatus.PROCESSING || record.lease_expires_at === undefined) return '-';
  return record.lease_expires_at < now
    ? `expired ${relativeTime(record.lease_expires_at, now)}`
    : `held, ends ${relativeTime(record.lease_expires_at, now)}`;
}

/**
 * Finds the one record a person meant: the exact key, else the only key containing the text given
 * (a shortened key from the table works). Returns the candidates when the text is ambiguous.
 *
 * @example
 * ```ts
 * const match = matchKey(records, 'spellchecker:3f1c9a2b4d5e');
 * ```
 */
export function matchKey(
  records: readonly IdempotencyRecord[],
  text: string,
):
  | { readonly kind: 'one'; readonly id: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'many'; readonly ids: string[] } {
  if (records.some((r) => r.id === text)) return { kind: 'one', id: text };
  const candidates = records.filter((r) => r.id.includes(text) || shortKey(r.id, 64).startsWith(text));
  const [only, ...others] = candidates;
  if (only === undefined) return { kind: 'none' };
  if (others.length === 0) return { kind: 'one', id: only.id };
  return { kind: 'many', ids: candidates.map((r) => r.id) };
}

/** Outcome of {@link releaseRecord}. */
export interface ReleaseResult {
  readonly released: boolean;
  readonly key: string;
  /** Why it was (not) released, in a sentence meant for a person. */
  readonly reason: string;
  /** The record as read before the attempt, if any. */
  readonly record: IdempotencyRecord | undefined;
}

/** Options of {@link releaseRecord}. */
export interface ReleaseOptions {
  /**
   * Release even if the lease is still running (the worker is known to be dead). The delete is still
   * conditional on the owner and the `processing` status that were read.
   * @default false
   */
  readonly force?: boolean;
  /**
   * Margin (ms) a lease must be over by, as a takeover waits it, for clocks that differ.
   * @default 1000
   */
  readonly clockSkewMs?: number;
  /** Current time (epoch ms). @default Date.now() */
  readonly now?: number;
}

/**
 * Releases (deletes) a record stuck in `processing`, so that the next delivery of its event claims
 * it afresh. Fenced like the layer's own writes: the record is read, and deleted only on condition
 * that it still has the owner and `processing` status read, and (unless `force`) a lease that ended
 * more than `clockSkewMs` ago. `completed` and `failed` records are never released: they are what
 * makes a redelivery a duplicate.
 *
 * @example
 * ```ts
 * const result = await releaseRecord(doc, 'local-idempotency', key);
 * console.log(result.reason);
 * ```
 */
export async function releaseRecord(
  client: DynamoDBDocumentClient,
  tableName: string,
  key: string,
  options: ReleaseOptions = {},
): Promise<ReleaseResult> {
  const now = options.now ?? Date.now();
  const skew = options.clockSkewMs ?? 1000;
  const read = await client.send(
    new GetCommand({
      TableName: tableName,
      Key: { [IDEMPOTENCY_TABLE_SCHEMA.partitionKey]: key },
      ConsistentRead: true,
    }),
  );
  const record = read.Item as IdempotencyRecord | undefined;
  const refuse = (reason: string): ReleaseResult => ({ released: false, key, reason, record });
  if (record === undefined) return refuse(`No record ${key} in ${tableName}.`);
  if (record.status !== RecordStatus.PROCESSING) {
    return refuse(
      `Not released: ${key} is ${record.status}, not processing. Only a record stuck in processing can be released; a ${record.status} record is what makes the next delivery of this event a duplicate.`,
    );
  }
  const lease = record.lease_expires_at;
  const leaseOver = lease !== undefined && lease < now - skew;
  if (!leaseOver && !options.force) {
    const when =
      lease === undefined
        ? 'has no lease'
        : `holds its lease until ${new Date(lease).toISOString()} (${relativeTime(lease, now)}${lease < now ? `, within the ${skew} ms clock-skew margin` : ''})`;
    return refuse(
      `Not released: owner ${record.owner} ${when}; its worker may still be running and would then complete the record. Wait for the lease to end, or pass --force if you know the worker is dead.`,
    );
  }
  // The layer's own release (held by that owner, still processing), and unless forced, only once
  // its lease is over: the operator releases on the stuck owner's behalf.
  const release = releaseRequest({ tableName, id: key, owner: record.owner ?? '' });
  const request = options.force
    ? release
    : {
        ...release,
        ConditionExpression: `(${release.ConditionExpression}) AND #lease < :leaseBefore`,
        ExpressionAttributeNames: { ...release.ExpressionAttributeNames, '#lease': 'lease_expires_at' },
        ExpressionAttributeValues: { ...release.ExpressionAttributeValues, ':leaseBefore': now - skew },
      };
  try {
    await client.send(new DeleteCommand(request));
  } catch (error) {
    if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') {
      return refuse(
        `Not released: ${key} changed after it was read (owner ${record.owner} finished it, released it, or another worker took it over); nothing was deleted. Run records again to see its state.`,
      );
    }
    throw error;
  }
  const how =
    lease === undefined
      ? 'no lease'
      : lease < now
        ? `lease ended ${relativeTime(lease, now)}`
        : `lease still running, ends ${relativeTime(lease, now)}; forced`;
  return {
    released: true,
    key,
    reason: `Released ${key} (was processing, owner ${record.owner}, ${how}). The next delivery of its event claims it afresh.`,
    record,
  };
}
