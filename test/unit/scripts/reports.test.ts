import { fakeLambdaContext, formatReport, summarize } from '../../../scripts/lib/invoke-report';
import { matchKey } from '../../../scripts/lib/records';
import type {
  BatchReport,
  IdempotencyRecord,
  RecordReport,
  RecordStatusInBatch,
} from '../../../shared/internal';

const TOPIC = 'huleedu.essay.spellcheck.requested.v1';

function line(offset: number, status: RecordStatusInBatch, error?: string): RecordReport {
  return {
    topic: TOPIC,
    partition: 0,
    offset,
    status,
    idempotencyKey: `idem:v1:spellchecker:${TOPIC}:${String(offset).padStart(64, '0')}`,
    eventType: TOPIC,
    eventId: `evt-${offset}`,
    inBatchDuplicate: false,
    error,
    result: undefined,
  };
}

function report(records: RecordReport[]): BatchReport {
  const counts: Record<RecordStatusInBatch, number> = {
    processed: 0,
    duplicate: 0,
    'in-progress-elsewhere': 0,
    failed: 0,
    retry: 0,
    skipped: 0,
  };
  for (const r of records) counts[r.status] += 1;
  const first = records.find((r) => r.status === 'retry' || r.status === 'skipped');
  return {
    records,
    counts,
    batchItemFailures: first ? [{ itemIdentifier: { partition: `${TOPIC}-0`, offset: first.offset } }] : [],
    deadLetterFailure: undefined,
    durationMs: 5,
  };
}

describe('summarize: what the Lambda entry point would answer', () => {
  const mixed = report([
    line(0, 'processed'),
    line(1, 'duplicate'),
    line(2, 'failed', 'InvalidRecordError: not JSON'),
    line(3, 'retry', 'RetryableError: dependency down'),
    line(4, 'skipped'),
  ]);

  test('with a partial batch response: batchItemFailures, and no error', () => {
    expect(summarize('spellchecker', mixed, true)).toEqual({
      function: 'spellchecker',
      records: 5,
      processed: 1,
      duplicates: 1,
      failed: 1,
      retryable: 1,
      skipped: 1,
      batchItemFailures: [{ itemIdentifier: { partition: `${TOPIC}-0`, offset: 3 } }],
      error: null,
    });
  });

  test('without it: the BatchRetryError the handler throws, so the whole batch comes again', () => {
    const summary = summarize('spellchecker', mixed, false);
    expect(summary.error).toMatch(/^BatchRetryError: 1 of 5 records must be retried/);
    expect(summary.error).toContain(`${TOPIC}-0@3: RetryableError: dependency down`);
  });

  test('a clean batch is not an error either way', () => {
    const clean = report([line(0, 'processed'), line(1, 'failed', 'InvalidRecordError: x')]);
    expect(summarize('spellchecker', clean, false).error).toBeNull();
    expect(summarize('spellchecker', clean, true).batchItemFailures).toEqual([]);
  });

  test('formatReport shows one row per record and explains only the statuses present', () => {
    const text = formatReport(report([line(0, 'processed'), line(1, 'retry', 'RetryableError: down')]));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^partition\s+offset\s+event type\s+status\s+key\s+error$/);
    expect(lines[2]).toMatch(
      /^\s+0\s+0\s+huleedu\.essay\.spellcheck\.requested\.v1\s+processed\s+spellchecker:000000000000$/,
    );
    expect(lines[3]).toContain('RetryableError: down');
    expect(text).toContain('retryable error: released');
    expect(text).not.toContain('permanent error');
  });
});

describe('fakeLambdaContext', () => {
  test('counts down from the timeout and never goes negative', () => {
    const context = fakeLambdaContext('spellchecker', 60_000);
    const remaining = context.getRemainingTimeInMillis();
    expect(remaining).toBeLessThanOrEqual(60_000);
    expect(remaining).toBeGreaterThan(59_000);
    expect(context.functionName).toBe('spellchecker');
    expect(fakeLambdaContext('x', 0).getRemainingTimeInMillis()).toBe(0);
  });
});

describe('matchKey: which record a person meant', () => {
  const record = (id: string) => ({ id }) as IdempotencyRecord;
  const a = `idem:v1:spellchecker:${TOPIC}:abc123${'0'.repeat(58)}`;
  const b = `idem:v1:spellchecker:${TOPIC}:abd456${'0'.repeat(58)}`;
  const c = `idem:v1:essay-lifecycle:huleedu.essay.batch.registered.v1:abc123${'1'.repeat(58)}`;
  const records = [record(a), record(b), record(c)];

  test('the exact key, a shortened key from the listing, or any unique part of it', () => {
    expect(matchKey(records, a)).toEqual({ kind: 'one', id: a });
    expect(matchKey(records, 'spellchecker:abc1')).toEqual({ kind: 'one', id: a });
    expect(matchKey(records, 'abd456')).toEqual({ kind: 'one', id: b });
  });

  test('ambiguous or unknown text says so instead of guessing', () => {
    expect(matchKey(records, 'abc123')).toEqual({ kind: 'many', ids: [a, c] });
    expect(matchKey(records, 'spellchecker:ab')).toEqual({ kind: 'many', ids: [a, b] });
    expect(matchKey(records, 'zzz')).toEqual({ kind: 'none' });
  });
});
