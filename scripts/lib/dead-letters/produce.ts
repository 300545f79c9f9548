/**
 * The one Kafka client call the redrive's produce target makes. A stand-in until the local Kafka
 * tooling's `tools/kafka/client.ts` lands with the same `produce(bootstrapServers, topic, records)`:
 * then this file becomes a re-export of it.
 */

/** One record to produce: bytes as Kafka carries them. */
export interface ProducedRecord {
  readonly key?: Buffer | undefined;
  readonly value: Buffer | undefined;
  readonly headers?: ReadonlyMap<string, Buffer> | undefined;
  /** The partition to write to; the client's partitioner (by key) when absent. */
  readonly partition?: number | undefined;
}

/**
 * Produces records to a topic and resolves once every one is acknowledged by all in-sync replicas.
 *
 * @example
 * ```ts
 * await produce('127.0.0.1:9092', 'orders', [{ key: Buffer.from('k'), value: Buffer.from('{}') }]);
 * ```
 */
export async function produce(
  bootstrapServers: string,
  topic: string,
  records: readonly ProducedRecord[],
): Promise<void> {
  // Imported when used: the package is ESM only, and only the produce target needs it.
  const { Producer } = await import('@platformatic/kafka');
  const producer = new Producer({
    clientId: 'dead-letters-redrive',
    bootstrapBrokers: bootstrapServers.split(',').map((server) => server.trim()),
    acks: -1,
  });
  try {
    await producer.send({
      messages: records.map((record) => ({
        topic,
        ...(record.key !== undefined ? { key: record.key } : {}),
        ...(record.value !== undefined ? { value: record.value } : {}),
        ...(record.headers
          ? { headers: new Map([...record.headers].map(([name, bytes]) => [Buffer.from(name), bytes])) }
          : {}),
        ...(record.partition !== undefined ? { partition: record.partition } : {}),
      })),
    });
  } finally {
    await producer.close();
  }
}
