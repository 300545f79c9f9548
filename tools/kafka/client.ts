/**
 * The one module that imports the Kafka client (`@platformatic/kafka`, a devDependency: the local
 * tooling's, never the Lambda bundle's). The emulator, `npm run produce`, the broker module and the
 * tests use these few functions only, so the client can be swapped in one file.
 *
 * Why this client: it is maintained, pure JavaScript (no native addon to build), speaks the
 * protocol of Kafka 4.x, and gives what the event source mapping emulator needs: a group member
 * that starts from the group's committed offsets (or earliest, latest, or a timestamp's offsets),
 * with autocommit off and explicit per-partition commits.
 */
import type * as KafkaClient from '@platformatic/kafka';
import type { Message, MessagesStream } from '@platformatic/kafka';

// The client ships as ES modules only. Node loads it with require(esm) (Node >= 22.12) through its
// own loader (process.getBuiltinModule, out of reach of jest's module registry), so it loads the same
// under tsx and under jest's CommonJS transform, which cannot transform the client's import.meta.
const { Admin, Consumer, MessagesStreamFallbackModes, MessagesStreamModes, Producer } = process
  .getBuiltinModule('node:module')
  .createRequire(__filename)('@platformatic/kafka') as typeof KafkaClient;

/** One record to produce. `value: null` is a tombstone. */
export interface RecordToProduce {
  readonly key?: Buffer | string | undefined;
  readonly value: Buffer | null;
  /** Header values as bytes or UTF-8 text. */
  readonly headers?: Readonly<Record<string, Buffer | string>> | undefined;
  /** Partition to write to; unset, the client's partitioner picks one from the key. */
  readonly partition?: number | undefined;
}

/** Where a produced record landed. */
export interface ProducedOffset {
  readonly partition: number;
  readonly offset: number;
}

/** One record as the broker returned it. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Epoch ms (the record's CreateTime: the broker's default `message.timestamp.type`). */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [string, Buffer])[];
  /** Serialized size as the event source mapping counts it (key + value + headers), bytes. */
  readonly size: number;
}

const CLIENT_ID = 'local-kafka-tooling';

