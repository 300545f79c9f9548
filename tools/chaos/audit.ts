/**
 * After the drain: reads what is actually in DynamoDB (idempotency records, the consumers' tables,
 * the ledger) and the dead-letter files, and reconciles them with what the producers sent and what
 * the workers saw, into the figures the verdict judges.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type DeadLetterEntry,
  IDEMPOTENCY_TABLE_SCHEMA,
  type IdempotencyRecord,
  RecordStatus,
} from '../../shared/internal';
import { scanAll } from '../testing/tables';
import { CHAOS_CONSUMER_SPECS, CHAOS_TABLES } from './consumers';
import type { ChaosConsumerName } from './options';
import {
  type ConsumerFigures,
  explainDuplicates,
  leftOpenAtReturn,
  type OpenWindowFact,
  percentile,
} from './report';
import type { LogicalEvent, Workload } from './workload';

/** What the driver counted for one consumer while the run went on. */
export interface ConsumerTally {
  deliveries: number;
  recordsDelivered: number;
  /** Deliveries of each logical event (a record counts once per delivery it is in). */
  readonly deliveredByLogical: Map<number, number>;
  readonly requests: Record<string, number>;
  readonly faults: Record<string, number>;
  readonly metrics: Record<string, number>;
  takeovers: number;
  skewedTakeovers: number;
  readonly latenciesMs: number[];
  capacityUnits: number;
  readonly windows: OpenWindowFact[];
  readonly kills: Record<string, number>;
  deathsWithoutBlackBox: number;
  /** Transactional completions written per logical event (one per transaction token). */
  readonly transactions: Map<number, number>;
}

/**
 * A fresh tally.
 *
 * @example
 * ```ts
 * const tally = emptyTally();
 * ```
 */
export function emptyTally(): ConsumerTally {
  return {
    deliveries: 0,
    recordsDelivered: 0,
    deliveredByLogical: new Map(),
    requests: {},
    faults: {},
    metrics: {},
    takeovers: 0,
    skewedTakeovers: 0,
    latenciesMs: [],
    capacityUnits: 0,
    windows: [],
    kills: {},
    deathsWithoutBlackBox: 0,
    transactions: new Map(),
  };
}

/**
 * Reads the dead-letter files the workers appended to (one JSON line per entry).
 *
 * @example
 * ```ts
 * const entries = readDeadLetters('.local/chaos/run-1/dead-letters');
 * ```
 */
export function readDeadLetters(dir: string): DeadLetterEntry[] {
  if (!existsSync(dir)) return [];
  const entries: DeadLetterEntry[] = [];
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.trim() !== '') entries.push(JSON.parse(line) as DeadLetterEntry);
    }
  }
  return entries;
}

/** Inputs of {@link auditConsumer}. */
export interface AuditInput {
  readonly consumer: ChaosConsumerName;
  readonly workload: Workload;
  readonly tally: ConsumerTally;
  readonly records: readonly IdempotencyRecord[];
  readonly business: readonly Record<string, unknown>[];
  readonly ledger: readonly Record<string, unknown>[];
  readonly deadLetters: readonly DeadLetterEntry[];
}

/**
 * Reconciles one consumer: every logical event must have its effect and a `completed` (or, for
 * poison, `failed` and dead-lettered) record; no record may be left `processing`; duplicate effects
 * are counted from the ledger (two-phase) or the business table's counters (transactional) and
 * matched against the open windows the workers reported.
 *
 * @example
 * ```ts
 * const { figures, anomalies } = auditConsumer({ consumer: 'spellchecker', workload, tally, records, business, ledger, deadLetters });
 * ```
 */
