import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MSKRecord } from 'aws-lambda';
import { parseDeadLetter } from '../../../scripts/lib/dead-letters/letters';
import { lineId } from '../../../scripts/lib/dead-letters/sources';
import { REPO_ROOT } from '../../../scripts/lib/local';
import { envelope, mskEvent, mskEventOf } from '../../../scripts/lib/msk-events';
import {
  FileDeadLetterSink,
  type IdempotencyRecord,
  PermanentError,
  resetFailedRequest,
} from '../../../shared/internal';
import { startDynamoProxy } from '../../../tools/testing/dynamo-proxy';
import { createSpellchecker, scanAll, testConsumerConfig } from '../../helpers/consumers';
import { clients, freshConsumerTable, freshIdempotencyTable, testEndpoint } from '../../helpers/dynamo';
import { lastJsonLine, runScript } from './run-script';

const TOPIC = 'huleedu.essay.spellcheck.requested.v1';
const KILLED_REDRIVE = join(REPO_ROOT, 'test/helpers/killed-redrive.ts');

/** A bug in the consumer: every PutItem to its table fails with a permanent error (until "fixed"). */
function withBug(doc: ReturnType<typeof clients>['doc'], table: string): void {
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string };
      if (/^Put(Item)?Command$/.test(String(context.commandName)) && input.TableName === table) {
        throw new PermanentError('speller dictionary not loaded (a bug, fixed since)');
      }
      return next(args);
    },
    { step: 'initialize', name: 'speller-bug' },
  );
}

interface Case {
  readonly dir: string;
  readonly file: string;
  readonly idempotencyTable: string;
  readonly spellcheckTable: string;
  readonly record: MSKRecord;
  readonly key: string;
}

/** A poison record of the real spellchecker (its table write failed for a bug), dead-lettered to a file. */
async function deadLettered(label: string): Promise<Case> {
  const { raw, doc } = clients();
  const idempotencyTable = await freshIdempotencyTable(raw, `dl-${label}`);
  const spellcheckTable = await freshConsumerTable(raw, `dl-${label}-checks`);
  const dir = await mkdtemp(join(tmpdir(), `dead-letters-${label}-`));
  const file = join(dir, 'dead-letters.jsonl');
  withBug(doc, spellcheckTable);
  const handler = createSpellchecker(
    { ...testConsumerConfig(idempotencyTable), spellcheckTableName: spellcheckTable },
    { client: doc, deadLetter: new FileDeadLetterSink(file) },
  );
  const event = mskEvent([
    {
      topic: TOPIC,
      partition: 0,
      offset: 41,
      key: 'essay-7',
      headers: { trace: 'abc' },
      value: envelope({ event_type: TOPIC, data: { essay_id: `essay-${label}`, text: 'teh cat sat' } }),
    },
  ]);
  const report = await handler.process(event);
  expect(report.records.map((r) => r.status)).toEqual(['failed']);
  const record = Object.values(event.records)[0]?.[0] as MSKRecord;
  return {
    dir,
    file,
    idempotencyTable,
    spellcheckTable,
    record,
    key: report.records[0]?.idempotencyKey ?? '',
  };
}

/** Runs the redrive in a child process through a DynamoDB proxy; `killAt` makes it SIGKILL itself there. */
function redrive(
  c: Case,
  proxyEndpoint: string,
  killAt: string | undefined,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      KILLED_REDRIVE,
      'redrive',
      '--all',
      '--file',
      c.file,
      '--table',
      c.idempotencyTable,
      '--dynamodb-endpoint',
      proxyEndpoint,
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...(killAt ? { KILL_AT: killAt } : {}),
        SPELLCHECK_TABLE_NAME: c.spellcheckTable,
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '');
}

async function idempotencyRecord(table: string, id: string): Promise<IdempotencyRecord | undefined> {
  const { doc } = clients();
  return (await doc.send(new GetCommand({ TableName: table, Key: { id }, ConsistentRead: true }))).Item as
    | IdempotencyRecord
    | undefined;
}