function brokers(bootstrapServers: string): string[] {
  return bootstrapServers
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const bytes = (value: Buffer | string): Buffer =>
  typeof value === 'string' ? Buffer.from(value, 'utf8') : value;

/**
 * Produces records to a topic (acks from all in-sync replicas) and returns where each landed, in order.
 *
 * @example
 * ```ts
 * await produce('127.0.0.1:9092', 'orders', [{ key: 'o-1', value: Buffer.from('{"a":1}'), partition: 0 }]);
 * ```
 */
export async function produce(
  bootstrapServers: string,
  topic: string,
  records: readonly RecordToProduce[],
): Promise<ProducedOffset[]> {
  const producer = new Producer({
    clientId: CLIENT_ID,
    bootstrapBrokers: brokers(bootstrapServers),
    retries: 10,
  });
  try {
    const out: ProducedOffset[] = [];
    // One send per partition run keeps the offsets of a send attributable to its records.
    for (const record of records) {
      const headers = new Map<Buffer, Buffer>();
      for (const [name, value] of Object.entries(record.headers ?? {}))
        headers.set(Buffer.from(name), bytes(value));
      const result = await producer.send({
        acks: -1,
        messages: [
          {
            topic,
            ...(record.key !== undefined ? { key: bytes(record.key) } : {}),
            // A tombstone goes out with no value bytes at all (a null value on the wire).
            ...(record.value !== null ? { value: record.value } : {}),
            headers,
            ...(record.partition !== undefined ? { partition: record.partition } : {}),
          },
        ],
      });
      const landed = result.offsets?.[0];
      out.push({
        partition: landed?.partition ?? record.partition ?? -1,
        offset: Number(landed?.offset ?? -1),
      });
    }
    return out;
  } finally {
    await producer.close();
  }
}

/**
 * Produces many records to a topic in sends of `chunk` records each (acks from all in-sync
 * replicas), in order: records of one partition land in the order given. For bulk loads (the
 * chaos run's topics), where {@link produce}'s per-record offsets are not needed.
 *
 * @example
 * ```ts
 * await produceMany('127.0.0.1:9092', 'orders', [{ value: Buffer.from('{}'), partition: 0 }]);
 * ```
 */
export async function produceMany(
  bootstrapServers: string,
  topic: string,
  records: readonly RecordToProduce[],
  chunk = 500,
): Promise<void> {
  const producer = new Producer({
    clientId: CLIENT_ID,
    bootstrapBrokers: brokers(bootstrapServers),
    retries: 10,
  });
  try {
    for (let i = 0; i < records.length; i += chunk) {
      await producer.send({
        acks: -1,
        messages: records.slice(i, i + chunk).map((record) => ({
          topic,
          ...(record.key !== undefined ? { key: bytes(record.key) } : {}),
          ...(record.value !== null ? { value: record.value } : {}),
          headers: new Map(
            Object.entries(record.headers ?? {}).map(([name, value]) => [Buffer.from(name), bytes(value)]),
          ),
          ...(record.partition !== undefined ? { partition: record.partition } : {}),
        })),
      });
    }
  } finally {
    await producer.close();
  }
}

/**
 * Creates topics that do not exist yet (replication factor 1, for the single local broker).
 *
 * @example
 * ```ts
 * await ensureTopics('127.0.0.1:9092', ['orders'], 4);
 * ```
 */
export async function ensureTopics(
  bootstrapServers: string,
  topics: readonly string[],
  partitions: number,
): Promise<void> {
  const admin = new Admin({ clientId: CLIENT_ID, bootstrapBrokers: brokers(bootstrapServers), retries: 10 });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) await admin.createTopics({ topics: missing, partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

/**
 * The topics of the cluster (without internal ones); doubles as a readiness probe.
 *
 * @example
 * ```ts
 * const topics = await listTopics('127.0.0.1:9092');
 * ```
 */
export async function listTopics(bootstrapServers: string): Promise<string[]> {
  const admin = new Admin({
    clientId: CLIENT_ID,
    bootstrapBrokers: brokers(bootstrapServers),
    retries: 0,
    timeout: 2000,
  });
  try {
    return await admin.listTopics();
  } finally {
    await admin.close();
  }
}

/** Where a consumer group that has no committed offset for a partition starts. */
export type StartingPosition =
  | { readonly kind: 'TRIM_HORIZON' }
  | { readonly kind: 'LATEST' }
  | { readonly kind: 'AT_TIMESTAMP'; readonly timestampMs: number };

/** Options of {@link openGroupReader}. */
export interface GroupReaderOptions {
  readonly bootstrapServers: string;
  readonly groupId: string;
  readonly topic: string;
  readonly startingPosition: StartingPosition;
  /** Called for every record, in offset order per partition. */
  readonly onRecord: (record: ConsumedRecord) => void;
  /** Called when the stream fails for good (the reader is then closed; open a new one). */
  readonly onError: (error: Error) => void;
}

/** A member of a consumer group reading one topic, with explicit commits. */
export interface GroupReader {
  /** Commits `nextOffset` (the offset of the next record to read) for a partition. */
  commit(partition: number, nextOffset: number): Promise<void>;
  /** The group's committed offsets (next offset to read) per partition; -1 when none. */
  committed(partitions: number): Promise<number[]>;
  /** Stops reading (the stream stops pulling; records already delivered stay delivered). */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

/**
 * Joins `groupId` and streams `topic` from the group's committed offsets; a partition without one
 * starts at the starting position. Autocommit is off: only {@link GroupReader.commit} moves the
 * group's offsets.
 *
 * @example
 * ```ts
 * const reader = await openGroupReader({ bootstrapServers, groupId: 'svc.orders', topic: 'orders',
 *   startingPosition: { kind: 'TRIM_HORIZON' }, onRecord: (r) => buffer.push(r), onError: console.error });
 * await reader.commit(0, 42);
 * ```
 */
export async function openGroupReader(options: GroupReaderOptions): Promise<GroupReader> {
  const consumer = new Consumer({
    clientId: CLIENT_ID,
    groupId: options.groupId,
    bootstrapBrokers: brokers(options.bootstrapServers),
    // A broker restart must not end the stream: keep retrying the connection (1 s apart).
    retries: Number.MAX_SAFE_INTEGER,
    retryDelay: 500,
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
    maxWaitTime: 100,
  });
  let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
  try {
    const position = options.startingPosition;
    if (position.kind === 'AT_TIMESTAMP') {
      // The group's committed offsets first; the partitions without one start at the timestamp.
      const offsets = await consumer.listOffsets({
        topics: [options.topic],
        timestamp: BigInt(position.timestampMs),
      });
      const atTime = offsets.get(options.topic) ?? [];
      const committed = await consumer.listCommittedOffsets({
        topics: [{ topic: options.topic, partitions: atTime.map((_, i) => i) }],
      });
      const done = committed.get(options.topic) ?? [];
      stream = await consumer.consume({
        topics: [options.topic],
        autocommit: false,
        mode: MessagesStreamModes.MANUAL,
        offsets: atTime.map((offset, partition) => {
          const c = done[partition] ?? -1n;
          return { topic: options.topic, partition, offset: c >= 0n ? c : offset < 0n ? 0n : offset };
        }),
      });
    } else {
      stream = await consumer.consume({
        topics: [options.topic],
        autocommit: false,
        mode: MessagesStreamModes.COMMITTED,
        fallbackMode:
          position.kind === 'LATEST'
            ? MessagesStreamFallbackModes.LATEST
            : MessagesStreamFallbackModes.EARLIEST,
      });
    }
  } catch (error) {
    await consumer.close(true).catch(() => undefined);
    throw error;
  }
  stream.on('data', (message: Message<Buffer, Buffer, Buffer, Buffer>) =>
    options.onRecord(toRecord(message)),
  );
  stream.on('error', (error: Error) => options.onError(error));
  return {
    async commit(partition, nextOffset) {
      await consumer.commit({
        offsets: [{ topic: options.topic, partition, offset: BigInt(nextOffset), leaderEpoch: -1 }],
      });
    },
    async committed(partitions) {
      const result = await consumer.listCommittedOffsets({
        topics: [{ topic: options.topic, partitions: Array.from({ length: partitions }, (_, i) => i) }],
      });
      return (result.get(options.topic) ?? []).map((o) => Number(o));
    },
    pause: () => stream.pause(),
    resume: () => stream.resume(),
    async close() {
      await stream.close().catch(() => undefined);
      await consumer.close(true).catch(() => undefined);
    },
  };
}

function toRecord(message: Message<Buffer, Buffer, Buffer, Buffer>): ConsumedRecord {
  const key = message.key && message.key.length > 0 ? message.key : null;
  const value = message.value ?? null;
  const headers: [string, Buffer][] = [];
  let size = (key?.length ?? 0) + (value?.length ?? 0);
  for (const [name, v] of message.headerEntries ?? []) {
    const text = name.toString('utf8');
    headers.push([text, v]);
    size += name.length + v.length;
  }
  return {
    topic: message.topic,
    partition: message.partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    key,
    value,
    headers,
    size,
  };
}
