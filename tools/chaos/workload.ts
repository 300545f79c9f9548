/**
 * The producers of a chaos run: logical events for each consumer, laid out on topic partitions in
 * production order, with producer-retry duplicates (same `data`, new `event_id`, on the same or
 * another partition) and a few poison records. Pure: the same seed gives the same topics.
 */
import type { ChaosConsumerName } from './options';
import type { Random } from './random';

/** Event types of the sample domain (the consumers' contracts). */
export const CHAOS_EVENT_TYPES = {
  spellcheckRequested: 'huleedu.essay.spellcheck.requested.v1',
  batchRegistered: 'huleedu.essay.batch.registered.v1',
  contentProvisioned: 'huleedu.essay.content.provisioned.v1',
  unknown: 'huleedu.chaos.unknown.v1',
} as const;

/**
 * How a poison record is malformed: `non-json`/`non-utf8` bytes, an envelope whose `data` breaks the
 * consumer's schema (`bad-data`), an event type nobody handles (`unknown-type`), or content for an
 * essay that is not part of its batch (`foreign-essay`, a business rule of essay-lifecycle).
 */
export type PoisonKind = 'non-json' | 'non-utf8' | 'bad-data' | 'unknown-type' | 'foreign-essay';

/** What a logical event is, and so what its audit expects. */
export type LogicalKind = 'spellcheck' | 'registration' | 'provisioning' | 'poison';

/** One business event as its producer meant it; its copies are records on the topics. */
export interface LogicalEvent {
  readonly id: number;
  readonly consumer: ChaosConsumerName;
  readonly kind: LogicalKind;
  readonly poison: PoisonKind | undefined;
  readonly topic: string;
  readonly eventType: string | undefined;
  /** The envelope's `data` (absent for byte-level poison). */
  readonly data: Record<string, unknown> | undefined;
  /** The essay (spellcheck, provisioning) or batch (registration) the effect is about. */
  readonly businessId: string | undefined;
  /** Batch of a registration or provisioning. */
  readonly batchId: string | undefined;
  /** Records produced for it (1 + producer duplicates). */
  copies: number;
}

/** One record of a topic partition. */
export interface ProducedRecord {
  readonly logicalId: number;
  /** `event_id` of this copy; absent for byte-level poison. */
  readonly eventId: string | undefined;
  /** The value, base64 as the event source delivers it. */
  readonly value: string;
  /** 0 for the original, n for the n-th producer duplicate. */
  readonly copy: number;
  readonly timestamp: number;
}

/** One topic of the run. */
export interface TopicLog {
  readonly topic: string;
  readonly consumer: ChaosConsumerName;
  readonly partitions: ProducedRecord[][];
}

/** Everything the producers wrote. */
export interface Workload {
  readonly events: readonly LogicalEvent[];
  readonly topics: readonly TopicLog[];
}

/** Options of {@link buildWorkload}. */
export interface WorkloadOptions {
  /** Logical events per consumer. */
  readonly eventsPerConsumer: Readonly<Partial<Record<ChaosConsumerName, number>>>;
  readonly partitions: number;
  readonly duplicateRate: number;
  /** Poison records per consumer (included in its events). */
  readonly poison: number;
  /** Tags ids, so that two runs never share a key. */
  readonly runId: string;
  /** Epoch ms of the first record. */
  readonly startedAt: number;
}

/** Topic names: the spellchecker's, and essay-lifecycle's two (registrations and content travel apart). */
export const CHAOS_TOPICS = {
  spellcheck: 'chaos.spellcheck.requested',
  registrations: 'chaos.essay.batch.registered',
  content: 'chaos.essay.content.provisioned',
} as const;

const SPELLCHECK_POISON: readonly PoisonKind[] = ['non-json', 'bad-data', 'unknown-type', 'non-utf8'];
const ESSAY_POISON: readonly PoisonKind[] = ['foreign-essay', 'non-json', 'bad-data', 'unknown-type'];
const WORDS = ['teh', 'cat', 'sat', 'on', 'recieve', 'the', 'mat', 'wich', 'essay', 'definately', 'good'];

interface Emission {
  readonly at: number;
  readonly seq: number;
  readonly topic: TopicLog;
  readonly partition: number;
  readonly logicalId: number;
  readonly copy: number;
  readonly bytes: Buffer;
  readonly eventId: string | undefined;
}

/**
 * Builds the topics of a run. Logical events are spread over an abstract production time; each
 * copy lands on the partition of its Kafka key (essay id or batch id), except the producer
 * duplicates sent to another partition on purpose. Essay-lifecycle registrations and content travel
 * on two topics, so content may overtake its registration (the consumer retries it).
 *
 * @example
 * ```ts
 * const workload = buildWorkload(new Random(1), { eventsPerConsumer: { spellchecker: 100 }, partitions: 4, duplicateRate: 0.1, poison: 4, runId: 'r1', startedAt: Date.now() });
 * ```
 */
