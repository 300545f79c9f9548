import { parseDeadLettersArgs } from '../../../scripts/dead-letters';
import { UsageError } from '../../../scripts/lib/cli';
import {
  type DeadLetter,
  matches,
  parseDeadLetter,
  timeFlag,
} from '../../../scripts/lib/dead-letters/letters';
import { planRedrive } from '../../../scripts/lib/dead-letters/redrive';
import { type DeadLetterEntry, deadLetterBody, type IdempotencyRecord } from '../../../shared/internal';
import { resetFailedRequest } from '../../../shared/transitions';

const RECORD = {
  topic: 'orders',
  partition: 3,
  offset: 17,
  timestamp: 1_700_000_000_000,
  timestampType: 'CREATE_TIME',
  key: Buffer.from('k').toString('base64'),
  value: Buffer.from('{"x":1}').toString('base64'),
  headers: [{ trace: [97, 98] }],
};

function entry(overrides: Partial<DeadLetterEntry> = {}): DeadLetterEntry {
  return {
    service: 'spellchecker',
    idempotency_key: 'idem:v1:spellchecker:orders.v1:abc',
    event_type: 'orders.v1',
    event_id: 'e-1',
    correlation_id: 'c-1',
    coordinates: { topic: 'orders', partition: 3, offset: 17 },
    error: { name: 'PermanentError', message: 'unknown customer' },
    record: RECORD,
    failed_at: '2026-12-01T10:00:00.000Z',
    owner: 'owner-1',
    ...overrides,
  };
}

function letter(overrides: Partial<DeadLetterEntry> = {}, body?: string): DeadLetter {
  return parseDeadLetter('id-1', body ?? deadLetterBody(entry(overrides)));
}

function failed(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    id: 'idem:v1:spellchecker:orders.v1:abc',
    status: 'failed',
    owner: 'owner-1',
    expiration: 4_000_000_000,
    error: { name: 'PermanentError', message: 'unknown customer' },
    ...overrides,
  } as unknown as IdempotencyRecord;
}

describe('parseDeadLetter', () => {
  test('reads a body as the sinks write it, the record whole and redeliverable', () => {
    const read = letter();
    expect(read.entry.owner).toBe('owner-1');
    expect(read.record).toEqual(RECORD);
    expect(read.unredeliverable).toBeUndefined();
  });

  test('a body cut to fit (record_truncated) is listed but not redeliverable', () => {
    const big = entry({ record: { ...RECORD, value: 'A'.repeat(200_000) } });
    const read = parseDeadLetter('id', deadLetterBody(big, 64 * 1024));
    expect(read.record).toBeUndefined();
    expect(read.unredeliverable).toMatch(/kept only part of the record.*read it back from the topic/);
  });

  test('what was not a Kafka record is not redeliverable', () => {
    expect(letter({ record: { nonsense: true } }).unredeliverable).toMatch(/not a Kafka record/);
  });

  test('a body that is not a dead letter names the fields, never the values', () => {
    expect(() => parseDeadLetter('id', '{"service":"s3cr3t"}')).toThrow(/idempotency_key, error, failed_at/);
    expect(() => parseDeadLetter('id', '{"service":"s3cr3t"}')).not.toThrow(/s3cr3t/);
    expect(() => parseDeadLetter('id', 'not json')).toThrow(/not JSON/);
  });
});

describe('filters', () => {
  test('each filter given must match', () => {
    const read = letter();
    expect(matches(read, { consumer: 'spellchecker', errorName: 'PermanentError' })).toBe(true);
    expect(matches(read, { consumer: 'essay-lifecycle' })).toBe(false);
    expect(matches(read, { eventType: 'other.v1' })).toBe(false);
    expect(matches(read, { since: Date.parse('2026-12-01T10:00:00Z') })).toBe(true);
    expect(matches(read, { until: Date.parse('2026-12-01T10:00:00Z') })).toBe(false);
  });

  test('times are ISO or a duration ago; anything else is a usage error naming the flag', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(timeFlag('--since', '2h', now)).toBe(Date.parse('2026-12-01T10:00:00Z'));
    expect(timeFlag('--since', '2026-12-01T09:00:00Z', now)).toBe(Date.parse('2026-12-01T09:00:00Z'));
    expect(() => timeFlag('--until', 'yesterday', now)).toThrow(/--until must be an ISO time/);
  });
});

