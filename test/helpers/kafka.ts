/**
 * The local Kafka broker and the event source mapping emulator for integration tests: one broker
 * per test file (`startTestKafka` in `beforeAll`), the real bundles built once per file. When the
 * broker is not installed the test fails with the install command (never skips).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { functionEnv } from '../../scripts/lib/local';
import {
  KAFKA_INSTALL_COMMAND,
  type KafkaBroker,
  kafkaInstalled,
  startKafka,
} from '../../tools/kafka/broker';
import { bundleFunction } from '../../tools/kafka/bundle';
import { type BatchLine, type EmulatorOptions, EventSourceMappingEmulator } from '../../tools/kafka/emulator';
import type { MappingOverrides } from '../../tools/kafka/esm-rules';

/** Starts a broker for a test file; fails (with the install command) when it is not installed. */
export async function startTestKafka(): Promise<KafkaBroker> {
  if (!kafkaInstalled()) {
    throw new Error(
      `The local Kafka broker is not installed: run \`${KAFKA_INSTALL_COMMAND}\` first (needs java and mvn).`,
    );
  }
  return startKafka({ dir: mkdtempSync(join(tmpdir(), 'kafka-test-')) });
}

const bundles = new Map<string, Promise<string>>();

/** The function's esbuild bundle, built once per test file. */
export function testBundle(service: string): Promise<string> {
  let bundle = bundles.get(service);
  if (!bundle) {
    bundle = bundleFunction(service, mkdtempSync(join(tmpdir(), 'kafka-bundle-')));
    bundles.set(service, bundle);
  }
  return bundle;
}

/** A unique topic name for one test. */
export function testTopic(label: string): string {
  return `test.${label}.${randomUUID().slice(0, 8)}`;
}

/** An emulator of the spellchecker on its own topic and tables, and the lines it reported. */
export async function spellcheckerMapping(options: {
  readonly kafka: KafkaBroker;
  readonly topic: string;
  readonly endpoint: string;
  readonly idempotencyTable: string;
  readonly spellcheckTable: string;
  readonly deadLetterFile: string;
  readonly onFailureFile: string;
  readonly settings?: MappingOverrides;
  readonly env?: Readonly<Record<string, string>>;
  readonly beforeInvoke?: EmulatorOptions['beforeInvoke'];
  /** The bundle to run. @default the spellchecker built by {@link testBundle} */
  readonly bundle?: string;
}): Promise<{ readonly esm: EventSourceMappingEmulator; readonly lines: BatchLine[] }> {
  const lines: BatchLine[] = [];
  const esm = new EventSourceMappingEmulator({
    bootstrapServers: options.kafka.bootstrapServers,
    manifest: { service: 'spellchecker', topics: [options.topic] },
    topic: options.topic,
    bundle: options.bundle ?? (await testBundle('spellchecker')),
    env: {
      ...functionEnv({
        functionName: 'spellchecker',
        endpoint: options.endpoint,
        idempotencyTable: options.idempotencyTable,
        spellcheckTable: options.spellcheckTable,
        deadLetterUrl: pathToFileURL(options.deadLetterFile).href,
        logLevel: 'INFO',
      }),
      ...options.env,
    },
    settings: { maxBatchingWindowMs: 100, ...options.settings },
    onFailure: pathToFileURL(options.onFailureFile).href,
    onBatch: (line) => lines.push(line),
    ...(options.beforeInvoke ? { beforeInvoke: options.beforeInvoke } : {}),
  });
  await esm.start();
  return { esm, lines };
}
