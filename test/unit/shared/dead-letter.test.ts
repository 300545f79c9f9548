import { mskRecord } from '../../../scripts/lib/msk-events';
import { sqsMessage } from '../../../shared/dead-letter-sqs';
import {
  DEAD_LETTER_MAX_BYTES,
  type DeadLetterEntry,
  deadLetterBody,
  sha256Hex,
} from '../../../shared/internal';

const COORDINATES = { topic: 'orders', partition: 3, offset: 41 };

function entry(overrides: Partial<DeadLetterEntry> = {}): DeadLetterEntry {
  return {
    service: 'billing',
    idempotency_key: 'idem:v1:billing:invalid:abc',
    event_type: undefined,
    event_id: undefined,
    correlation_id: undefined,
    coordinates: COORDINATES,
    error: { name: 'InvalidRecordError', message: 'Record value is not JSON at orders-3@41' },
    record: mskRecord({ ...COORDINATES, value: 'not json' }),
    failed_at: '2026-12-01T00:00:00.000Z',
    ...overrides,
  };
}

/** SQS's allowed characters: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF. */
const SQS_TEXT = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

describe('deadLetterBody', () => {
  test('a record that fits is kept whole, byte for byte', () => {
    const e = entry();
    expect(JSON.parse(deadLetterBody(e))).toEqual(JSON.parse(JSON.stringify(e)));
  });

  test('a record with a large header and value is cut to fit, keeping coordinates, digest and the value head', () => {
    // GIVEN a record whose headers alone (JSON number arrays) are about 4 MB
    const record = mskRecord({
      ...COORDINATES,
      value: 'v'.repeat(700_000),
      headers: { big: 'h'.repeat(1_000_000) },
      key: 'k'.repeat(10_000),
    });
    const e = entry({ record });
    // WHEN its dead letter is built
    const body = deadLetterBody(e);
    // THEN it fits SQS, names what it dropped, and lets the record be found and verified
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(DEAD_LETTER_MAX_BYTES);
    const parsed = JSON.parse(body);
    expect(parsed.record).toMatchObject({
      ...COORDINATES,
      received_sha256: sha256Hex(JSON.stringify(record)),
      received_bytes: Buffer.byteLength(JSON.stringify(record)),
    });
    expect(parsed.record.value_head).toBe((record as { value: string }).value.slice(0, 8192));
    expect(parsed.record.headers).toBeUndefined();
    expect(parsed.record.key).toBeUndefined();
    expect(parsed.record_truncated).toMatch(/dropped the rest of the value, the key and the headers/);
    expect(parsed.idempotency_key).toBe(e.idempotency_key);
  });

  test('an error message is cut to 4096 characters', () => {
    const body = JSON.parse(deadLetterBody(entry({ error: { name: 'E', message: 'm'.repeat(100_000) } })));
    expect(body.error.message).toHaveLength(4096 + '…(cut)'.length);
  });

  test('every body is text SQS accepts, whatever the record carried', () => {
    const hostile = 'a\u0000b\uFFFF\uFFFEc\uD800d\u2028';
    const body = deadLetterBody(entry({ event_id: hostile, error: { name: hostile, message: hostile } }));
    expect(body).toMatch(SQS_TEXT);
    expect(JSON.parse(body).event_id).toBe(hostile);
  });

  test('fails if the limit leaves no room for the identifiers', () => {
    expect(() => deadLetterBody(entry({ record: { value: 'x'.repeat(10_000) } }), 200)).toThrow(
      /cannot be made to fit 200 bytes/,
    );
  });
});

describe('sqsMessage', () => {
  test('attributes carry only characters SQS accepts, at most 256, never empty', () => {
    const input = sqsMessage(
      'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq',
      entry({
        service: 'svc',
        error: { name: `Bad\u0001Name\uFFFF${'x'.repeat(400)}😀`, message: 'm' },
        idempotency_key: '',
      }),
    );
    const attributes = input.MessageAttributes ?? {};
    for (const attribute of Object.values(attributes)) {
      expect(attribute.StringValue).toMatch(SQS_TEXT);
      expect([...(attribute.StringValue ?? '')].length).toBeLessThanOrEqual(256);
      expect(attribute.StringValue?.length).toBeGreaterThan(0);
    }
    expect(attributes.error_name?.StringValue?.startsWith('Bad?Name?xxx')).toBe(true);
    expect(Buffer.byteLength(input.MessageBody ?? '')).toBeLessThanOrEqual(DEAD_LETTER_MAX_BYTES);
  });
});