export function auditConsumer(input: AuditInput): {
  readonly figures: ConsumerFigures;
  readonly anomalies: readonly string[];
} {
  const spec = CHAOS_CONSUMER_SPECS[input.consumer];
  const events = input.workload.events.filter((e) => e.consumer === input.consumer);
  const topics = input.workload.topics.filter((t) => t.consumer === input.consumer);
  const byEventId = new Map<string, number>();
  const byCoordinates = new Map<string, number>();
  const eventIdsOf = new Map<number, string[]>();
  let recordsProduced = 0;
  for (const t of topics) {
    t.partitions.forEach((records, partition) => {
      records.forEach((r, offset) => {
        recordsProduced += 1;
        byCoordinates.set(`${t.topic}-${partition}@${offset}`, r.logicalId);
        if (r.eventId !== undefined) {
          byEventId.set(r.eventId, r.logicalId);
          const list = eventIdsOf.get(r.logicalId) ?? [];
          list.push(r.eventId);
          eventIdsOf.set(r.logicalId, list);
        }
      });
    });
  }
  const problems: string[] = [];
  const problem = (kind: string, text: string) => {
    const seen = problems.filter((p) => p.startsWith(kind)).length;
    if (seen < 5) problems.push(`${kind}: ${text}`);
  };
  const anomalies: string[] = [];

  // Idempotency records of this consumer's service, mapped back to logical events.
  const recordOf = new Map<number, IdempotencyRecord>();
  const ownRecords = input.records.filter((r) => r.service === spec.name);
  for (const r of ownRecords) {
    const coordinates =
      r.topic !== undefined && r.partition !== undefined && r.offset !== undefined
        ? `${r.topic}-${r.partition}@${r.offset}`
        : undefined;
    const logicalId =
      (r.event_id !== undefined ? byEventId.get(r.event_id) : undefined) ??
      (coordinates !== undefined ? byCoordinates.get(coordinates) : undefined);
    if (logicalId === undefined) {
      anomalies.push(`record ${r[IDEMPOTENCY_TABLE_SCHEMA.partitionKey]} maps to no produced event`);
      continue;
    }
    const earlier = recordOf.get(logicalId);
    if (earlier && earlier.id !== r.id) anomalies.push(`event ${logicalId} has two idempotency records`);
    recordOf.set(logicalId, r);
  }
  const stuck = ownRecords.filter((r) => r.status === RecordStatus.PROCESSING);
  for (const r of stuck)
    problem('stuck', `${r.id} (event ${r.event_id ?? '-'}), lease until ${r.lease_expires_at}`);

  // Dead letters mapped back to logical events.
  const deadLettered = new Map<number, number>();
  let deadLetterEntries = 0;
  for (const d of input.deadLetters) {
    if (d.service !== spec.name) continue;
    deadLetterEntries += 1;
    const coordinates = d.coordinates
      ? `${d.coordinates.topic}-${d.coordinates.partition}@${d.coordinates.offset}`
      : undefined;
    const logicalId =
      (d.event_id !== undefined ? byEventId.get(d.event_id) : undefined) ??
      (coordinates !== undefined ? byCoordinates.get(coordinates) : undefined);
    if (logicalId === undefined) {
      anomalies.push(`dead letter ${d.idempotency_key} maps to no produced event`);
      continue;
    }
    deadLettered.set(logicalId, (deadLettered.get(logicalId) ?? 0) + 1);
  }

  let lost = 0;
  let effectsExecuted = 0;
  let duplicateEffects = 0;
  let unexplained = 0;
  let explained: Readonly<Record<string, number>> = {};
  let handlerSawOwnEffect = 0;
  let windowsCompleted = 0;

  const poisonOk = (e: LogicalEvent, effectFound: boolean): boolean => {
    const r = recordOf.get(e.id);
    const ok = r?.status === RecordStatus.FAILED && (deadLettered.get(e.id) ?? 0) > 0 && !effectFound;
    if (!ok) {
      problem(
        'lost',
        `poison event ${e.id} (${e.poison}): record ${r?.status ?? 'absent'}, ${deadLettered.get(e.id) ?? 0} dead letters${effectFound ? ', and an effect was written' : ''}`,
      );
    }
    return ok;
  };
  for (const e of events) {
    if (e.kind !== 'poison' && (deadLettered.get(e.id) ?? 0) > 0) {
      problem('dead-lettered', `good event ${e.id} (${e.kind} ${e.businessId}) was dead-lettered`);
    }
  }

  if (spec.mode === 'two-phase') {
    // Ledger: one item per effect execution, written in the effect's own transaction.
    const executions = new Map<number, string[]>();
    const byBusinessId = new Map<string, number>();
    for (const e of events) if (e.businessId !== undefined) byBusinessId.set(e.businessId, e.id);
    for (const item of input.ledger) {
      const logicalId = typeof item.pk === 'string' ? byBusinessId.get(item.pk) : undefined;
      if (logicalId === undefined) continue;
      const list = executions.get(logicalId) ?? [];
      list.push(String(item.sk));
      executions.set(logicalId, list);
      effectsExecuted += 1;
    }
    const results = new Set<string>();
    for (const item of input.business) if (typeof item.essay_id === 'string') results.add(item.essay_id);
    // A window whose attempt is the owner of the final `completed` record did complete (its
    // completion was in flight when the worker died): it cannot account for a duplicate.
    const windows = new Map<string, OpenWindowFact>();
    for (const w of input.tally.windows) {
      const r = recordOf.get(w.logicalId);
      const completedByIt =
        r?.status === RecordStatus.COMPLETED && w.owner !== undefined && r.owner === w.owner;
      if (completedByIt) windowsCompleted += 1;
      else windows.set(w.execId, w);
    }
    const explanation = explainDuplicates(executions, windows);
    duplicateEffects = explanation.duplicates;
    unexplained = explanation.unexplained;
    explained = explanation.explained;
    for (const d of explanation.detail) problem('duplicate', d);
    for (const e of events) {
      const execs = executions.get(e.id)?.length ?? 0;
      if (e.kind === 'poison') {
        if (!poisonOk(e, execs > 0)) lost += 1;
        continue;
      }
      const r = recordOf.get(e.id);
      const hasResult = e.businessId !== undefined && results.has(e.businessId);
      if (r?.status !== RecordStatus.COMPLETED || execs === 0 || !hasResult) {
        lost += 1;
        problem(
          'lost',
          `event ${e.id} (${e.businessId}): record ${r?.status ?? 'absent'}, ${execs} ledger executions, result item ${hasResult ? 'present' : 'absent'}`,
        );
      }
    }
  } else {
    // Business table: ready_count per batch vs the essays provisioned, essay items as markers.
    const batches = new Map<string, Record<string, unknown>>();
    const essays = new Map<string, Record<string, unknown>>();
    for (const item of input.business) {
      const pk = String(item.pk);
      const sk = String(item.sk);
      if (!pk.startsWith('BATCH#')) continue;
      const batchId = pk.slice('BATCH#'.length);
      if (sk === 'META') batches.set(batchId, item);
      else if (sk.startsWith('ESSAY#')) essays.set(`${batchId}/${sk.slice('ESSAY#'.length)}`, item);
    }
    const markersPerBatch = new Map<string, number>();
    for (const key of essays.keys()) {
      const batchId = key.slice(0, key.lastIndexOf('/'));
      markersPerBatch.set(batchId, (markersPerBatch.get(batchId) ?? 0) + 1);
    }
    const provisionedPerBatch = new Map<string, number>();
    for (const e of events) {
      if (e.kind === 'provisioning' && e.batchId !== undefined) {
        provisionedPerBatch.set(e.batchId, (provisionedPerBatch.get(e.batchId) ?? 0) + 1);
      }
    }
    for (const [batchId, item] of batches) {
      const ready = Number(item.ready_count ?? 0);
      const expected = provisionedPerBatch.get(batchId) ?? 0;
      const markers = markersPerBatch.get(batchId) ?? 0;
      effectsExecuted += 1 + ready;
      if (ready > expected) {
        duplicateEffects += ready - expected;
        problem(
          'duplicate',
          `batch ${batchId}: ready_count ${ready} for ${expected} distinct essays provisioned`,
        );
      }
      if (ready !== markers) {
        problem('duplicate', `batch ${batchId}: ready_count ${ready} but ${markers} ready essay items`);
      }
    }
    for (const [logicalId, n] of input.tally.transactions) {
      if (n > 1) {
        duplicateEffects += n - 1;
        problem('duplicate', `event ${logicalId}: ${n} transactional completions committed`);
      }
    }
    for (const e of events) {
      const r = recordOf.get(e.id);
      if (e.kind === 'poison') {
        const marker =
          e.batchId !== undefined && e.businessId !== undefined && essays.has(`${e.batchId}/${e.businessId}`);
        if (!poisonOk(e, marker)) lost += 1;
        continue;
      }
      const outcome = resultOutcome(r);
      if (outcome === 'already-registered' || outcome === 'already-ready') {
        handlerSawOwnEffect += 1;
        problem(
          'handler-saw-own-effect',
          `event ${e.id} (${e.kind} ${e.businessId}) completed with ${outcome}`,
        );
      }
      const effect =
        e.kind === 'registration'
          ? e.batchId !== undefined && batches.has(e.batchId)
          : e.batchId !== undefined &&
            e.businessId !== undefined &&
            essays.has(`${e.batchId}/${e.businessId}`);
      if (r?.status !== RecordStatus.COMPLETED || !effect) {
        lost += 1;
        problem(
          'lost',
          `event ${e.id} (${e.kind} ${e.batchId}/${e.businessId}): record ${r?.status ?? 'absent'}, effect ${effect ? 'present' : 'absent'}`,
        );
      }
    }
    for (const [batchId, expected] of provisionedPerBatch) {
      const item = batches.get(batchId);
      const ready = Number(item?.ready_count ?? 0);
      if (ready < expected)
        problem('lost', `batch ${batchId}: ready_count ${ready} for ${expected} essays provisioned`);
    }
  }
  for (const a of anomalies.slice(0, 5)) problem('anomaly', a);

  const tally = input.tally;
  const totalRequests = Object.values(tally.requests).reduce((a, b) => a + b, 0);
  let duplicatesDelivered = 0;
  for (const n of tally.deliveredByLogical.values()) duplicatesDelivered += Math.max(0, n - 1);
  const deathWindows = tally.windows.filter((w) => !leftOpenAtReturn(w.cause));
  const eventsProduced = events.length;
  const figures: ConsumerFigures = {
    consumer: spec.name,
    mode: spec.mode,
    partialBatchResponse: spec.partialBatchResponse,
    eventsProduced,
    recordsProduced,
    producerDuplicates: recordsProduced - eventsProduced,
    poisonEvents: events.filter((e) => e.kind === 'poison').length,
    deliveries: tally.deliveries,
    recordsDelivered: tally.recordsDelivered,
    duplicatesDelivered,
    handlerInvocations: tally.metrics.HandlerDuration ?? 0,
    effectsExecuted,
    duplicateEffects,
    duplicateEffectsExplained: explained,
    unexplainedDuplicateEffects: unexplained,
    openWindowsAtDeath: {
      effectWritten: deathWindows.filter((w) => w.effectCommitted && !w.completionInFlight).length,
      uncertain: deathWindows.filter((w) => !w.effectCommitted || w.completionInFlight).length,
    },
    openWindowsAtReturn: tally.windows.filter((w) => leftOpenAtReturn(w.cause)).length,
    openWindowsCompleted: windowsCompleted,
    lostEvents: lost,
    stuckRecords: stuck.length,
    takeovers: tally.takeovers,
    deadLetters: { entries: deadLetterEntries, events: deadLettered.size },
    handlerSawOwnEffect,
    latencyMs: {
      count: tally.latenciesMs.length,
      p50: percentile(tally.latenciesMs, 50),
      p99: percentile(tally.latenciesMs, 99),
      max: percentile(tally.latenciesMs, 100),
    },
    requests: {
      total: totalRequests,
      perEvent: eventsProduced === 0 ? 0 : totalRequests / eventsProduced,
      byKind: { ...tally.requests },
    },
    capacityUnitsPerEvent: eventsProduced === 0 ? 0 : tally.capacityUnits / eventsProduced,
    kills: { ...tally.kills },
    deathsWithoutBlackBox: tally.deathsWithoutBlackBox,
    faults: { ...tally.faults },
    layerMetrics: Object.fromEntries(Object.entries(tally.metrics).filter(([name]) => /^[A-Z]/.test(name))),
    problems,
  };
  return { figures, anomalies };
}

function resultOutcome(record: IdempotencyRecord | undefined): string | undefined {
  if (record?.result === undefined) return undefined;
  try {
    const parsed = JSON.parse(record.result) as { outcome?: unknown };
    return typeof parsed.outcome === 'string' ? parsed.outcome : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads everything the audit needs from DynamoDB.
 *
 * @example
 * ```ts
 * const tables = await readTables(client);
 * ```
 */
export async function readTables(client: DynamoDBDocumentClient): Promise<{
  records: IdempotencyRecord[];
  spellchecks: Record<string, unknown>[];
  essays: Record<string, unknown>[];
  ledger: Record<string, unknown>[];
}> {
  const [records, spellchecks, essays, ledger] = await Promise.all([
    scanAll(client, CHAOS_TABLES.idempotency),
    scanAll(client, CHAOS_TABLES.spellchecks),
    scanAll(client, CHAOS_TABLES.essays),
    scanAll(client, CHAOS_TABLES.ledger),
  ]);
  return { records: records as unknown as IdempotencyRecord[], spellchecks, essays, ledger };
}
