import {
  computeKey,
  type DecodedEvent,
  decodeEvent,
  type EventEnvelope,
  InvalidRecordError,
  type KeyStrategy,
  sha256Hex,
} from '../../../shared/internal';

const BASE: EventEnvelope = {
  event_id: 'evt-1',
  event_type: 'orders.placed.v1',
  event_timestamp: '2025-01-01T00:00:00Z',
  source_service: 'shop',
  data: { order_id: 'o-1', total: 12.5 },
};

function decode(value: unknown, coordinates?: { topic: string; partition: number; offset: number }) {
  return decodeEvent(Buffer.from(JSON.stringify(value), 'utf8'), coordinates);
}

function key(decoded: DecodedEvent, strategy: KeyStrategy = 'content') {
  return computeKey(decoded, { prefix: 'idem:v1', service: 'billing', strategy });
}

function mustInvalid(decoded: DecodedEvent): Extract<DecodedEvent, { ok: false }> {
  if (decoded.ok) throw new Error('expected the record to be poison');
  return decoded;
}

describe('decodeEvent', () => {
  test('a valid envelope decodes, unknown fields kept', () => {
    const decoded = decode({ ...BASE, schema_version: 3 });
    if (!decoded.ok) throw decoded.error;
    expect(decoded.envelope.data).toEqual(BASE.data);
    expect(decoded.envelope.schema_version).toBe(3);
  });

  test.each([
    ['not UTF-8', Buffer.from([0xc3, 0x28]), /not valid UTF-8/],
    ['not JSON', Buffer.from('{nope', 'utf8'), /not JSON/],
    ['JSON but not an object', Buffer.from('[1,2]', 'utf8'), /not a valid event envelope/],
    ['missing data', Buffer.from(JSON.stringify({ ...BASE, data: undefined }), 'utf8'), /data/],
    ['data not an object', Buffer.from(JSON.stringify({ ...BASE, data: 'x' }), 'utf8'), /data/],
    ['an empty event_type', Buffer.from(JSON.stringify({ ...BASE, event_type: '' }), 'utf8'), /event_type/],
    [
      'an event_type with a colon',
      Buffer.from(JSON.stringify({ ...BASE, event_type: 'a:b' }), 'utf8'),
      /event_type/,
    ],
    [
      'an event_id of 257 characters',
      Buffer.from(JSON.stringify({ ...BASE, event_id: 'e'.repeat(257) }), 'utf8'),
      /event_id/,
    ],
  ])('%s is poison with an InvalidRecordError saying why and where', (_label, bytes, why) => {
    const decoded = mustInvalid(decodeEvent(bytes, { topic: 'orders', partition: 2, offset: 9 }));
    expect(decoded.error).toBeInstanceOf(InvalidRecordError);
    expect(decoded.error.retryable).toBe(false);
    expect(decoded.error.message).toMatch(why);
    expect(decoded.error.message).toContain('orders-2@9');
    expect(Buffer.from(decoded.raw).equals(bytes)).toBe(true);
  });

  test('a poison record that is JSON with a string event_type keeps it for routing', () => {
    const decoded = mustInvalid(decode({ event_type: 'orders.placed.v1', data: 1 }));
    expect(decoded.eventType).toBe('orders.placed.v1');
  });

  test('a top-level "__proto__" key in data is data: valid, and part of the content key', () => {
    const withProto = Buffer.from(
      `{"event_id":"e","event_type":"t.v1","event_timestamp":"x","source_service":"s","data":{"__proto__":{"x":1},"a":1}}`,
    );
    const without = decode({ ...BASE, event_type: 't.v1', data: { a: 1 } });
    expect(decodeEvent(withProto).ok).toBe(true);
    expect(key(decodeEvent(withProto)).id).not.toBe(key(without).id);
  });
});

describe('computeKey', () => {
  test('content: namespaced by service and event type, the hash of event type and data', () => {
    const k = key(decode(BASE));
    expect(k.id).toMatch(/^idem:v1:billing:orders\.placed\.v1:[0-9a-f]{64}$/);
    expect(k.eventType).toBe('orders.placed.v1');
    expect(k.id.endsWith(k.payloadHash)).toBe(true);
    expect(key(decode({ ...BASE, event_id: 'evt-2', correlation_id: 'c' })).id).toBe(k.id);
    expect(key(decode({ ...BASE, data: { ...BASE.data, total: 13 } })).id).not.toBe(k.id);
  });

  test('envelope: idempotency_key first, else event_id; the payload hash still covers data', () => {
    const withKey = key(decode({ ...BASE, idempotency_key: 'k-1' }), 'envelope');
    expect(withKey.id).toBe(`idem:v1:billing:orders.placed.v1:${sha256Hex('k-1')}`);
    const other = key(decode({ ...BASE, idempotency_key: 'k-1', data: { order_id: 'o-2' } }), 'envelope');
    expect(other.id).toBe(withKey.id);
    expect(other.payloadHash).not.toBe(withKey.payloadHash);
    expect(key(decode(BASE), 'envelope').id).toBe(`idem:v1:billing:orders.placed.v1:${sha256Hex('evt-1')}`);
  });

  test('coordinates: topic-partition-offset, and a TypeError without coordinates', () => {
    const at = key(decode(BASE, { topic: 'orders', partition: 1, offset: 5 }), 'coordinates');
    expect(at.id).toBe(`idem:v1:billing:orders.placed.v1:${sha256Hex('orders-1-5')}`);
    expect(() => key(decode(BASE), 'coordinates')).toThrow(TypeError);
  });

  test('custom: the hash of what the function returns; a non-string or empty return is a TypeError', () => {
    const custom = key(decode(BASE), (e) => `order:${String(e.data.order_id)}`);
    expect(custom.id).toBe(`idem:v1:billing:orders.placed.v1:${sha256Hex('order:o-1')}`);
    expect(() => key(decode(BASE), () => '')).toThrow(
      /custom keyStrategy returned an empty string for event evt-1/,
    );
    expect(() => key(decode(BASE), () => null as unknown as string)).toThrow(TypeError);
  });

  test('a poison record is keyed by the hash of its raw bytes under the invalid event type, whatever the strategy', () => {
    const bytes = Buffer.from('not json at all', 'utf8');
    for (const strategy of ['content', 'envelope', 'coordinates', () => 'x'] as const) {
      const k = key(decodeEvent(bytes, { topic: 't', partition: 0, offset: 1 }), strategy);
      expect(k.id).toBe(`idem:v1:billing:invalid:${sha256Hex(bytes)}`);
      expect(k.eventType).toBe('invalid');
      expect(k.payloadHash).toBe(sha256Hex(bytes));
    }
    expect(key(decodeEvent(Buffer.from('not json at all!', 'utf8'))).id).not.toBe(key(decodeEvent(bytes)).id);
  });
});