describe('planRedrive', () => {
  test('the failed record this dead letter describes is reset, then redelivered', () => {
    expect(planRedrive(letter(), failed())).toEqual({ kind: 'reset-and-redeliver' });
  });

  test('no live record (expired, or reset by an interrupted run): redeliver without a reset', () => {
    expect(planRedrive(letter(), undefined)).toEqual({ kind: 'redeliver' });
  });

  test('a completed record (redelivered by an interrupted run): only remove the dead letter', () => {
    expect(
      planRedrive(letter(), failed({ status: 'completed' } as Partial<IdempotencyRecord>)),
    ).toMatchObject({
      kind: 'remove',
    });
  });

  test('a record held by a worker, failed by another attempt, or with another error is left alone', () => {
    expect(planRedrive(letter(), failed({ status: 'processing' } as Partial<IdempotencyRecord>)).kind).toBe(
      'skip',
    );
    expect(planRedrive(letter(), failed({ owner: 'owner-2' })).kind).toBe('skip');
    expect(
      planRedrive(
        letter(),
        failed({ error: { name: 'OtherError', message: 'x' } } as Partial<IdempotencyRecord>),
      ).kind,
    ).toBe('skip');
    expect(planRedrive(letter({ owner: undefined }), failed()).kind).toBe('skip');
  });

  test('a record failed again under a later attempt whose dead letter is in the source: remove the old one', () => {
    const later = parseDeadLetter('id-2', deadLetterBody(entry({ owner: 'owner-2' })));
    expect(planRedrive(letter(), failed({ owner: 'owner-2' }), [later]).kind).toBe('remove');
  });

  test('a message cut in the dead letter still matches the one stored (first 3999 characters)', () => {
    const long = 'm'.repeat(5000);
    const stored = failed({ error: { name: 'PermanentError', message: `${long.slice(0, 3999)}…` } } as never);
    expect(planRedrive(letter({ error: { name: 'PermanentError', message: long } }), stored).kind).toBe(
      'reset-and-redeliver',
    );
  });
});

describe('resetFailedRequest', () => {
  test('a conditional delete fenced on status, owner, error name and message prefix', () => {
    const request = resetFailedRequest({
      tableName: 'idem',
      id: 'k',
      owner: 'owner-1',
      error: { name: 'PermanentError', message: 'x'.repeat(5000) },
    });
    expect(request.ConditionExpression).toBe(
      '#status = :failed AND #owner = :owner AND #error.#errorName = :errorName AND begins_with(#error.#errorMessage, :errorMessage)',
    );
    expect(request.ExpressionAttributeNames).toEqual({
      '#status': 'status',
      '#owner': 'owner',
      '#error': 'error',
      '#errorName': 'name',
      '#errorMessage': 'message',
    });
    expect(String(request.ExpressionAttributeValues?.[':errorMessage'])).toHaveLength(3999);
  });

  test('an empty message is not compared', () => {
    const request = resetFailedRequest({
      tableName: 'idem',
      id: 'k',
      owner: 'o',
      error: { name: 'E', message: '' },
    });
    expect(request.ConditionExpression).not.toMatch(/begins_with/);
    expect(request.ExpressionAttributeValues).not.toHaveProperty(':errorMessage');
  });
});

describe('parseDeadLettersArgs', () => {
  test('a redrive needs an id, a filter or --all; a target needs its address', () => {
    expect(() => parseDeadLettersArgs(['redrive'], {})).toThrow(UsageError);
    expect(() => parseDeadLettersArgs(['redrive', '--all', '--target', 'lambda'], {})).toThrow(
      /--function-name/,
    );
    expect(() => parseDeadLettersArgs(['redrive', '--all', '--target', 'produce'], {})).toThrow(
      /--bootstrap-servers/,
    );
    expect(() => parseDeadLettersArgs(['show'], {})).toThrow(/show needs a dead-letter id/);
    expect(() => parseDeadLettersArgs(['purge'], {})).toThrow(/command must be one of list, show, redrive/);
    const parsed = parseDeadLettersArgs(['redrive', '--consumer', 'spellchecker', '--dry-run'], {});
    expect(parsed).toMatchObject({
      help: false,
      options: { command: 'redrive', dryRun: true, target: 'handler' },
    });
  });

  test('the DynamoDB endpoint: the flag, else DYNAMODB_ENDPOINT, else --endpoint', () => {
    const withEndpoint = parseDeadLettersArgs(['list', '--endpoint', 'http://127.0.0.1:4566'], {});
    expect(withEndpoint).toMatchObject({ options: { dynamodbEndpoint: 'http://127.0.0.1:4566' } });
    const fromEnv = parseDeadLettersArgs(['list', '--endpoint', 'http://127.0.0.1:4566'], {
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
    });
    expect(fromEnv).toMatchObject({ options: { dynamodbEndpoint: 'http://127.0.0.1:8000' } });
  });
});