describe('npm run dead-letters -- redrive, killed at each step', () => {
  test.each([
    ['reset', 'after the fenced reset, before the redelivery'],
    ['redelivered', 'after the redelivery, before the dead letter is removed'],
    ['removal-written', 'during the removal (the rewritten file written, not yet renamed)'],
  ])('killed at %s (%s): the rerun leaves the record processed exactly once and the dead letter gone', async (step) => {
    // GIVEN a record the spellchecker failed permanently (a bug), recorded failed and dead-lettered
    const c = await deadLettered(step);
    const proxy = await startDynamoProxy(testEndpoint());
    try {
      const [line] = await lines(c.file);
      const letter = parseDeadLetter(lineId(line ?? ''), line ?? '');
      expect(letter.entry.owner).toEqual((await idempotencyRecord(c.idempotencyTable, c.key))?.owner);
      expect((await idempotencyRecord(c.idempotencyTable, c.key))?.status).toBe('failed');

      // WHEN the redrive (the bug fixed) is killed at the step, then run again
      const killed = await redrive(c, proxy.endpoint, step);
      expect({ signal: killed.signal, stderr: killed.stderr }).toEqual({ signal: 'SIGKILL', stderr: '' });
      const rerun = await redrive(c, proxy.endpoint, undefined);

      // THEN the rerun succeeds, the record is completed, its effect was written once, the dead letter is gone
      expect({ code: rerun.code, stderr: rerun.stderr }).toEqual({ code: 0, stderr: '' });
      const record = await idempotencyRecord(c.idempotencyTable, c.key);
      expect(record?.status).toBe('completed');
      const effects = proxy.requests.filter(
        (r) => r.operation === 'PutItem' && r.tables.includes(c.spellcheckTable) && r.status === 200,
      );
      expect(effects).toHaveLength(1);
      const { doc } = clients();
      expect(await scanAll(doc, c.spellcheckTable)).toHaveLength(1);
      expect(await lines(c.file)).toEqual([]);
      expect(
        (await readdir(c.dir)).filter((name) => name !== 'dead-letters.jsonl' && !name.endsWith('.tmp')),
      ).toEqual([]);
      if (step !== 'reset') {
        // The rerun did not redeliver: the record was completed, so it only removed the dead letter
        expect(rerun.stdout).toMatch(/removed: its record is completed/);
        // AND a second delivery of the same record would be a duplicate: no new effect
        const again = createSpellchecker(
          { ...testConsumerConfig(c.idempotencyTable), spellcheckTableName: c.spellcheckTable },
          { client: doc },
        );
        const report = await again.process(mskEventOf([c.record]));
        expect(report.records.map((r) => r.status)).toEqual(['duplicate']);
        expect(await scanAll(doc, c.spellcheckTable)).toHaveLength(1);
      } else {
        expect(rerun.stdout).toMatch(/redriven: handler functions\/spellchecker/);
      }
    } finally {
      await proxy.close();
      await rm(c.dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('npm run dead-letters', () => {
  test('list and show read the dead letter; --dry-run writes nothing; a record failed again is not reset', async () => {
    // GIVEN a dead letter
    const c = await deadLettered('list');
    try {
      const env = { DYNAMODB_ENDPOINT: testEndpoint(), IDEMPOTENCY_TABLE_NAME: c.idempotencyTable };
      const list = await runScript('dead-letters', ['list', '--file', c.file, '--json'], env);
      const [listed] = lastJsonLine(list.stdout) as { id: string; consumer: string; error: string }[];
      expect(listed).toMatchObject({ consumer: 'spellchecker', error: 'PermanentError' });
      const none = await runScript(
        'dead-letters',
        ['list', '--file', c.file, '--json', '--error', 'InvalidRecordError'],
        env,
      );
      expect(lastJsonLine(none.stdout)).toEqual([]);

      const show = await runScript(
        'dead-letters',
        ['show', (listed?.id ?? '').slice(0, 8), '--file', c.file],
        env,
      );
      expect(show.code).toBe(0);
      expect(show.stdout).toMatch(/error {8}PermanentError: speller dictionary not loaded/);
      expect(show.stdout).toMatch(/"text": "teh cat sat"/);
      expect(show.stdout).toMatch(/idempotency {2}failed, owner /);

      // WHEN a dry run: THEN it says what it would do and changes nothing
      const before = await readFile(c.file, 'utf8');
      const dry = await runScript('dead-letters', ['redrive', '--all', '--dry-run', '--file', c.file], env);
      expect(dry.stdout).toMatch(
        /would: reset the failed record \(fenced on its owner and error\), redeliver/,
      );
      expect(await readFile(c.file, 'utf8')).toBe(before);
      expect((await idempotencyRecord(c.idempotencyTable, c.key))?.status).toBe('failed');

      // WHEN the failed record is not the one this dead letter describes (another owner): THEN no reset
      const { doc } = clients();
      const record = await idempotencyRecord(c.idempotencyTable, c.key);
      await doc.send(
        new PutCommand({ TableName: c.idempotencyTable, Item: { ...record, owner: 'another-attempt' } }),
      );
      const refused = await runScript('dead-letters', ['redrive', '--all', '--file', c.file], {
        ...env,
        SPELLCHECK_TABLE_NAME: c.spellcheckTable,
      });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(/skipped: its record failed again under another attempt/);
      expect((await idempotencyRecord(c.idempotencyTable, c.key))?.owner).toBe('another-attempt');
      expect(await lines(c.file)).toHaveLength(1);
    } finally {
      await rm(c.dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('resetFailedRequest on DynamoDB Local', () => {
  test('deletes only the failed record of that owner and error; refuses another owner, error or status', async () => {
    // GIVEN failed records written by the real store
    const { raw, doc } = clients();
    const table = await freshIdempotencyTable(raw, 'reset');
    const put = (id: string, item: Record<string, unknown>) =>
      doc.send(new PutCommand({ TableName: table, Item: { id, expiration: 4_000_000_000, ...item } }));
    const error = { name: 'PermanentError', message: 'unknown customer' };
    await put('a', { status: 'failed', owner: 'o-1', error });
    await put('b', { status: 'failed', owner: 'o-2', error });
    await put('c', {
      status: 'failed',
      owner: 'o-1',
      error: { name: 'PermanentError', message: 'another reason' },
    });
    await put('d', { status: 'completed', owner: 'o-1' });
    const reset = (id: string) =>
      doc.send(new DeleteCommand(resetFailedRequest({ tableName: table, id, owner: 'o-1', error }))).then(
        () => 'deleted',
        (e: unknown) => (e as Error).name,
      );
    // WHEN each is reset with the dead letter of owner o-1
    // THEN only the matching one goes
    expect(await Promise.all(['a', 'b', 'c', 'd', 'absent'].map(reset))).toEqual([
      'deleted',
      'ConditionalCheckFailedException',
      'ConditionalCheckFailedException',
      'ConditionalCheckFailedException',
      'ConditionalCheckFailedException',
    ]);
    expect((await scanAll(doc, table)).map((item) => item.id).sort()).toEqual(['b', 'c', 'd']);
  });
});
