/**
 * The local Apache Kafka broker: Kafka 4.1.1 in KRaft mode, one JVM acting as broker and
 * controller, its jars fetched by Maven from the pinned `tools/kafka/pom.xml` into
 * `.local/kafka/lib` (`npm run kafka:install`). {@link startKafka} formats a fresh storage folder,
 * starts the broker on free loopback ports, waits for the `Kafka Server started` line, and stops
 * it by its PID.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { freePort } from '../testing/dynamodb-local';

/** The repository's root. */
const ROOT = resolve(__dirname, '..', '..');

/** Where `npm run kafka:install` puts the broker's jars. */
export const KAFKA_LIB = join(ROOT, '.local', 'kafka', 'lib');

/** The command that installs the broker, quoted in every error that needs it. */
export const KAFKA_INSTALL_COMMAND = 'npm run kafka:install';

/** JVM flags that keep the broker small on a 2-core machine (DESIGN.md §10). */
export const KAFKA_JVM_FLAGS = [
  '-Xmx256m',
  '-Xms64m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
] as const;

/** Thrown when Java, Maven or the broker's jars are missing; the message says how to fix it. */
export class KafkaNotInstalledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KafkaNotInstalledError';
  }
}

function hasCommand(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.error === undefined && result.status === 0;
}

/**
 * Whether the broker's jars are in `.local/kafka/lib` (the Kafka server jar among them).
 *
 * @example
 * ```ts
 * if (!kafkaInstalled()) installKafka();
 * ```
 */
export function kafkaInstalled(): boolean {
  return existsSync(KAFKA_LIB) && readdirSync(KAFKA_LIB).some((f) => /^kafka_2\.13-.*\.jar$/.test(f));
}

/**
 * Fetches the broker's jars with Maven (`mvn dependency:copy-dependencies` on the pinned pom) into
 * `.local/kafka/lib`. Throws {@link KafkaNotInstalledError} when `java` or `mvn` is missing.
 *
 * @example
 * ```ts
 * installKafka((line) => console.log(line));
 * ```
 */
export function installKafka(log: (line: string) => void = () => undefined): void {
  if (!hasCommand('java', ['-version'])) {
    throw new KafkaNotInstalledError(
      'java not found: the local Kafka broker needs Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless).',
    );
  }
  if (!hasCommand('mvn', ['-v'])) {
    throw new KafkaNotInstalledError(
      'mvn not found: the local Kafka broker is fetched with Maven (Debian: apt-get install maven).',
    );
  }
  log(`Fetching Apache Kafka 4.1.1 (tools/kafka/pom.xml) into ${KAFKA_LIB} ...`);
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(ROOT, 'tools', 'kafka', 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${KAFKA_LIB}`,
    ],
    { stdio: 'inherit' },
  );
  if (result.status !== 0 || !kafkaInstalled()) {
    throw new KafkaNotInstalledError(
      `mvn dependency:copy-dependencies failed (exit ${result.status}); see its output above.`,
    );
  }
  log(`Installed: ${readdirSync(KAFKA_LIB).length} jars.`);
}

/** A running broker. */
export interface KafkaBroker {
  /** `host:port` of the broker's client listener. */
  readonly bootstrapServers: string;
  readonly port: number;
  readonly pid: number;
  /** ms from spawn to the readiness line. */
  readonly startMs: number;
  /** Where its storage and logs are. */
  readonly dir: string;
  /** Stops the broker (SIGTERM, SIGKILL with `hard`) and waits for it to exit. */
  stop(options?: { readonly hard?: boolean }): Promise<void>;
  /** Starts the broker again on the same port and storage (after {@link stop}). */
  restart(): Promise<void>;
  /** Resident memory of the JVM in MB (from /proc), or undefined when not running. */
  rssMb(): number | undefined;
}

/** Options of {@link startKafka}. */
export interface StartKafkaOptions {
  /** Folder for the broker's storage, logs and properties; emptied first. */
  readonly dir: string;
  /** Client port. @default a free port */
  readonly port?: number;
  /** Readiness timeout. @default 60000 */
  readonly timeoutMs?: number;
  /** Receives the broker's log lines (stdout and stderr). @default dropped */
  readonly log?: (line: string) => void;
}

function properties(dir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(dir, 'data')}`,
    // One broker: every internal topic with one replica.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // The default 128 MiB dedupe buffer alone would exhaust the small heap.
    'log.cleaner.dedupe.buffer.size=2097152',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    'num.partitions=1',
    '',
  ].join('\n');
}