export function buildWorkload(rng: Random, options: WorkloadOptions): Workload {
  const events: LogicalEvent[] = [];
  const emissions: Emission[] = [];
  const topics: TopicLog[] = [];
  const partitions = options.partitions;
  const topic = (name: string, consumer: ChaosConsumerName): TopicLog => {
    const log: TopicLog = { topic: name, consumer, partitions: Array.from({ length: partitions }, () => []) };
    topics.push(log);
    return log;
  };
  let seq = 0;
  const emit = (
    event: LogicalEvent,
    log: TopicLog,
    at: number,
    key: string,
    bytes: (copy: number) => { bytes: Buffer; eventId: string | undefined },
    crossPartition: number,
  ) => {
    const home = hash(key) % partitions;
    const first = bytes(0);
    emissions.push({ at, seq: seq++, topic: log, partition: home, logicalId: event.id, copy: 0, ...first });
    if (rng.chance(options.duplicateRate)) {
      event.copies += 1;
      const other = partitions > 1 && rng.chance(crossPartition);
      const partition = other ? (home + rng.int(1, partitions - 1)) % partitions : home;
      emissions.push({
        at: at + rng.int(1, 60),
        seq: seq++,
        topic: log,
        partition,
        logicalId: event.id,
        copy: 1,
        ...bytes(1),
      });
    }
  };
  const envelopeBytes =
    (event: LogicalEvent, eventType: string, data: Record<string, unknown>) =>
    (copy: number): { bytes: Buffer; eventId: string } => {
      const eventId = `evt-${options.runId}-${event.id}-${copy}`;
      const body = {
        event_id: eventId,
        event_type: eventType,
        event_timestamp: new Date(options.startedAt + event.id).toISOString(),
        source_service: 'chaos-producer',
        correlation_id: `corr-${options.runId}-${event.id}`,
        data,
      };
      return { bytes: Buffer.from(JSON.stringify(body), 'utf8'), eventId };
    };
  const newEvent = (fields: Omit<LogicalEvent, 'id' | 'copies'>): LogicalEvent => {
    const event: LogicalEvent = { id: events.length, copies: 1, ...fields };
    events.push(event);
    return event;
  };

  const spellcheckCount = options.eventsPerConsumer.spellchecker ?? 0;
  if (spellcheckCount > 0) {
    const log = topic(CHAOS_TOPICS.spellcheck, 'spellchecker');
    const poison = Math.min(options.poison, spellcheckCount);
    const poisonAt = new Set(rng.shuffle([...Array(spellcheckCount).keys()]).slice(0, poison));
    let poisonIndex = 0;
    for (let i = 0; i < spellcheckCount; i++) {
      const at = i * 10 + rng.int(0, 9);
      const essayId = `sc-${options.runId}-${i}`;
      if (poisonAt.has(i)) {
        const kind = SPELLCHECK_POISON[poisonIndex++ % SPELLCHECK_POISON.length] ?? 'non-json';
        const event = newEvent({
          consumer: 'spellchecker',
          kind: 'poison',
          poison: kind,
          topic: log.topic,
          eventType:
            kind === 'unknown-type' ? CHAOS_EVENT_TYPES.unknown : CHAOS_EVENT_TYPES.spellcheckRequested,
          data: undefined,
          businessId: essayId,
          batchId: undefined,
        });
        emit(event, log, at, essayId, poisonBytes(kind, event, envelopeBytes, essayId), 0.5);
        continue;
      }
      const text = Array.from({ length: rng.int(3, 12) }, () => rng.pick(WORDS)).join(' ');
      const data = { essay_id: essayId, text, language: 'en' };
      const event = newEvent({
        consumer: 'spellchecker',
        kind: 'spellcheck',
        poison: undefined,
        topic: log.topic,
        eventType: CHAOS_EVENT_TYPES.spellcheckRequested,
        data,
        businessId: essayId,
        batchId: undefined,
      });
      emit(event, log, at, essayId, envelopeBytes(event, CHAOS_EVENT_TYPES.spellcheckRequested, data), 0.5);
    }
  }

  const essayCount = options.eventsPerConsumer['essay-lifecycle'] ?? 0;
  if (essayCount > 0) {
    const registrations = topic(CHAOS_TOPICS.registrations, 'essay-lifecycle');
    const content = topic(CHAOS_TOPICS.content, 'essay-lifecycle');
    const poisonTotal = Math.min(options.poison, Math.max(0, essayCount - 2));
    let produced = 0;
    let batchIndex = 0;
    const batches: { batchId: string; at: number }[] = [];
    while (produced < essayCount - poisonTotal) {
      const left = essayCount - poisonTotal - produced;
      const size = Math.max(1, Math.min(rng.int(2, 8), left - 1));
      const batchId = `b-${options.runId}-${batchIndex++}`;
      const essayIds = Array.from({ length: size }, (_, j) => `e-${batchId}-${j}`);
      const at = produced * 10 + rng.int(0, 9);
      batches.push({ batchId, at });
      const data = { batch_id: batchId, essay_ids: essayIds };
      const registration = newEvent({
        consumer: 'essay-lifecycle',
        kind: 'registration',
        poison: undefined,
        topic: registrations.topic,
        eventType: CHAOS_EVENT_TYPES.batchRegistered,
        data,
        businessId: batchId,
        batchId,
      });
      emit(
        registration,
        registrations,
        at,
        batchId,
        envelopeBytes(registration, CHAOS_EVENT_TYPES.batchRegistered, data),
        0.3,
      );
      produced += 1;
      for (const essayId of essayIds) {
        if (produced >= essayCount - poisonTotal) break;
        const provisioned = { batch_id: batchId, essay_id: essayId, text_storage_id: `ts-${essayId}` };
        const event = newEvent({
          consumer: 'essay-lifecycle',
          kind: 'provisioning',
          poison: undefined,
          topic: content.topic,
          eventType: CHAOS_EVENT_TYPES.contentProvisioned,
          data: provisioned,
          businessId: essayId,
          batchId,
        });
        emit(
          event,
          content,
          at + rng.int(1, 40),
          batchId,
          envelopeBytes(event, CHAOS_EVENT_TYPES.contentProvisioned, provisioned),
          0.3,
        );
        produced += 1;
      }
    }
    for (let i = 0; i < poisonTotal; i++) {
      const kind = ESSAY_POISON[i % ESSAY_POISON.length] ?? 'non-json';
      const batch = rng.pick(batches);
      const essayId = `foreign-${options.runId}-${i}`;
      const event = newEvent({
        consumer: 'essay-lifecycle',
        kind: 'poison',
        poison: kind,
        topic: content.topic,
        eventType: kind === 'unknown-type' ? CHAOS_EVENT_TYPES.unknown : CHAOS_EVENT_TYPES.contentProvisioned,
        data: undefined,
        businessId: essayId,
        batchId: batch.batchId,
      });
      const bytes =
        kind === 'foreign-essay'
          ? envelopeBytes(event, CHAOS_EVENT_TYPES.contentProvisioned, {
              batch_id: batch.batchId,
              essay_id: essayId,
              text_storage_id: `ts-${essayId}`,
            })
          : poisonBytes(kind, event, envelopeBytes, essayId);
      emit(event, content, batch.at + rng.int(1, 40), batch.batchId, bytes, 0.3);
    }
  }

  emissions.sort((a, b) => a.at - b.at || a.seq - b.seq);
  for (const e of emissions) {
    e.topic.partitions[e.partition]?.push({
      logicalId: e.logicalId,
      eventId: e.eventId,
      value: e.bytes.toString('base64'),
      copy: e.copy,
      timestamp: options.startedAt + e.at,
    });
  }
  return { events, topics };
}

