/**
 * The whole local pipeline against a real Apache Kafka broker: records produced to the broker, the
 * event source mapping emulator reading them as the mapping's consumer group, the spellchecker's
 * real esbuild bundle in worker processes, DynamoDB Local. Ground truth from the consumer's own
 * table and the idempotency table; faults injected for real (a missing table, a lease held by
 * another worker, a SIGKILLed worker, a stopped broker, a Lambda timeout, a poison record).
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DEAD_LETTER_CHUNK } from '../../../infra/lib/bundling';
import { EVENT_TYPES } from '../../../scripts/lib/local';
import { envelope, mskEvent } from '../../../scripts/lib/msk-events';
import { mskEventRecords } from '../../../scripts/produce';
import { decodeEvent, ENV, FileDeadLetterSink, Idempotency, PermanentError } from '../../../shared/internal';
import type { KafkaBroker } from '../../../tools/kafka/broker';
import { ensureTopics, openGroupReader, produce, type RecordToProduce } from '../../../tools/kafka/client';
import { ensureIdempotencyTable, scanAll } from '../../../tools/testing/tables';
import { createSpellchecker, testConsumerConfig } from '../../helpers/consumers';
import { clients, freshConsumerTable, freshIdempotencyTable, testEndpoint } from '../../helpers/dynamo';
import { spellcheckerMapping, startTestKafka, testTopic } from '../../helpers/kafka';
import { runScript } from '../scripts/run-script';

jest.setTimeout(120_000);

let kafka: KafkaBroker;
const { raw, doc } = clients();
const dir = mkdtempSync(join(tmpdir(), 'kafka-esm-'));

beforeAll(async () => {
  kafka = await startTestKafka();
});

afterAll(async () => {
  await kafka?.stop();
  doc.destroy();
  raw.destroy();
});

const request = (essay: string, eventId?: string) =>
  Buffer.from(
    JSON.stringify(
      envelope({
        event_type: EVENT_TYPES.spellcheckRequested,
        data: { essay_id: essay, text: `teh essay ${essay}` },
        ...(eventId ? { event_id: eventId } : {}),
      }),
    ),
  );

async function setup(label: string, partitions = 2) {
  const topic = testTopic(label);
  await ensureTopics(kafka.bootstrapServers, [topic], partitions);
  return {
    topic,
    idempotencyTable: await freshIdempotencyTable(raw),
    spellcheckTable: await freshConsumerTable(raw, 'spellcheck'),
    deadLetterFile: join(dir, `${label}-dead-letters.jsonl`),
    onFailureFile: join(dir, `${label}-on-failure.jsonl`),
  };
}

/** Another worker holds the record's key with a long lease: its delivery fails as retryable. */
async function holdKey(idempotencyTable: string, value: Buffer | undefined) {
  const idem = new Idempotency({ service: 'spellchecker', tableName: idempotencyTable });
  const held = idem.keyFor(decodeEvent(value ?? Buffer.alloc(0)));
  await raw.send(
    new PutItemCommand({
      TableName: idempotencyTable,
      Item: {
        id: { S: held.id },
        payload_hash: { S: held.payloadHash },
        status: { S: 'processing' },
        owner: { S: 'another-worker' },
        lease_expires_at: { N: String(Date.now() + 600_000) },
        expiration: { N: String(Math.floor(Date.now() / 1000) + 3600) },
      },
    }),
  );
  return held;
}

/** End offsets (next offset) per partition of what was produced. */
function ends(landed: readonly { partition: number; offset: number }[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const { partition, offset } of landed)
    out.set(partition, Math.max(out.get(partition) ?? 0, offset + 1));
  return out;
}