/**
 * Formats a fresh KRaft storage under `dir` and starts the broker; resolves when it logged
 * `Kafka Server started`. Throws {@link KafkaNotInstalledError} (naming `npm run kafka:install`)
 * when the jars are missing.
 *
 * @example
 * ```ts
 * const kafka = await startKafka({ dir: '.local/kafka/run' });
 * try { await ensureTopics(kafka.bootstrapServers, ['orders'], 4); } finally { await kafka.stop(); }
 * ```
 */
export async function startKafka(options: StartKafkaOptions): Promise<KafkaBroker> {
  if (!kafkaInstalled()) {
    throw new KafkaNotInstalledError(
      `The local Kafka broker is not installed (no jars in ${KAFKA_LIB}): run \`${KAFKA_INSTALL_COMMAND}\` (needs java and mvn).`,
    );
  }
  const dir = resolve(options.dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const config = join(dir, 'server.properties');
  writeFileSync(config, properties(dir, port, controllerPort));
  const classpath = `${KAFKA_LIB}/*`;
  const logConfig = `-Dlog4j2.configurationFile=${join(ROOT, 'tools', 'kafka', 'log4j2.properties')}`;
  // A KRaft cluster id is a base64url UUID: 16 random bytes.
  const clusterId = randomBytes(16).toString('base64url');
  const format = spawnSync(
    'java',
    [
      '-Xmx128m',
      '-cp',
      classpath,
      logConfig,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      config,
    ],
    { encoding: 'utf8' },
  );
  if (format.status !== 0) {
    throw new Error(
      `Formatting the Kafka storage failed (exit ${format.status}): ${format.stderr.slice(-2000)}`,
    );
  }

  const log = options.log ?? (() => undefined);
  let child: ChildProcess | undefined;
  let startMs = 0;
  const launch = async (): Promise<void> => {
    const began = Date.now();
    const proc = spawn('java', [...KAFKA_JVM_FLAGS, '-cp', classpath, logConfig, 'kafka.Kafka', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    await new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        fail(
          new Error(
            `The Kafka broker did not start within ${options.timeoutMs ?? 60_000} ms; logs in ${dir}.`,
          ),
        );
      }, options.timeoutMs ?? 60_000);
      let pending = '';
      const onData = (chunk: Buffer): void => {
        pending += chunk.toString('utf8');
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) {
          log(line);
          if (line.includes('Kafka Server started')) {
            clearTimeout(timer);
            ready();
          }
        }
      };
      proc.stdout?.on('data', onData);
      proc.stderr?.on('data', onData);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`The Kafka broker exited (code ${code}) before it was ready; logs in ${dir}.`));
      });
    });
    startMs = Date.now() - began;
  };
  const stop = async (stopOptions: { readonly hard?: boolean } = {}): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((done) => {
      proc.once('exit', () => done());
      proc.kill(stopOptions.hard ? 'SIGKILL' : 'SIGTERM');
      // A broker that ignores SIGTERM for long is killed.
      setTimeout(() => proc.kill('SIGKILL'), 15_000).unref();
    });
  };
  await launch();
  return {
    bootstrapServers: `127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid ?? -1;
    },
    get startMs() {
      return startMs;
    },
    dir,
    stop,
    async restart() {
      await stop();
      await launch();
    },
    rssMb() {
      const pid = child?.pid;
      if (pid === undefined || child?.exitCode !== null) return undefined;
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
        return kb ? Math.round(Number(kb) / 1024) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}
