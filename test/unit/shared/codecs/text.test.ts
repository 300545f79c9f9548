import { CloudEvent, Kafka } from 'cloudevents';
import { mskEvent } from '../../../../scripts/lib/msk-events';
import { cloudEventsCodec, jsonCodec, TOMBSTONE_EVENT_TYPE } from '../../../../shared/codecs';
import { type DecodedEvent, decodeMskEvent } from '../../../../shared/internal';
import { errorOf, jsonBytes, keyOf, ok, recordInput, sampleCloudEvent } from '../../../helpers/codecs';

const TYPE = 'huleedu.essay.feedback.requested.v1';
const event = sampleCloudEvent(TYPE, {
  subject: 'E-1',
  time: '2025-01-01T00:00:00.000Z',
  partitionkey: 'E-1',
});

/** A record from the SDK's Kafka message (an independent producer). */
function fromSdk(message: { headers: Record<string, unknown>; value: unknown; key?: unknown }) {
  const headers = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, String(v)]));
  const value = typeof message.value === 'string' ? Buffer.from(message.value) : jsonBytes(message.value);
  return recordInput(value, { headers, key: String(message.key) });
}

describe('cloudevents codec', () => {
  const codec = cloudEventsCodec();

  it('decodes the SDK binary and structured messages of one event to the same event and key', () => {
    const binary = ok(codec.decode(fromSdk(Kafka.binary(event) as never)));
    const structured = ok(codec.decode(fromSdk(Kafka.structured(event) as never)));
    for (const decoded of [binary, structured]) {
      expect(decoded.envelope).toMatchObject({
        event_type: TYPE,
        event_id: 'ev-1',
        source_service: '/essays',
        data: { essay_id: 'E-1', score: 7 },
      });
      expect(decoded.envelope.cloudevent).toMatchObject({
        subject: 'E-1',
        time: '2025-01-01T00:00:00.000Z',
        partitionkey: 'E-1',
      });
    }
    expect(keyOf(binary)).toBe(keyOf(structured));
    expect(keyOf(binary, 'envelope')).toBe(keyOf(structured, 'envelope'));
  });

  it('keys the envelope strategy by source + id: another source with the same id is another event', () => {
    const other = new CloudEvent({ ...event, source: '/elsewhere' });
    const a = ok(codec.decode(fromSdk(Kafka.structured(event) as never)));
    const b = ok(codec.decode(fromSdk(Kafka.structured(other) as never)));
    expect(keyOf(a, 'envelope')).not.toBe(keyOf(b, 'envelope'));
  });

  it('maps non-JSON data to data_base64 in both modes', () => {
    const headers = {
      ce_specversion: '1.0',
      ce_id: '1',
      ce_source: '/s',
      ce_type: TYPE,
      'content-type': 'text/plain',
    };
    const binary = ok(codec.decode(recordInput(Buffer.from('hello'), { headers })));
    const structured = ok(
      codec.decode(
        recordInput(
          jsonBytes({
            specversion: '1.0',
            id: '1',
            source: '/s',
            type: TYPE,
            datacontenttype: 'text/plain',
            data: 'hello',
          }),
          {
            headers: { 'content-type': 'application/cloudevents+json' },
          },
        ),
      ),
    );
    expect(binary.envelope.data).toEqual({ data_base64: 'aGVsbG8=' });
    expect(keyOf(binary)).toBe(keyOf(structured));
  });

  const binaryHeaders = {
    ce_specversion: '1.0',
    ce_id: '1',
    ce_source: '/s',
    ce_type: TYPE,
    'content-type': 'application/json',
  };
  it.each([
    ['neither mode', {}, jsonBytes({}), /neither structured mode .* nor binary mode/],
    ['a missing ce_id', { ...binaryHeaders, ce_id: undefined }, jsonBytes({}), /attribute ce_id is missing/],
    [
      'a missing ce_type',
      { ...binaryHeaders, ce_type: undefined },
      jsonBytes({}),
      /attribute ce_type is missing/,
    ],
    [
      'another specversion',
      { ...binaryHeaders, ce_specversion: '0.3' },
      jsonBytes({}),
      /specversion is not 1.0/,
    ],
    [
      'a type outside the key charset',
      { ...binaryHeaders, ce_type: 'a/b' },
      jsonBytes({}),
      /ce_type must be 1-200 characters/,
    ],
    [
      'a bad time',
      { ...binaryHeaders, ce_time: 'yesterday' },
      jsonBytes({}),
      /ce_time is not an RFC 3339 timestamp/,
    ],
    ['JSON data that is not JSON', binaryHeaders, Buffer.from('{x'), /not JSON .* \(CloudEvent data/],
    [
      'a structured batch',
      { 'content-type': 'application/cloudevents-batch+json' },
      jsonBytes([]),
      /other than JSON/,
    ],
    [
      'a structured event missing source',
      { 'content-type': 'application/cloudevents+json' },
      jsonBytes({ specversion: '1.0', id: '1', type: TYPE }),
      /attribute source is missing/,
    ],
    [
      'a structured value that is not UTF-8',
      { 'content-type': 'application/cloudevents+json' },
      Buffer.from([0xff]),
      /not valid UTF-8/,
    ],
  ])('is poison for %s', (_name, headers, value, message) => {
    const defined = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >;
    expect(errorOf(codec.decode(recordInput(value, { headers: defined })))).toMatch(message);
  });
});

describe('json codec', () => {
  it('takes the type from a header, a field or the topic, and keys reordered JSON alike', () => {
    const byHeader = jsonCodec({
      type: { from: 'header', name: 'event-type' },
      id: { from: 'field', path: 'meta.id' },
    });
    const a = ok(
      byHeader.decode(
        recordInput(Buffer.from('{"meta":{"id":"m-1"},"score":7}'), { headers: { 'event-type': TYPE } }),
      ),
    );
    const b = ok(
      byHeader.decode(
        recordInput(Buffer.from('{"score":7,"meta":{"id":"m-1"}}'), { headers: { 'event-type': TYPE } }),
      ),
    );
    expect(a.envelope).toMatchObject({ event_type: TYPE, event_id: 'm-1' });
    expect(keyOf(a)).toBe(keyOf(b));
    const byField = ok(
      jsonCodec({ type: { from: 'field', path: 'kind' } }).decode(recordInput(jsonBytes({ kind: 'x.v1' }))),
    );
    expect(byField.envelope.event_type).toBe('x.v1');
    const byTopic = ok(jsonCodec().decode(recordInput(jsonBytes([1, 2]), { topic: 'orders.v1' })));
    expect(byTopic.envelope).toMatchObject({
      event_type: 'orders.v1',
      event_id: 'orders.v1-0@7',
      data: { value: [1, 2] },
    });
  });

  it.each([
    [
      'a missing type header',
      { type: { from: 'header', name: 'event-type' } },
      jsonBytes({}),
      /no event type \(header event-type is missing\)/,
    ],
    [
      'a type field that is not a type',
      { type: { from: 'field', path: 'kind' } },
      jsonBytes({ kind: 'a b' }),
      /event type \(field kind\) is not valid/,
    ],
    [
      'a prototype name as field path',
      { type: { from: 'field', path: 'constructor' } },
      jsonBytes({}),
      /field constructor is missing/,
    ],
    [
      'a missing id field',
      { id: { from: 'field', path: 'id' } },
      jsonBytes({}),
      /no event id \(field id is missing\)/,
    ],
    ['a value that is not JSON', {}, Buffer.from('{"a":x}'), /not JSON \(/],
    ['a value that is not UTF-8', {}, Buffer.from([0xc3, 0x28]), /not valid UTF-8/],
  ] as const)('is poison for %s', (_name, options, value, message) => {
    expect(errorOf(jsonCodec(options).decode(recordInput(value)))).toMatch(message);
  });
});

describe('tombstones and SelfManagedKafka events', () => {
  it('routes a record without a value as a tombstone keyed by its coordinates, for every codec', () => {
    for (const codec of [undefined, jsonCodec(), cloudEventsCodec()]) {
      const event = mskEvent([{ topic: 't', partition: 0, offset: 5, key: 'E-1' }]);
      const [partition] = event.records['t-0'] ?? [];
      const withNull = { ...event, records: { 't-0': [{ ...partition, value: null }] } };
      const [record] = [...decodeMskEvent(withNull as never, {}, codec).values()].flat();
      const decoded = ok(record?.decoded as DecodedEvent);
      expect(decoded.envelope).toMatchObject({
        event_type: TOMBSTONE_EVENT_TYPE,
        data: { key: Buffer.from('E-1').toString('base64') },
      });
      const later = { ...withNull, records: { 't-0': [{ ...partition, offset: 9, value: null }] } };
      const [again] = [...decodeMskEvent(later as never, {}, codec).values()].flat();
      expect(keyOf(again?.decoded as DecodedEvent)).not.toBe(keyOf(decoded));
    }
  });

  it('decodes a SelfManagedKafka event like an MSK one', () => {
    const msk = mskEvent([
      { topic: 't', partition: 1, offset: 3, value: jsonBytes({ a: 1 }), headers: { h: 'v' } },
    ]);
    const selfManaged = {
      eventSource: 'SelfManagedKafka',
      bootstrapServers: 'broker-1:9092,broker-2:9092',
      records: msk.records,
    };
    const codec = jsonCodec();
    const a = [...decodeMskEvent(msk, {}, codec).values()].flat();
    const b = [...decodeMskEvent(selfManaged as never, {}, codec).values()].flat();
    expect(b.map((r) => r.decoded)).toEqual(a.map((r) => r.decoded));
    expect(b[0]?.decoded.ok).toBe(true);
  });

  it('passes the ESM schema metadata to the codec, ignoring a malformed one', () => {
    const seen: unknown[] = [];
    const codec = {
      kind: 'json' as const,
      wire: undefined,
      decode: (r: { valueSchemaMetadata?: unknown }) => {
        seen.push(r.valueSchemaMetadata);
        return jsonCodec().decode(r as never);
      },
    };
    const event = mskEvent([
      { topic: 't', partition: 0, offset: 0, value: {} },
      { topic: 't', partition: 0, offset: 1, value: {} },
    ]);
    const list = event.records['t-0'] ?? [];
    const records = [
      { ...list[0], valueSchemaMetadata: { dataFormat: 'AVRO', schemaId: '7' } },
      { ...list[1], valueSchemaMetadata: { dataFormat: 42 } },
    ];
    decodeMskEvent({ ...event, records: { 't-0': records } } as never, {}, codec);
    expect(seen).toEqual([{ dataFormat: 'AVRO', schemaId: '7' }, undefined]);
  });
});
