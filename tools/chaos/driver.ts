/**
 * The chaos driver: starts a file-backed DynamoDB Local, produces the topics, plays each topic's
 * event source mapping over a pool of worker processes running the real handlers, plans each
 * delivery's faults from the seed, stops and restarts the engine mid-run, then drains, audits and
 * judges.
 */
import { appendFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { build } from 'esbuild';
import { FUNCTION_ESBUILD_TARGET } from '../../scripts/lib/local';
import { mskEvent, type RecordSpec } from '../../scripts/lib/msk-events';
import { type KafkaBroker, startKafka } from '../kafka/broker';
import { type ConsumedRecord, ensureTopics, produceMany } from '../kafka/client';
import { EventSourceMappingEmulator } from '../kafka/emulator';
import { type InvocationOutcome, payloadBytes } from '../kafka/esm-rules';
import { type DynamoDbLocal, LOCAL_AWS, startDynamoDbLocal } from '../testing/dynamodb-local';
import { ensureConsumerTable, ensureIdempotencyTable } from '../testing/tables';
import { auditConsumer, type ConsumerTally, emptyTally, readDeadLetters, readTables } from './audit';
import { CHAOS_CONSUMER_SPECS, CHAOS_TABLES } from './consumers';
import { chaosMappingOverrides, type Delivery, InMemoryMapping } from './esm';
import { NetworkGate } from './gate';
import type { ChaosConsumerName, ChaosOptions } from './options';
import { WorkerPool } from './pool';
import {
  type DeliveryStats,
  type FaultPlan,
  type Job,
  type JobRecord,
  KILL_POINTS,
  type KillPoint,
  type StormPlan,
} from './protocol';
import { Random } from './random';
import {
  type ChaosFigures,
  type ChaosReport,
  type ConsumerFigures,
  percentile,
  verdict,
  type WindowCause,
} from './report';
import type { WorkerSettings } from './worker';
import { buildWorkload, type TopicLog } from './workload';

/** How long the driver waits past a deadline before it kills a worker that did not kill itself. */
const HARD_KILL_AFTER_MS = 3000;
/** How long past its deadline a worker runs before killing itself (Lambda's timeout). */
const TIMEOUT_GRACE_MS = 100;
/** How long the engine gets, with the network cut, before it is stopped. */
const ENGINE_QUIET_MS = 1000;
/** A run that commits nothing for this long is aborted. */
const STALL_LIMIT_MS = 120_000;

const STORM_TARGETS: readonly StormPlan['target'][] = ['claim', 'complete', 'effect', 'precheck'];

interface ConsumerState {
  readonly name: ChaosConsumerName;
  readonly tally: ConsumerTally;
  /** Kill points in the order they are owed; the head moves to the back once it fired. */
  readonly killQueue: KillPoint[];
  readonly stormQueue: StormPlan['target'][];
}

interface TopicState {
  readonly log: TopicLog;
  readonly esm: InMemoryMapping;
  readonly consumer: ConsumerState;
}

/**
 * Runs a chaos run end to end and returns its report (the caller prints it and sets the exit code).
 *
 * @example
 * ```ts
 * const report = await runChaos(parseChaosArgs(process.argv.slice(2)), console.log);
 * ```
 */
export async function runChaos(options: ChaosOptions, log: (line: string) => void): Promise<ChaosReport> {
  const started = Date.now();
  const runId = `${options.seed}-${started.toString(36)}`;
  const repoRoot = resolve(__dirname, '..', '..');
  const runDir = join(tmpdir(), `chaos-run-${runId}`);
  for (const dir of ['logs', 'dead-letters', 'black-boxes'])
    mkdirSync(join(runDir, dir), { recursive: true });
  const dbPath = existsSync('/dev/shm') ? `/dev/shm/chaos-${runId}` : join(runDir, 'db');
  const rng = new Random(options.seed);
  const anomalies: string[] = [];
  // What happened, delivery by delivery, for reading a failed run afterwards.
  const journalPath = join(runDir, 'journal.jsonl');
  const journal = (entry: Record<string, unknown>) =>
    appendFileSync(journalPath, `${JSON.stringify({ t: Date.now(), ...entry })}\n`);

  log(`chaos: run ${runId}; files in ${runDir}; DynamoDB Local data in ${dbPath}`);
  let engine: DynamoDbLocal = await startDynamoDbLocal({ dbPath });
  const port = engine.port;
  const admin = new DynamoDBClient({ ...LOCAL_AWS, endpoint: engine.endpoint, maxAttempts: 10 });
  // Workers reach the engine through a gate the driver can cut (see gate.ts).
  const gate = await NetworkGate.open(port);
  const endpoint = `http://127.0.0.1:${gate.port}`;
  await ensureIdempotencyTable(admin, CHAOS_TABLES.idempotency);
  for (const table of [CHAOS_TABLES.spellchecks, CHAOS_TABLES.essays, CHAOS_TABLES.ledger]) {
    await ensureConsumerTable(admin, table);
  }

  // Producers.
  const perConsumer: Partial<Record<ChaosConsumerName, number>> = {};
  options.consumers.forEach((name, i) => {
    const share = Math.floor(options.events / options.consumers.length);
    perConsumer[name] = share + (i === 0 ? options.events - share * options.consumers.length : 0);
  });
  const workload = buildWorkload(rng.fork(), {
    eventsPerConsumer: perConsumer,
    partitions: options.partitions,
    duplicateRate: options.duplicateRate,
    poison: options.poison,
    runId: options.seed.toString(36),
    startedAt: started,
  });
  const planRng = rng.fork();
  const consumers = new Map<ChaosConsumerName, ConsumerState>();
  for (const name of options.consumers) {
    consumers.set(name, {
      name,
      tally: emptyTally(),
      killQueue: planRng.shuffle(KILL_POINTS),
      stormQueue: planRng.shuffle(STORM_TARGETS),
    });
  }
  const topics: TopicState[] = workload.topics.map((t) => {
    const consumer = consumers.get(t.consumer);
    if (!consumer) throw new Error(`invariant: topic ${t.topic} of an unknown consumer`);
    return {
      log: t,
      consumer,
      esm: new InMemoryMapping({
        consumer: t.consumer,
        topic: t.topic,
        partitionLengths: t.partitions.map((p) => p.length),
        recordBytes: (partition, offset) => {
          const value = t.partitions[partition]?.[offset]?.value ?? '';
          return payloadBytes({
            key: null,
            value: Buffer.alloc(Math.floor((value.length * 3) / 4)),
            headers: [],
          });
        },
        batchSize: options.batchSize,
        reportBatchItemFailures: CHAOS_CONSUMER_SPECS[t.consumer].partialBatchResponse,
        timeoutMs: options.timeoutMs,
      }),
    };
  });
  const totalRecords = workload.topics.reduce(
    (sum, t) => sum + t.partitions.reduce((s, p) => s + p.length, 0),
    0,
  );
  const businessOf = new Map<number, string | undefined>(workload.events.map((e) => [e.id, e.businessId]));
  log(
    `chaos: ${workload.events.length} logical events, ${totalRecords} records on ${workload.topics.length} topics x ${options.partitions} partitions`,
  );

  // Workers: the worker and the real consumers bundled once, as the CDK's NodejsFunction bundles a
  // Lambda (a bundle starts in about half the time tsx needs, and workers are respawned often).
  const workerFile = join(runDir, 'worker.cjs');
  await build({
    entryPoints: [join(__dirname, 'worker.ts')],
    outfile: workerFile,
    bundle: true,
    platform: 'node',
    target: FUNCTION_ESBUILD_TARGET,
    format: 'cjs',
    sourcemap: true,
    logLevel: 'error',
  });
  // Every other process runs on a skewed clock.
  const skewRng = rng.fork();
  const pool = new WorkerPool({
    size: options.workers,
    workerFile,
    execArgv: ['--enable-source-maps'],
    cwd: repoRoot,
    hardKillAfterMs: HARD_KILL_AFTER_MS,
    blackBoxPath: (pid) => join(runDir, 'black-boxes', `${pid}.json`),
    envFor: (index, generation) => {
      const skewed = options.skewMs > 0 && (index + generation) % 2 === 1;
      const offset = skewed
        ? skewRng.pick([-1, 1]) * skewRng.int(Math.ceil(options.skewMs / 2), options.skewMs)
        : 0;
      const settings: WorkerSettings = {
        endpoint,
        runDir,
        leaseMarginMs: options.leaseMarginMs,
        timeoutGraceMs: TIMEOUT_GRACE_MS,
        clockOffsetMs: offset,
        consumers: options.consumers,
        singleWrite: index % 2 === 1,
      };
      return {
        ...process.env,
        CHAOS_WORKER: JSON.stringify(settings),
      };
    },
  });
  await pool.start();
  log(`chaos: ${options.workers} workers ready (startup ${pool.startupMs.join(', ')} ms)`);

  // Engine outages at even steps of progress.
  const outageAt = Array.from({ length: options.outages }, (_, i) => (i + 1) / (options.outages + 1));
  const downMs: number[] = [];
  let outage: Promise<void> | undefined;
  const restartEngine = async (): Promise<void> => {
    const t0 = Date.now();
    log('chaos: outage: network to DynamoDB Local cut, engine stopped and restarted on the same files');
    journal({ engine: 'cut' });
    gate.cut();
    // Let the engine persist what it acknowledged before it is stopped (see gate.ts).
    await sleep(ENGINE_QUIET_MS);
    journal({ engine: 'stop' });
    await engine.stop();
    await sleep(options.outageMs);
    engine = await startDynamoDbLocal({ dbPath, port });
    journal({ engine: 'started' });
    await gate.restore();
    journal({ engine: 'restored' });
    downMs.push(Date.now() - t0);
    log(`chaos: DynamoDB Local reachable again after ${Date.now() - t0} ms`);
  };

  let skewedDeliveries = 0;
  let skewedTakeovers = 0;
  let deliverySeq = 0;
  let topicCursor = 0;
  const inFlight = new Set<Promise<void>>();

  const planFaults = (state: ConsumerState, records: number): FaultPlan => {
    const tally = state.tally;
    const unfiredKill = state.killQueue.some((p) => (tally.kills[p] ?? 0) === 0);
    const stormFired = Object.keys(tally.faults).some((k) => k.startsWith('storm:'));
    const n = tally.deliveries;
    const kill =
      options.killRate > 0 && (planRng.chance(options.killRate) || (unfiredKill && n % 8 === 4))
        ? state.killQueue[0]
        : undefined;
    const storm =
      options.stormRate > 0 && (planRng.chance(options.stormRate) || (!stormFired && n % 12 === 3))
        ? {
            target: state.stormQueue[0] ?? 'claim',
            fault: planRng.pick(['throttle', 'outage'] as const),
            attempts: 4,
          }
        : undefined;
    const slow =
      options.slowRate > 0 &&
      (planRng.chance(options.slowRate) || ((tally.kills.timeout ?? 0) === 0 && n % 25 === 9));
    const maxNth = (point: KillPoint): number => {
      if (point === 'before-return') return 1;
      if (point === 'before-claim' || point === 'after-claim') return Math.max(1, records);
      return Math.max(1, Math.ceil(records / 2));
    };
    return {
      kill: kill ? { point: kill, nth: planRng.int(1, maxNth(kill)) } : undefined,
      throttleRate: options.throttleRate,
      dropRate: options.dropRate,
      storm,
      slowEffectMs: slow ? options.timeoutMs + 1000 : undefined,
      seed: Math.floor(planRng.next() * 4294967296),
    };
  };

  /** `cause`: the death's, or `returned` for a delivery that returned (each window then says why it stayed open). */
  const absorb = (state: ConsumerState, stats: DeliveryStats, cause: WindowCause | 'returned'): void => {
    const t = state.tally;
    add(t.requests, stats.requests);
    add(t.faults, stats.faults);
    add(t.metrics, stats.metrics);
    t.takeovers += stats.takeovers;
    t.skewedTakeovers += stats.skewedTakeovers;
    skewedTakeovers += stats.skewedTakeovers;
    for (const l of stats.latenciesMs) t.latenciesMs.push(l);
    t.capacityUnits += stats.capacityUnits;
    if (stats.clockOffsetMs !== 0) skewedDeliveries += 1;
    for (const w of stats.openWindows) {
      t.windows.push({
        execId: w.execId,
        logicalId: w.logicalId,
        cause:
          cause !== 'returned' ? cause : w.effect === 'committed' ? 'completion-failed' : 'effect-unanswered',
        effectCommitted: w.effect === 'committed',
        completionInFlight: w.completionInFlight,
        owner: w.owner,
      });
    }
    for (const [logicalId, n] of Object.entries(stats.transactions)) {
      const id = Number(logicalId);
      t.transactions.set(id, (t.transactions.get(id) ?? 0) + n);
    }
  };

  /**
   * One invocation on the pool: `event` is the broker's (as the emulator builds it) or, without
   * one, built from the in-memory log; `consumed` are the broker's records, checked against the log.
   */
  const deliver = async (
    topic: TopicState,
    plan: Pick<Delivery, 'partition' | 'from' | 'to' | 'attempt'>,
    event?: unknown,
    consumed?: readonly ConsumedRecord[],
  ): Promise<InvocationOutcome> => {
    while (pool.idle === 0) await pool.waitForChange(50);
    const state = topic.consumer;
    const specs: RecordSpec[] = [];
    const records: JobRecord[] = [];
    const partition = topic.log.partitions[plan.partition] ?? [];
    for (let offset = plan.from; offset < plan.to; offset++) {
      const r = partition[offset];
      if (!r) continue;
      const read = consumed?.[offset - plan.from];
      if (consumed && (read?.offset !== offset || read.value?.toString('base64') !== r.value)) {
        anomalies.push(
          `${topic.log.topic}-${plan.partition}@${offset}: the broker's record is not the one produced`,
        );
      }
      specs.push({
        topic: topic.log.topic,
        partition: plan.partition,
        offset,
        rawBase64: r.value,
        timestamp: r.timestamp,
      });
      records.push({
        coordinates: `${topic.log.topic}-${plan.partition}@${offset}`,
        logicalId: r.logicalId,
        eventId: r.eventId,
        businessId: businessOf.get(r.logicalId),
      });
      state.tally.deliveredByLogical.set(
        r.logicalId,
        (state.tally.deliveredByLogical.get(r.logicalId) ?? 0) + 1,
      );
    }
    state.tally.deliveries += 1;
    state.tally.recordsDelivered += records.length;
    const faults = planFaults(state, records.length);
    const job: Job = {
      deliveryId: `${state.name}-${++deliverySeq}`,
      consumer: state.name,
      event: (event as Job['event'] | undefined) ?? mskEvent(specs),
      records,
      deadline: Date.now() + options.timeoutMs,
      faults,
    };
    const dispatchedAt = Date.now();
    return pool.run(job).then((outcome): InvocationOutcome => {
      journal({
        delivery: job.deliveryId,
        pid: outcome.pid,
        topic: topic.log.topic,
        partition: plan.partition,
        from: plan.from,
        to: plan.to,
        attempt: plan.attempt,
        dispatchedAt,
        faults: { kill: faults.kill, storm: faults.storm, slow: faults.slowEffectMs !== undefined },
        outcome:
          outcome.kind === 'done'
            ? outcome.message.outcome
            : { kind: 'died', point: outcome.blackBox?.point, signal: outcome.signal },
        windows:
          outcome.kind === 'done' ? outcome.message.stats.openWindows : outcome.blackBox?.stats.openWindows,
      });
      if (outcome.kind === 'done') {
        const m = outcome.message;
        absorb(state, m.stats, 'returned');
        if (m.outcome.kind === 'threw') {
          const name = m.outcome.error.split(':')[0] ?? 'Error';
          state.tally.metrics[`threw:${name}`] = (state.tally.metrics[`threw:${name}`] ?? 0) + 1;
        }
        if (faults.storm && Object.keys(m.stats.faults).some((k) => k === `storm:${faults.storm?.target}`)) {
          state.stormQueue.push(state.stormQueue.shift() ?? 'claim');
        }
        return m.outcome.kind === 'returned'
          ? { kind: 'returned', response: { batchItemFailures: m.outcome.batchItemFailures } }
          : { kind: 'error', reason: 'threw', message: m.outcome.error };
      }
      const box = outcome.blackBox;
      if (box) {
        state.tally.kills[box.point] = (state.tally.kills[box.point] ?? 0) + 1;
        absorb(state, box.stats, box.point === 'timeout' ? 'timeout' : `kill:${box.point}`);
        if (faults.kill && box.point === faults.kill.point) {
          state.killQueue.push(state.killQueue.shift() ?? faults.kill.point);
        }
        if (
          faults.storm &&
          Object.keys(box.stats.faults).some((k) => k === `storm:${faults.storm?.target}`)
        ) {
          state.stormQueue.push(state.stormQueue.shift() ?? 'claim');
        }
      } else {
        state.tally.deathsWithoutBlackBox += 1;
        anomalies.push(
          `worker ${outcome.pid} died without a black box in delivery ${job.deliveryId} (signal ${outcome.signal}, code ${outcome.code}): ${outcome.stderr.trim().split('\n').slice(-3).join(' | ')}`,
        );
      }
      return {
        kind: 'error',
        reason: outcome.blackBox?.point === 'timeout' ? 'timeout' : 'crashed',
        message: `worker ${outcome.pid} died`,
      };
    });
  };

  const dispatch = (topic: TopicState, plan: Delivery): void => {
    const task = deliver(topic, plan).then((outcome) => {
      const now = Date.now();
      anomalies.push(...topic.esm.settle(plan, outcome, now, now).anomalies);
    });
    inFlight.add(task);
    void task.finally(() => inFlight.delete(task));
  };

  // With --broker kafka: the topics on a real broker, read by one emulator per consumer and topic,
  // invoking through the pool (so every fault above still applies), restarted mid-run.
  let kafka: KafkaBroker | undefined;
  const emulators = new Map<TopicState, EventSourceMappingEmulator>();
  const brokerDownMs: number[] = [];
  const restartAt = Array.from(
    { length: options.broker === 'kafka' ? options.brokerRestarts : 0 },
    (_, i) => (i + 1) / (options.brokerRestarts + 1) - 0.1 / (options.brokerRestarts + 1),
  );
  let brokerRestart: Promise<void> | undefined;
  if (options.broker === 'kafka') {
    const broker = await startKafka({ dir: join(runDir, 'kafka') });
    kafka = broker;
    log(
      `chaos: Kafka broker on ${broker.bootstrapServers} (pid ${broker.pid}, started in ${broker.startMs} ms)`,
    );
    await ensureTopics(
      broker.bootstrapServers,
      topics.map((t) => t.log.topic),
      options.partitions,
    );
    const t0 = Date.now();
    for (const t of topics) {
      await produceMany(
        broker.bootstrapServers,
        t.log.topic,
        t.log.partitions.flatMap((records, partition) =>
          records.map((r) => ({ value: Buffer.from(r.value, 'base64'), partition })),
        ),
      );
    }
    log(`chaos: ${totalRecords} records produced in ${Date.now() - t0} ms`);
    for (const t of topics) {
      const emulator = new EventSourceMappingEmulator({
        bootstrapServers: broker.bootstrapServers,
        manifest: { service: t.consumer.name, topics: [t.log.topic] },
        topic: t.log.topic,
        settings: chaosMappingOverrides({
          batchSize: options.batchSize,
          reportBatchItemFailures: CHAOS_CONSUMER_SPECS[t.consumer.name].partialBatchResponse,
          timeoutMs: options.timeoutMs,
        }),
        onFailure: pathToFileURL(join(runDir, 'esm-on-failure.jsonl')).href,
        invoke: (request) => deliver(t, request, request.event, request.records),
        onBatch: (line) => journal({ esm: line }),
        onFunctionLog: (line) => journal({ esmLog: line }),
      });
      emulators.set(t, emulator);
      await emulator.start();
    }
  }
  const restartBroker = async (broker: KafkaBroker): Promise<void> => {
    const t0 = Date.now();
    log(`chaos: broker restart: pid ${broker.pid} stopped, started again on its port and log dir`);
    journal({ broker: 'stop' });
    await broker.restart();
    journal({ broker: 'started', pid: broker.pid });
    brokerDownMs.push(Date.now() - t0);
    log(`chaos: broker back after ${Date.now() - t0} ms (pid ${broker.pid})`);
  };
  const committedRecords = (): number =>
    kafka
      ? [...emulators.values()].reduce((s, e) => s + e.committedRecords, 0)
      : topics.reduce((s, t) => s + t.esm.committedRecords, 0);
  // On the broker: done once the group's committed offsets (acknowledged by the broker) reach the ends.
  const allDone = (): boolean =>
    kafka
      ? topics.every((t) => {
          const offsets = emulators.get(t)?.committedOffsets() ?? new Map<number, number>();
          return t.log.partitions.every((r, p) => r.length === 0 || (offsets.get(p) ?? -1) >= r.length);
        })
      : topics.every((t) => t.esm.done);

  // The event source mappings at work.
  let lastCommitted = -1;
  let lastProgressAt = Date.now();
  let lastLogAt = Date.now();
  let aborted = false;
  while (!allDone()) {
    const now = Date.now();
    const committed = committedRecords();
    if (committed !== lastCommitted) {
      lastCommitted = committed;
      lastProgressAt = now;
    } else if (now - lastProgressAt > STALL_LIMIT_MS) {
      anomalies.push(`no record committed for ${STALL_LIMIT_MS / 1000} s; the run was aborted`);
      aborted = true;
      break;
    }
    if (outage === undefined && outageAt.length > 0 && committed / totalRecords >= (outageAt[0] ?? 1)) {
      outageAt.shift();
      outage = restartEngine().finally(() => {
        outage = undefined;
      });
    }
    if (
      kafka &&
      brokerRestart === undefined &&
      restartAt.length > 0 &&
      committed / totalRecords >= (restartAt[0] ?? 1)
    ) {
      restartAt.shift();
      brokerRestart = restartBroker(kafka).finally(() => {
        brokerRestart = undefined;
      });
    }
    if (now - lastLogAt > 5000) {
      lastLogAt = now;
      const kills = [...consumers.values()].reduce(
        (s, c) => s + Object.values(c.tally.kills).reduce((a, b) => a + b, 0),
        0,
      );
      log(
        `chaos: ${committed}/${totalRecords} records committed, ${deliverySeq} deliveries, ${kills} workers killed, ${pool.spawns} spawned, ${downMs.length} engine restarts${kafka ? `, ${brokerDownMs.length} broker restarts` : ''}`,
      );
    }
    if (kafka) {
      await sleep(100);
      continue;
    }
    while (pool.idle > 0) {
      let picked: { topic: TopicState; plan: Delivery } | undefined;
      for (let i = 0; i < topics.length && !picked; i++) {
        const topic = topics[(topicCursor + i) % topics.length];
        const plan = topic?.esm.next(now);
        if (topic && plan) {
          picked = { topic, plan };
          topicCursor = (topicCursor + i + 1) % topics.length;
        }
      }
      if (!picked) break;
      dispatch(picked.topic, picked.plan);
    }
    const readyAt = topics
      .map((t) => t.esm.nextReadyAt(now))
      .filter((t): t is number => t !== undefined)
      .reduce((a, b) => Math.min(a, b), now + 200);
    await pool.waitForChange(Math.max(5, Math.min(200, readyAt - now)));
  }
  await Promise.all([...inFlight]);
  if (outage) await outage;
  if (brokerRestart) await brokerRestart;
  let discarded = 0;
  for (const e of emulators.values()) {
    await e.drain(10_000);
    discarded += e.discarded;
    await e.stop();
  }
  if (discarded > 0) anomalies.push(`${discarded} records went to the mapping's on-failure destination`);
  const brokerFigures = kafka
    ? {
        kind: 'kafka' as const,
        restarts: brokerDownMs.length,
        downMs: brokerDownMs,
        startMs: kafka.startMs,
        rssMb: kafka.rssMb(),
        delivered: [...emulators.values()].reduce((s, e) => s + e.delivered, 0),
      }
    : undefined;
  await kafka?.stop();
  await pool.close();
  const drainedAt = Date.now();
  log(`chaos: drained in ${((drainedAt - started) / 1000).toFixed(1)} s; auditing`);

  // Audit.
  const doc = DynamoDBDocumentClient.from(admin);
  const tables = await readTables(doc);
  const deadLetters = readDeadLetters(join(runDir, 'dead-letters'));
  const consumerFigures: ConsumerFigures[] = [];
  for (const state of consumers.values()) {
    const audited = auditConsumer({
      consumer: state.name,
      workload,
      tally: state.tally,
      records: tables.records,
      business: state.name === 'spellchecker' ? tables.spellchecks : tables.essays,
      ledger: tables.ledger,
      deadLetters,
    });
    consumerFigures.push(audited.figures);
    anomalies.push(...audited.anomalies);
  }
  for (const t of topics) {
    for (const p of t.esm.abandoned)
      anomalies.push(`partition ${t.log.topic}-${p} was abandoned after too many failures`);
  }
  if (aborted) anomalies.push('the run was aborted before the drain');
  const figures: ChaosFigures = {
    consumers: consumerFigures,
    engineRestarts: downMs.length,
    skewedDeliveries,
    skewedTakeovers,
    anomalies,
  };
  const checks = verdict(figures, options);
  if (brokerFigures) {
    checks.push({
      name: 'run: the Kafka broker restarted mid-run',
      ok: brokerFigures.restarts === options.brokerRestarts,
      detail: `${brokerFigures.restarts} of ${options.brokerRestarts} broker restarts (back after ${brokerFigures.downMs.join(', ') || '-'} ms)`,
    });
  }
  const ok = checks.every((c) => c.ok);
  admin.destroy();
  gate.close();
  await engine.stop();
  if (ok && !options.keep) {
    rmSync(dbPath, { recursive: true, force: true });
    rmSync(runDir, { recursive: true, force: true });
  } else {
    log(
      `chaos: journal, worker logs, dead letters and black boxes kept in ${runDir}; DynamoDB Local files in ${dbPath}`,
    );
  }
  return {
    options,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    workers: {
      spawns: pool.spawns,
      startupMsP50: percentile(pool.startupMs, 50),
      startupMsMax: percentile(pool.startupMs, 100),
    },
    engine: { restarts: downMs.length, downMs },
    ...(brokerFigures ? { broker: brokerFigures } : {}),
    figures,
    checks,
    ok,
  };
}

function add(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