function poisonBytes(
  kind: PoisonKind,
  event: LogicalEvent,
  envelopeBytes: (
    event: LogicalEvent,
    eventType: string,
    data: Record<string, unknown>,
  ) => (copy: number) => { bytes: Buffer; eventId: string },
  essayId: string,
): (copy: number) => { bytes: Buffer; eventId: string | undefined } {
  switch (kind) {
    case 'non-json':
      return () => ({ bytes: Buffer.from(`not json: ${essayId} {`, 'utf8'), eventId: undefined });
    case 'non-utf8':
      return () => ({
        bytes: Buffer.concat([
          Buffer.from(`{"essay_id":"${essayId}","x":"`, 'utf8'),
          Buffer.from([0xc3, 0x28, 0xff]),
        ]),
        eventId: undefined,
      });
    case 'unknown-type':
      return envelopeBytes(event, CHAOS_EVENT_TYPES.unknown, { essay_id: essayId });
    case 'bad-data':
      return envelopeBytes(event, event.eventType ?? CHAOS_EVENT_TYPES.spellcheckRequested, {
        essay_id: essayId,
        batch_id: 42,
      });
    case 'foreign-essay':
      return envelopeBytes(event, CHAOS_EVENT_TYPES.contentProvisioned, { essay_id: essayId });
  }
}

/** FNV-1a, for a stable partition per Kafka key. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
