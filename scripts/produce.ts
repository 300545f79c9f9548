/**
 * `npm run produce -- <sample.json | topic> [options]`: sends event envelopes to the local Kafka
 * broker that `npm run local:kafka` runs: the records of a sample event (`events/*.json`), or
 * envelopes built as `npm run events` builds them, with producer-retry duplicates and poison
 * records on request.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { MSKEvent } from 'aws-lambda';
import { MANIFESTS } from '../functions/manifests';
import { produce, type RecordToProduce } from '../tools/kafka/client';
import { intFlag, runMain, UsageError, usageErrors } from './lib/cli';
import { buildMskEvent, expandTemplate, MALFORMED_KINDS } from './lib/event-builder';
import { EVENT_TYPES } from './lib/local';
import { envelope } from './lib/msk-events';
import { KAFKA_BOOTSTRAP_FILE } from './local-kafka';

/**
 * The `--help` text of `npm run produce`.
 *
 * @example
 * ```ts
 * process.stdout.write(PRODUCE_USAGE);
 * ```
 */
export const PRODUCE_USAGE = `Usage: npm run produce -- <events/sample.json | topic> [options]

Sends records to the local broker of npm run local:kafka (its address from .local/kafka/).
  <events/x.json>        the records of a sample MSK event, each to its partition
  <topic>                envelopes built for the topic's event type (the topic is the type):
    --count <n>          events (1..100000)                                   [10]
    --data <json>        data of each event, "{{n}}" replaced by 1..count     [a sample]
    --duplicates <n>     producer retries: same data, new event_id, on another partition [0]
    --poison <n>         poison records (${MALFORMED_KINDS.slice(0, 4).join(', ')}, ...) [0]
    --partitions <n>     partitions to spread over (as created by local:kafka) [4]
  --bootstrap <h:p>      broker address                  [from npm run local:kafka]
`;

const SAMPLE_DATA: Readonly<Record<string, string>> = {
  [EVENT_TYPES.spellcheckRequested]: '{"essay_id":"essay-{{n}}","text":"teh quick brown fox {{n}}"}',
  [EVENT_TYPES.batchRegistered]: '{"batch_id":"batch-{{n}}","essay_ids":["essay-{{n}}"]}',
  [EVENT_TYPES.contentProvisioned]:
    '{"batch_id":"batch-{{n}}","essay_id":"essay-{{n}}","text_storage_id":"text-{{n}}"}',
};

/**
 * The records of an MSK event as a producer sends them: key and value decoded from base64,
 * headers from byte arrays, each to its partition.
 *
 * @example
 * ```ts
 * await produce(bootstrap, topic, mskEventRecords(event));
 * ```
 */
export function mskEventRecords(event: MSKEvent): { topic: string; records: RecordToProduce[] }[] {
  const byTopic = new Map<string, RecordToProduce[]>();
  for (const records of Object.values(event.records)) {
    for (const r of records) {
      const headers: Record<string, Buffer> = {};
      for (const header of r.headers ?? []) {
        for (const [name, bytes] of Object.entries(header)) headers[name] = Buffer.from(bytes as number[]);
      }
      const list = byTopic.get(r.topic) ?? [];
      list.push({
        ...(r.key ? { key: Buffer.from(r.key, 'base64') } : {}),
        value: Buffer.from(r.value, 'base64'),
        headers,
        partition: r.partition,
      });
      byTopic.set(r.topic, list);
    }
  }
  return [...byTopic].map(([topic, records]) => ({ topic, records }));
}

async function main(): Promise<number> {
  const { values, positionals } = usageErrors(() =>
    parseArgs({
      args: process.argv.slice(2),
      strict: true,
      allowPositionals: true,
      options: {
        count: { type: 'string' },
        data: { type: 'string' },
        duplicates: { type: 'string' },
        poison: { type: 'string' },
        partitions: { type: 'string' },
        bootstrap: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }),
  );
  if (values.help) {
    process.stdout.write(PRODUCE_USAGE);
    return 0;
  }
  const target = positionals[0];
  if (!target || positionals.length > 1) throw new UsageError('give one sample event file or one topic.');
  const bootstrap =
    values.bootstrap ??
    (existsSync(KAFKA_BOOTSTRAP_FILE) ? readFileSync(KAFKA_BOOTSTRAP_FILE, 'utf8').trim() : undefined);
  if (!bootstrap)
    throw new UsageError('no local broker found: start `npm run local:kafka` first, or pass --bootstrap.');

  let batches: { topic: string; records: RecordToProduce[] }[];
  if (target.endsWith('.json')) {
    batches = mskEventRecords(JSON.parse(readFileSync(target, 'utf8')) as MSKEvent);
  } else {
    const topics = new Set(MANIFESTS.flatMap((m) => m.topics));
    if (!topics.has(target))
      throw new UsageError(`no consumer reads ${JSON.stringify(target)}; topics: ${[...topics].join(', ')}.`);
    const count = intFlag('--count', values.count, { min: 1, max: 100_000, fallback: 10 });
    const template = values.data ?? SAMPLE_DATA[target] ?? '{}';
    const envelopes = Array.from({ length: count }, (_, i) => {
      let data: unknown;
      try {
        data = JSON.parse(expandTemplate(template, i + 1));
      } catch {
        throw new UsageError('--data must be a JSON object.');
      }
      return envelope({ event_type: target, data: data as Record<string, unknown> });
    });
    const poison = intFlag('--poison', values.poison, { min: 0, max: 1000, fallback: 0 });
    const built = buildMskEvent({
      topic: target,
      envelopes,
      partitions: intFlag('--partitions', values.partitions, { min: 1, max: 256, fallback: 4 }),
      duplicates: intFlag('--duplicates', values.duplicates, { min: 0, max: 100_000, fallback: 0 }),
      duplicatesOn: 'other-partition',
      malformed: Array.from(
        { length: poison },
        (_, i) => MALFORMED_KINDS[i % MALFORMED_KINDS.length] ?? 'non-json',
      ),
    });
    batches = mskEventRecords(built.event);
  }
  for (const { topic, records } of batches) {
    const landed = await produce(bootstrap, topic, records);
    const perPartition = new Map<number, number[]>();
    for (const { partition, offset } of landed)
      perPartition.set(partition, [...(perPartition.get(partition) ?? []), offset]);
    const where = [...perPartition]
      .sort(([a], [b]) => a - b)
      .map(([p, offsets]) => `${p}@${Math.min(...offsets)}..${Math.max(...offsets)}`)
      .join(' ');
    process.stdout.write(
      `Produced ${records.length} records to ${topic} (partition@offsets ${where}) on ${bootstrap}.\n`,
    );
  }
  return 0;
}

if (require.main === module) runMain(main, 'npm run produce -- --help');