const sum = (lines: readonly { counts: Readonly<Record<string, number>> }[], key: string) =>
  lines.reduce((n, l) => n + (l.counts[key] ?? 0), 0);

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('event source mapping emulator on a real broker', () => {
  it('effects every logical event once when duplicates arrive on other partitions', async () => {
    const t = await setup('duplicates', 3);
    const records: RecordToProduce[] = [];
    for (let i = 0; i < 12; i++) records.push({ value: request(`e-${i}`), partition: i % 3 });
    // A producer retry: same data, new event_id, on another partition.
    for (let i = 0; i < 4; i++) records.push({ value: request(`e-${i}`), partition: (i + 1) % 3 });
    const landed = await produce(kafka.bootstrapServers, t.topic, records);
    const { esm, lines } = await spellcheckerMapping({ kafka, endpoint: testEndpoint(), ...t });
    try {
      expect(await esm.waitCommitted(ends(landed))).toBe(true);
      expect(await scanAll(doc, t.spellcheckTable)).toHaveLength(12);
      const idem = await scanAll(doc, t.idempotencyTable);
      expect(idem).toHaveLength(12);
      expect(idem.every((r) => r.status === 'completed')).toBe(true);
      expect(sum(lines, 'processed')).toBe(12);
      expect(sum(lines, 'duplicate')).toBe(4);
      expect(esm.settings.groupId).toBe(`spellchecker.${t.topic}`);
    } finally {
      await esm.stop();
    }
    // The group's offsets are on the broker: a new member of the group has nothing left to read.
    const reader = await openGroupReader({
      bootstrapServers: kafka.bootstrapServers,
      groupId: `spellchecker.${t.topic}`,
      topic: t.topic,
      startingPosition: { kind: 'TRIM_HORIZON' },
      onRecord: () => undefined,
      onError: () => undefined,
    });
    try {
      expect(await reader.committed(3)).toEqual(
        [...ends(landed)].sort(([a], [b]) => a - b).map(([, e]) => e),
      );
    } finally {
      await reader.close();
    }
  });

  it('retries the whole batch on a function error without moving the committed offset', async () => {
    const t = await setup('function-error', 1);
    const missing = `idem-late-${randomUUID().slice(0, 8)}`;
    const landed = await produce(
      kafka.bootstrapServers,
      t.topic,
      [0, 1, 2].map((i) => ({ value: request(`f-${i}`), partition: 0 })),
    );
    // Without partial batch responses the handler throws while its idempotency table is missing.
    const { esm, lines } = await spellcheckerMapping({
      kafka,
      endpoint: testEndpoint(),
      ...t,
      idempotencyTable: missing,
      env: { KAFKA_PARTIAL_BATCH_RESPONSE: 'false' },
      settings: { retryAttempts: -1, bisectBatchOnError: false },
    });
    try {
      await until(() => lines.filter((l) => l.outcome === 'failed').length >= 2);
      expect(
        lines.every((l) => l.outcome === 'failed' && l.from === 0 && l.to === 2 && l.committed === -1),
      ).toBe(true);
      expect(esm.committedOffsets().get(0)).toBe(-1);
      expect(await scanAll(doc, t.spellcheckTable)).toHaveLength(0);
      await ensureIdempotencyTable(raw, missing);
      expect(await esm.waitCommitted(ends(landed))).toBe(true);
      expect(await scanAll(doc, t.spellcheckTable)).toHaveLength(3);
      expect(lines.at(-1)).toMatchObject({ outcome: 'success', from: 0, to: 2, committed: 3 });
    } finally {
      await esm.stop();
    }
  });

  it('resumes a partition from the offset a partial batch response reports', async () => {
    const t = await setup('partial', 1);
    const values = [0, 1, 2, 3, 4].map((i) => request(`p-${i}`));
    // Offset 2's key is held by another worker with a long lease: a retryable failure at offset 2.
    const held = await holdKey(t.idempotencyTable, values[2]);
    const landed = await produce(
      kafka.bootstrapServers,
      t.topic,
      values.map((value) => ({ value, partition: 0 })),
    );
    const { esm, lines } = await spellcheckerMapping({
      kafka,
      endpoint: testEndpoint(),
      ...t,
      settings: { retryAttempts: -1 },
    });
    try {
      await until(() => lines.some((l) => l.outcome === 'partial' && l.from === 2));
      expect(lines[0]).toMatchObject({ outcome: 'partial', from: 0, to: 4, committed: 2 });
      expect(lines.every((l) => l.committed === 2 || l === lines[0])).toBe(true);
      expect(await scanAll(doc, t.spellcheckTable)).toHaveLength(2);
      await raw.send(new DeleteItemCommand({ TableName: t.idempotencyTable, Key: { id: { S: held.id } } }));
      expect(await esm.waitCommitted(ends(landed))).toBe(true);
      expect(await scanAll(doc, t.spellcheckTable)).toHaveLength(5);
      expect(lines.at(-1)).toMatchObject({ outcome: 'success', from: 2, to: 4, committed: 5 });
    } finally {
      await esm.stop();
    }
  });

  it('redelivers the uncommitted batch of a worker killed mid-batch', async () => {
    const t = await setup('killed', 1);
    const landed = await produce(
      kafka.bootstrapServers,
      t.topic,
      [0, 1, 2, 3].map((i) => ({ value: request(`k-${i}`), partition: 0 })),
    );
    let kills = 0;
    const { esm, lines } = await spellcheckerMapping({
      kafka,
      endpoint: testEndpoint(),
      ...t,
      beforeInvoke: (_batch, worker) => {
        // Killed once the batch is on its way: the invocation dies in flight.
        if (kills++ === 0) setTimeout(() => worker.kill('SIGKILL'), 5);
      },
    });
    try {
      expect(await esm.waitCommitted(ends(landed))).toBe(true);
      expect(lines[0]).toMatchObject({ outcome: 'failed', from: 0, committed: -1 });
      expect(lines[0]?.reason).toMatch(/^crashed/);
      expect(lines.filter((l) => l.outcome === 'success').map((l) => [l.from, l.to])).toContainEqual([0, 1]);
      expect(await scanAll(doc, t.spellcheckTable)).toHaveLength(4);
    } finally {
      await esm.stop();
    }
  });

  it('enforces the function timeout and sends the batch to the on-failure destination once retries are spent', async () => {
    const t = await setup('timeout', 1);
    const landed = await produce(
      kafka.bootstrapServers,
      t.topic,
      [0, 1].map((i) => ({ value: request(`t-${i}`), partition: 0 })),
    );
    const { esm, lines } = await spellcheckerMapping({
      kafka,
      endpoint: testEndpoint(),
      ...t,
      settings: { timeoutMs: 1, retryAttempts: 1, bisectBatchOnError: false },
    });
    try {
      expect(await esm.waitCommitted(ends(landed))).toBe(true);
      expect(lines.map((l) => l.outcome)).toEqual(['failed', 'discarded']);
      expect(lines[0]?.reason).toMatch(/^timeout: Task timed out/);
      const [document] = readFileSync(t.onFailureFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(document).toMatchObject({
        requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 2 },
        responseContext: { functionError: 'Unhandled' },
        KafkaBatchInfo: {
          batchSize: 2,
          topic: t.topic,
          recordsInfo: { [`${t.topic}-0`]: { firstRecordOffset: '0', lastRecordOffset: '1' } },
        },
      });
      expect(await scanAll(doc, t.spellcheckTable)).toHaveLength(0);
    } finally {
      await esm.stop();
    }
  });

  it('dead-letters a poison record and moves its partition on', async () => {
    const t = await setup('poison', 1);
    const landed = await produce(kafka.bootstrapServers, t.topic, [
      { value: request('ok-0'), partition: 0 },
      { value: Buffer.from('not json {'), partition: 0 },
      { value: request('ok-1'), partition: 0 },
    ]);
    const { esm } = await spellcheckerMapping({ kafka, endpoint: testEndpoint(), ...t });
    try {
      expect(await esm.waitCommitted(ends(landed))).toBe(true);
      expect(await scanAll(doc, t.spellcheckTable)).toHaveLength(2);
      expect(existsSync(t.deadLetterFile)).toBe(true);
      const letters = readFileSync(t.deadLetterFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(letters).toHaveLength(1);
      expect(letters[0]).toMatchObject({
        service: 'spellchecker',
        coordinates: { topic: t.topic, partition: 0, offset: 1 },
      });
    } finally {
      await esm.stop();
    }
  });

  it('loses nothing when the broker restarts mid-run', async () => {
    const t = await setup('restart', 2);
    const first = await produce(
      kafka.bootstrapServers,
      t.topic,
      Array.from({ length: 10 }, (_, i) => ({ value: request(`r-${i}`), partition: i % 2 })),
    );
    const { esm, lines } = await spellcheckerMapping({
      kafka,
      endpoint: testEndpoint(),
      ...t,
      settings: { batchSize: 2 },
    });
    try {
      await until(() => lines.length >= 1);
      await kafka.restart();
      const second = await produce(
        kafka.bootstrapServers,
        t.topic,
        Array.from({ length: 10 }, (_, i) => ({ value: request(`r-${10 + i}`), partition: i % 2 })),
      );
      expect(await esm.waitCommitted(ends([...first, ...second]), 90_000)).toBe(true);
      expect(await scanAll(doc, t.spellcheckTable)).toHaveLength(20);
    } finally {
      await esm.stop();
    }
  });

  it('starts a new group at LATEST: records produced before it joined are not delivered', async () => {
    const t = await setup('latest', 1);
    await produce(kafka.bootstrapServers, t.topic, [{ value: request('before'), partition: 0 }]);
    const { esm } = await spellcheckerMapping({
      kafka,
      endpoint: testEndpoint(),
      ...t,
      settings: { startingPosition: 'LATEST' },
    });
    try {
      // The group's position is set once it joined; give it a moment, then produce.
      await new Promise((r) => setTimeout(r, 1500));
      const landed = await produce(kafka.bootstrapServers, t.topic, [
        { value: request('after'), partition: 0 },
      ]);
      expect(await esm.waitCommitted(ends(landed))).toBe(true);
      const items = await scanAll(doc, t.spellcheckTable);
      expect(items).toHaveLength(1);
      expect(JSON.stringify(items[0])).toContain('after');
    } finally {
      await esm.stop();
    }
  });

  it('starts a new group AT_TIMESTAMP: only records stamped at or after the timestamp are delivered', async () => {
    const t = await setup('at-timestamp', 1);
    const before = await produce(kafka.bootstrapServers, t.topic, [
      { value: request('ts-before-0'), partition: 0 },
      { value: request('ts-before-1'), partition: 0 },
    ]);
    await new Promise((r) => setTimeout(r, 50));
    const from = Date.now();
    await new Promise((r) => setTimeout(r, 50));
    const after = await produce(kafka.bootstrapServers, t.topic, [
      { value: request('ts-after-0'), partition: 0 },
      { value: request('ts-after-1'), partition: 0 },
    ]);
    const { esm, lines } = await spellcheckerMapping({
      kafka,
      endpoint: testEndpoint(),
      ...t,
      settings: { startingPosition: 'AT_TIMESTAMP', startingPositionTimestampMs: from },
    });
    try {
      expect(await esm.waitCommitted(ends([...before, ...after]))).toBe(true);
      const essays = (await scanAll(doc, t.spellcheckTable)).map((i) => JSON.stringify(i));
      expect(essays).toHaveLength(2);
      expect(essays.every((e) => e.includes('ts-after-'))).toBe(true);
      expect(Math.min(...lines.map((l) => l.from))).toBe(2);
    } finally {
      await esm.stop();
    }
  });

  it('bisects a batch that failed as a whole down to the failing record, which alone goes to the on-failure destination', async () => {
    const t = await setup('bisect', 1);
    const values = [0, 1, 2, 3].map((i) => request(`b-${i}`));
    // Offset 2's key is held by another worker: without partial batch responses its retryable
    // failure fails the whole batch (a function error).
    await holdKey(t.idempotencyTable, values[2]);
    const landed = await produce(
      kafka.bootstrapServers,
      t.topic,
      values.map((value) => ({ value, partition: 0 })),
    );
    const { esm, lines } = await spellcheckerMapping({
      kafka,
      endpoint: testEndpoint(),
      ...t,
      env: { KAFKA_PARTIAL_BATCH_RESPONSE: 'false' },
      settings: { retryAttempts: 2, bisectBatchOnError: true, batchSize: 4, maxBatchingWindowMs: 1000 },
    });
    try {
      expect(await esm.waitCommitted(ends(landed))).toBe(true);
      const ranges = lines.map((l) => `${l.from}-${l.to}:${l.outcome}`);
      // [0,4) fails; its halves [0,2) succeed and [2,4) fail; [2,3) is retried until discarded, [3,4) succeeds.
      expect(ranges[0]).toBe('0-3:failed');
      expect(ranges).toContain('0-1:success');
      expect(ranges).toContain('2-3:failed');
      expect(ranges).toContain('2-2:discarded');
      expect(ranges).toContain('3-3:success');
      expect(lines.filter((l) => l.outcome === 'discarded')).toHaveLength(1);
      expect(await scanAll(doc, t.spellcheckTable)).toHaveLength(3);
      const documents = readFileSync(t.onFailureFile, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(documents).toHaveLength(1);
      expect(documents[0]?.KafkaBatchInfo.recordsInfo[`${t.topic}-0`]).toMatchObject({
        firstRecordOffset: '2',
        lastRecordOffset: '2',
      });
      expect(documents[0]?.requestContext.condition).toBe('RetryAttemptsExhausted');
    } finally {
      await esm.stop();
    }
  });

  it('redrives a fixed poison record to its topic with npm run dead-letters --target produce: consumed once, the dead letter removed', async () => {
    const t = await setup('redrive', 1);
    // The dead letter: the real spellchecker failed the record permanently (a bug, fixed since).
    const buggy = clients();
    buggy.doc.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { TableName?: string };
        if (
          /^Put(Item)?Command$/.test(String(context.commandName)) &&
          input.TableName === t.spellcheckTable
        ) {
          throw new PermanentError('speller dictionary not loaded (a bug, fixed since)');
        }
        return next(args);
      },
      { step: 'initialize', name: 'speller-bug' },
    );
    const handler = createSpellchecker(
      { ...testConsumerConfig(t.idempotencyTable), spellcheckTableName: t.spellcheckTable },
      { client: buggy.doc, deadLetter: new FileDeadLetterSink(t.deadLetterFile) },
    );
    const report = await handler.process(
      mskEvent([
        {
          topic: t.topic,
          partition: 0,
          offset: 0,
          key: 'essay-r',
          value: request('fixed'),
        },
      ]),
    );
    buggy.doc.destroy();
    buggy.raw.destroy();
    expect(report.records.map((r) => r.status)).toEqual(['failed']);

    const redrive = await runScript(
      'dead-letters',
      [
        'redrive',
        '--all',
        '--file',
        t.deadLetterFile,
        '--table',
        t.idempotencyTable,
        '--dynamodb-endpoint',
        testEndpoint(),
        '--target',
        'produce',
        '--bootstrap-servers',
        kafka.bootstrapServers,
      ],
      {},
    );
    expect(redrive.code).toBe(0);
    expect(redrive.stdout).toMatch(new RegExp(`produced to ${t.topic.replace(/\./g, '\\.')}`));
    expect(readFileSync(t.deadLetterFile, 'utf8').trim()).toBe('');

    // The emulator reads the redriven record from the topic; the bundled consumer effects it once.
    const { esm, lines } = await spellcheckerMapping({ kafka, endpoint: testEndpoint(), ...t });
    try {
      expect(await esm.waitCommitted(new Map([[0, 1]]))).toBe(true);
      const items = await scanAll(doc, t.spellcheckTable);
      expect(items).toHaveLength(1);
      expect(JSON.stringify(items[0])).toContain('fixed');
      expect(sum(lines, 'processed')).toBe(1);
      const idem = await scanAll(doc, t.idempotencyTable);
      expect(idem.map((r) => r.status)).toEqual(['completed']);
    } finally {
      await esm.stop();
    }
  });

  it('runs the bundle the CDK app synthesizes (its asset) on a sample event', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cdk-out-'));
    const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', out], {
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(synth.status).toBe(0);
    // The spellchecker's function in the synthesized templates, and its code asset.
    let assetHash: string | undefined;
    for (const file of readdirSync(out).filter((f) => f.endsWith('.template.json'))) {
      const template = JSON.parse(readFileSync(join(out, file), 'utf8')) as {
        Resources?: Record<
          string,
          {
            Type: string;
            Properties?: { Code?: { S3Key?: string }; Environment?: { Variables?: Record<string, unknown> } };
          }
        >;
      };
      for (const resource of Object.values(template.Resources ?? {})) {
        if (resource.Type !== 'AWS::Lambda::Function') continue;
        if (resource.Properties?.Environment?.Variables?.[ENV.SERVICE_NAME] !== 'spellchecker') continue;
        assetHash = resource.Properties.Code?.S3Key?.replace(/\.zip$/, '');
      }
    }
    expect(assetHash).toBeDefined();
    const bundle = join(out, `asset.${assetHash}`, 'index.js');
    expect(existsSync(bundle)).toBe(true);
    // The dead-letter chunk beside it, built by the construct's afterBundling hook.
    expect(existsSync(join(out, `asset.${assetHash}`, DEAD_LETTER_CHUNK.file))).toBe(true);

    const t = await setup('synthesized', 1);
    const sample = JSON.parse(
      readFileSync(join(__dirname, '../../../events/spellchecker-happy-path.json'), 'utf8'),
    );
    const [batch] = mskEventRecords(sample);
    const landed = await produce(
      kafka.bootstrapServers,
      t.topic,
      (batch?.records ?? []).map((r) => ({ ...r, partition: 0 })),
    );
    const { esm, lines } = await spellcheckerMapping({ kafka, endpoint: testEndpoint(), ...t, bundle });
    try {
      expect(await esm.waitCommitted(ends(landed))).toBe(true);
      expect(await scanAll(doc, t.spellcheckTable)).toHaveLength(landed.length);
      expect(sum(lines, 'processed')).toBe(landed.length);
    } finally {
      await esm.stop();
    }
  }, 300_000);
});
