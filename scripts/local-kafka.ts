/**
 * `npm run local:kafka`: the whole pipeline on one machine until Ctrl-C: a real Apache Kafka
 * broker (KRaft, one node, under `.local/kafka/run`), DynamoDB Local (file-backed, the state
 * `npm run invoke` uses) with the local tables, the consumers' topics from their manifests, and
 * one event source mapping emulator per consumer and topic invoking the consumer's esbuild bundle
 * (built as `cdk deploy` builds it) in worker processes. `npm run produce` in another shell sends
 * events to it.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { MANIFESTS } from '../functions/manifests';
import { startKafka } from '../tools/kafka/broker';
import { bundleFunction } from '../tools/kafka/bundle';
import { ensureTopics } from '../tools/kafka/client';
import { type BatchLine, EventSourceMappingEmulator } from '../tools/kafka/emulator';
import { intFlag, runMain, usageErrors } from './lib/cli';
import { DEAD_LETTER_FILE, ensureLocalTables, functionEnv, LOCAL_DIR, openDynamo } from './lib/local';

/**
 * The file where `npm run local:kafka` writes the broker's address for `npm run produce`.
 *
 * @example
 * ```ts
 * const bootstrap = readFileSync(KAFKA_BOOTSTRAP_FILE, 'utf8').trim();
 * ```
 */
export const KAFKA_BOOTSTRAP_FILE = join(LOCAL_DIR, 'kafka', 'bootstrap-servers');

/**
 * The `--help` text of `npm run local:kafka`.
 *
 * @example
 * ```ts
 * process.stdout.write(LOCAL_KAFKA_USAGE);
 * ```
 */
export const LOCAL_KAFKA_USAGE = `Usage: npm run local:kafka -- [--partitions 4] [--port 9092] [--batch-size 100] [--logs]

Starts a real Apache Kafka broker (npm run kafka:install fetches it), DynamoDB Local with the local
tables, every consumer's topics, and an event source mapping emulator per consumer and topic that
invokes the consumer's Lambda bundle. Prints one line per batch; --logs adds the functions' logs.
Ctrl-C stops everything. Then, in another shell:
  npm run produce -- events/spellchecker-happy-path.json
  npm run produce -- huleedu.essay.spellcheck.requested.v1 --count 50 --duplicates 5 --poison 1
`;

/**
 * One batch as a line: `spellchecker huleedu.essay.spellcheck.requested.v1-0 offsets 0..9 (attempt 1) success processed=10 duplicate=0 committed=10 312ms`.
 *
 * @example
 * ```ts
 * console.log(formatBatchLine(line));
 * ```
 */
export function formatBatchLine(line: BatchLine): string {
  const counts = Object.entries(line.counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k}=${n}`)
    .join(' ');
  return (
    `${line.service} ${line.topic}-${line.partition} offsets ${line.from}..${line.to} (attempt ${line.attempt}) ` +
    `${line.outcome}${counts ? ` ${counts}` : ''}${line.reason ? ` [${line.reason}]` : ''} committed=${line.committed} ${line.durationMs}ms`
  );
}

async function main(): Promise<number> {
  const values = usageErrors(
    () =>
      parseArgs({
        args: process.argv.slice(2),
        strict: true,
        options: {
          partitions: { type: 'string' },
          port: { type: 'string' },
          'batch-size': { type: 'string' },
          logs: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      }).values,
  );
  if (values.help) {
    process.stdout.write(LOCAL_KAFKA_USAGE);
    return 0;
  }
  const partitions = intFlag('--partitions', values.partitions, { min: 1, max: 256, fallback: 4 });
  const port = intFlag('--port', values.port, { min: 1, max: 65_535, fallback: 9092 });
  const batchSize = intFlag('--batch-size', values['batch-size'], { min: 1, max: 10_000, fallback: 100 });
  const print = (text: string): void => void process.stdout.write(`${text}\n`);

  const began = Date.now();
  const kafka = await startKafka({ dir: join(LOCAL_DIR, 'kafka', 'run'), port });
  print(
    `Kafka 4.1.1 (KRaft) on ${kafka.bootstrapServers}, ready in ${kafka.startMs} ms, ${kafka.rssMb() ?? '?'} MB resident.`,
  );
  const ddb = await openDynamo({});
  await ensureLocalTables(ddb.client);
  print(`DynamoDB Local on ${ddb.endpoint} (file-backed, .local/dynamodb).`);
  const emulators: EventSourceMappingEmulator[] = [];
  try {
    const topics = [...new Set(MANIFESTS.flatMap((m) => m.topics))];
    await ensureTopics(kafka.bootstrapServers, topics, partitions);
    print(`Topics (${partitions} partitions each): ${topics.join(', ')}`);
    const onFailure = pathToFileURL(join(LOCAL_DIR, 'kafka', 'on-failure.jsonl')).href;
    for (const manifest of MANIFESTS) {
      const bundle = await bundleFunction(manifest.service, join(LOCAL_DIR, 'kafka', 'bundles'));
      const env = functionEnv({
        functionName: manifest.service,
        endpoint: ddb.endpoint,
        // INFO: the emulator reads each batch's outcome counts from the 'batch processed' line.
        logLevel: 'INFO',
      });
      for (const topic of manifest.topics) {
        const esm = new EventSourceMappingEmulator({
          bootstrapServers: kafka.bootstrapServers,
          manifest,
          topic,
          bundle,
          env,
          settings: { batchSize },
          onFailure,
          onBatch: (line) => print(formatBatchLine(line)),
          ...(values.logs ? { onFunctionLog: (line: string) => print(`  | ${line}`) } : {}),
        });
        await esm.start();
        emulators.push(esm);
        print(
          `Mapping ${esm.settings.groupId} -> ${bundle.replace(`${LOCAL_DIR}/`, '.local/')} (batch ${esm.settings.batchSize}, window ${esm.settings.maxBatchingWindowMs} ms, retries ${esm.settings.retryAttempts}, bisect ${esm.settings.bisectBatchOnError})`,
        );
      }
    }
    mkdirSync(join(LOCAL_DIR, 'kafka'), { recursive: true });
    writeFileSync(KAFKA_BOOTSTRAP_FILE, `${kafka.bootstrapServers}\n`);
    print(
      `Ready in ${Date.now() - began} ms. Dead letters: ${DEAD_LETTER_FILE.replace(`${LOCAL_DIR}/`, '.local/')}; on-failure destination: .local/kafka/on-failure.jsonl.`,
    );
    print(
      'Produce from another shell: npm run produce -- events/spellchecker-happy-path.json   (Ctrl-C to stop)',
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } finally {
    for (const esm of emulators) await esm.stop();
    await kafka.stop();
    await ddb.close();
    rmSync(KAFKA_BOOTSTRAP_FILE, { force: true });
    print('Stopped.');
  }
  return 0;
}

if (require.main === module) runMain(main, 'npm run local:kafka -- --help');
