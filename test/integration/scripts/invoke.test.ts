import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../../scripts/lib/local';
import { listRecords } from '../../../scripts/lib/records';
import { ENV } from '../../../shared/internal';
import { clients, testEndpoint } from '../../helpers/dynamo';
import { lastJsonLine, runScript } from './run-script';

describe('npm run invoke (child process, real spellchecker handler, DynamoDB Local)', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'invoke-test-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('the same event file twice: processed and dead-lettered once, all duplicates the second time', async () => {
    // GIVEN tables of its own on the test engine, a dead-letter file, and the committed poison sample
    const suffix = randomUUID().slice(0, 8);
    const deadLetters = join(dir, 'dead-letters.jsonl');
    const env = {
      [ENV.DYNAMODB_ENDPOINT]: testEndpoint(),
      [ENV.IDEMPOTENCY_TABLE_NAME]: `invoke-idem-${suffix}`,
      SPELLCHECK_TABLE_NAME: `invoke-checks-${suffix}`,
      ESSAY_TABLE_NAME: `invoke-essays-${suffix}`,
      [ENV.DEAD_LETTER_QUEUE_URL]: pathToFileURL(deadLetters).href,
    };
    const eventFile = join(REPO_ROOT, 'events', 'spellchecker-poison.json');

    // WHEN it is invoked, then invoked again (a redelivered batch)
    const first = await runScript('invoke', ['spellchecker', eventFile], env);
    const second = await runScript('invoke', ['spellchecker', eventFile], env);

    // THEN the first run processed the two requests and dead-lettered the five poison records
    expect({ code: first.code, stderr: first.code === 0 ? '' : first.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    expect(lastJsonLine(first.stdout)).toEqual({
      function: 'spellchecker',
      records: 7,
      processed: 2,
      duplicates: 0,
      failed: 5,
      retryable: 0,
      skipped: 0,
      batchItemFailures: [],
      error: null,
    });
    expect(first.stdout).toMatch(/processed/);
    // AND the second saw only duplicates and dead-lettered nothing more
    expect(second.code).toBe(0);
    expect(lastJsonLine(second.stdout)).toEqual({
      function: 'spellchecker',
      records: 7,
      processed: 0,
      duplicates: 7,
      failed: 0,
      retryable: 0,
      skipped: 0,
      batchItemFailures: [],
      error: null,
    });
    const lines = (await readFile(deadLetters, 'utf8')).split('\n').filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(5);
    expect(lines.map((l) => (JSON.parse(l) as { service: string }).service)).toEqual(
      Array(5).fill('spellchecker'),
    );
    // AND the table holds one record per logical event: 2 completed, 5 failed
    const { doc } = clients();
    const records = await listRecords(doc, env[ENV.IDEMPOTENCY_TABLE_NAME]);
    expect(records.map((r) => r.status).sort()).toEqual([
      'completed',
      'completed',
      'failed',
      'failed',
      'failed',
      'failed',
      'failed',
    ]);
    // AND function logs never reached stdout: every line before the summary is the report
    expect(second.stdout).not.toMatch(/"level":/);
  }, 60_000);
});
