import type { MSKEvent, MSKRecord } from 'aws-lambda';
import {
  buildMskEvent,
  MALFORMED_KINDS,
  type MalformedKind,
  OVERSIZED_VALUE_BYTES,
  partitionForKey,
  producerRetry,
  UNKNOWN_EVENT_TYPE,
} from '../../../scripts/lib/event-builder';
import { envelope } from '../../../scripts/lib/msk-events';
import { decodeEvent, decodeMskEvent, type EventEnvelope } from '../../../shared/internal';

const TYPE = 'huleedu.essay.spellcheck.requested.v1';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function request(essayId: string, text = 'I recieve teh letter.'): EventEnvelope {
  return envelope({ event_type: TYPE, data: { essay_id: essayId, text } });
}

function allRecords(event: MSKEvent): MSKRecord[] {
  return Object.values(event.records).flat();
}

function valueText(record: MSKRecord): string {
  return Buffer.from(record.value, 'base64').toString('utf8');
}

function onlyRecord(event: MSKEvent): MSKRecord {
  const [record, ...rest] = allRecords(event);
  if (!record || rest.length > 0)
    throw new Error(`expected exactly one record, got ${rest.length + (record ? 1 : 0)}`);
  return record;
}

describe('buildMskEvent: encoding', () => {
  test('values are base64 of the envelope JSON, keys base64 of the record key, headers byte arrays', () => {
    // GIVEN one envelope and a header
    const env = request('E-1');

    // WHEN an event is built
    const { event, records } = buildMskEvent({
      topic: TYPE,
      envelopes: [env],
      headers: { 'content-type': 'application/json', trace: 'é' },
      timestamp: 1_700_000_000_000,
    });

    // THEN the record carries the envelope byte for byte, as Lambda would
    const record = onlyRecord(event);
    expect(record.value).toMatch(BASE64);
    expect(JSON.parse(valueText(record))).toEqual(env);
    expect(Buffer.from(record.key, 'base64').toString('utf8')).toBe('E-1');
    expect(record.headers).toEqual([
      { 'content-type': [...Buffer.from('application/json')] },
      { trace: [0xc3, 0xa9] },
    ]);
    expect(record).toMatchObject({ topic: TYPE, partition: 0, offset: 0, timestamp: 1_700_000_000_000 });
    expect(Object.keys(event.records)).toEqual([`${TYPE}-0`]);
    expect(event.eventSource).toBe('aws:kafka');
    expect(records).toEqual([
      expect.objectContaining({ kind: 'event', key: 'E-1', eventId: env.event_id, eventType: TYPE }),
    ]);
  });

  test('the shared decoder reads built events back as valid envelopes', () => {
    const envelopes = ['E-1', 'E-2', 'E-3'].map((id) => request(id));
    const { event } = buildMskEvent({ topic: TYPE, envelopes, partitions: 2 });
    const decoded = [...decodeMskEvent(event).values()].flat();
    expect(decoded).toHaveLength(3);
    expect(decoded.every((r) => r.decoded.ok)).toBe(true);
  });
});

describe('buildMskEvent: placement', () => {
  test('round-robin spreads records over partitions; offsets ascend per partition from the start offset', () => {
    const envelopes = ['E-1', 'E-2', 'E-3', 'E-4', 'E-5'].map((id) => request(id));
    const { event } = buildMskEvent({ topic: TYPE, envelopes, partitions: 2, startOffset: 40 });
    expect(Object.keys(event.records)).toEqual([`${TYPE}-0`, `${TYPE}-1`]);
    expect(event.records[`${TYPE}-0`]?.map((r) => r.offset)).toEqual([40, 41, 42]);
    expect(event.records[`${TYPE}-1`]?.map((r) => r.offset)).toEqual([40, 41]);
    expect(event.records[`${TYPE}-0`]?.map((r) => JSON.parse(valueText(r)).data.essay_id)).toEqual([
      'E-1',
      'E-3',
      'E-5',
    ]);
  });

  test('spread by key puts records with the same key on the same partition', () => {
    const envelopes = ['A', 'B', 'A', 'C', 'B', 'A'].map((id, i) => request(id, `text ${i}`));
    const { records } = buildMskEvent({ topic: TYPE, envelopes, partitions: 3, spread: 'key' });
    for (const record of records) expect(record.partition).toBe(partitionForKey(record.key, 3));
    const partitionsOfA = new Set(records.filter((r) => r.key === 'A').map((r) => r.partition));
    expect(partitionsOfA.size).toBe(1);
  });

  test('keyField picks the record key from data, and fails naming a missing field', () => {
    const env = envelope({ event_type: TYPE, data: { essay_id: 'E-1', batch_id: 'B-1' } });
    const { records } = buildMskEvent({ topic: TYPE, envelopes: [env], keyField: 'batch_id' });
    expect(records[0]?.key).toBe('B-1');
    expect(() => buildMskEvent({ topic: TYPE, envelopes: [env], keyField: 'course' })).toThrow(
      /keyField "course" is not a string or number field/,
    );
  });

  test('fails for invalid options, naming the option and the value', () => {
    expect(() => buildMskEvent({ topic: TYPE, envelopes: [], partitions: 0 })).toThrow(
      /partitions must be an integer from 1 to 10000, got 0/,
    );
    expect(() => buildMskEvent({ topic: '', envelopes: [] })).toThrow(/topic must be a non-empty string/);
    expect(() => buildMskEvent({ topic: TYPE, envelopes: [], duplicates: 1 })).toThrow(
      /duplicates needs at least one envelope/,
    );
    expect(() =>
      buildMskEvent({ topic: TYPE, envelopes: [], malformed: ['not-a-kind' as MalformedKind] }),
    ).toThrow(/unknown kind "not-a-kind"/);
  });
});

describe('buildMskEvent: producer-retry duplicates', () => {
  test('copies get a fresh event_id and the same data and type, after the events', () => {
    // GIVEN two events and three copies
    const envelopes = [request('E-1'), request('E-2')];

    // WHEN the event is built
    const { event, records } = buildMskEvent({ topic: TYPE, envelopes, duplicates: 3 });

    // THEN copy i repeats event i mod 2, with a new event_id and identical data
    const values = allRecords(event).map((r) => JSON.parse(valueText(r)) as EventEnvelope);
    expect(values).toHaveLength(5);
    const [first, second, ...copies] = values;
    expect(copies.map((c) => c.data)).toEqual([first?.data, second?.data, first?.data]);
    expect(copies.map((c) => c.event_type)).toEqual([TYPE, TYPE, TYPE]);
    const ids = new Set(values.map((v) => v.event_id));
    expect(ids.size).toBe(5);
    expect(records.slice(2).map((r) => [r.kind, r.duplicateOf])).toEqual([
      ['duplicate', envelopes[0]?.event_id],
      ['duplicate', envelopes[1]?.event_id],
      ['duplicate', envelopes[0]?.event_id],
    ]);
  });

  test('copies share the key of their original, so the content key strategy sees one event', () => {
    const { event } = buildMskEvent({ topic: TYPE, envelopes: [request('E-1')], duplicates: 1 });
    const [original, copy] = allRecords(event);
    expect(copy?.key).toBe(original?.key);
  });

  test('other-partition puts each copy on the partition after its original', () => {
    const { records } = buildMskEvent({
      topic: TYPE,
      envelopes: [request('E-1'), request('E-2'), request('E-3')],
      partitions: 3,
      duplicates: 3,
      duplicatesOn: 'other-partition',
    });
    const byEvent = new Map(records.filter((r) => r.kind === 'event').map((r) => [r.eventId, r.partition]));
    for (const copy of records.filter((r) => r.kind === 'duplicate')) {
      const original = byEvent.get(copy.duplicateOf);
      expect(original).toBeDefined();
      expect(copy.partition).toBe(((original ?? 0) + 1) % 3);
    }
  });

  test('other-partition with one partition fails with the fix', () => {
    expect(() =>
      buildMskEvent({
        topic: TYPE,
        envelopes: [request('E-1')],
        duplicates: 1,
        duplicatesOn: 'other-partition',
      }),
    ).toThrow(/needs partitions >= 2, got 1/);
  });

  test('producerRetry keeps everything but the event_id and timestamp', () => {
    const original = envelope({
      event_type: TYPE,
      data: { essay_id: 'E-1', text: 'x' },
      event_timestamp: '2020-01-01T00:00:00Z',
    });
    const again = producerRetry(original, 'evt-2');
    expect(again).toEqual({ ...original, event_id: 'evt-2', event_timestamp: again.event_timestamp });
    expect(again.event_timestamp).not.toBe(original.event_timestamp);
  });
});

describe('buildMskEvent: malformed records are malformed exactly as named', () => {
  function malformed(kind: MalformedKind): MSKRecord {
    const { event } = buildMskEvent({ topic: TYPE, envelopes: [], malformed: [kind], malformedType: TYPE });
    return onlyRecord(event);
  }

  function decodedByConsumer(record: MSKRecord, maxValueBytes = 1_048_576) {
    const event: MSKEvent = {
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn',
      bootstrapServers: 'b-1:9098',
      records: { [`${TYPE}-0`]: [record] },
    };
    const [decoded] = [...decodeMskEvent(event, { maxValueBytes }).values()].flat();
    if (!decoded) throw new Error('no record decoded');
    return decoded.decoded;
  }

  test('bad-base64: the value field is not base64, and the consumer rejects it for that', () => {
    const record = malformed('bad-base64');
    expect(record.value).not.toMatch(BASE64);
    const decoded = decodedByConsumer(record);
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? '' : decoded.error.message).toMatch(/not valid base64/);
  });

  test('non-utf8: valid base64 of bytes that strict UTF-8 decoding rejects', () => {
    const record = malformed('non-utf8');
    expect(record.value).toMatch(BASE64);
    const bytes = Buffer.from(record.value, 'base64');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow(/not valid/);
    const decoded = decodedByConsumer(record);
    expect(decoded.ok ? '' : decoded.error.message).toMatch(/not valid UTF-8/);
  });

  test('non-json: valid UTF-8 text that JSON.parse rejects', () => {
    const record = malformed('non-json');
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(record.value, 'base64'));
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    const decoded = decodedByConsumer(record);
    expect(decoded.ok ? '' : decoded.error.message).toMatch(/not JSON/);
  });

  test('missing-data: a JSON envelope with every field but data', () => {
    const record = malformed('missing-data');
    const json = JSON.parse(valueText(record)) as Record<string, unknown>;
    expect(json).not.toHaveProperty('data');
    expect(json).toMatchObject({
      event_type: TYPE,
      event_id: expect.any(String),
      source_service: expect.any(String),
    });
    const decoded = decodedByConsumer(record);
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? '' : decoded.error.message).toMatch(/not a valid event envelope \(data:/);
  });

  test('unknown-type: a valid envelope of a type no consumer handles', () => {
    const record = malformed('unknown-type');
    const decoded = decodeEvent(Buffer.from(record.value, 'base64'));
    expect(decoded.ok).toBe(true);
    expect(decoded.ok ? decoded.envelope.event_type : '').toBe(UNKNOWN_EVENT_TYPE);
  });

  test('oversized: a valid envelope one byte over the default 1 MiB limit', () => {
    const record = malformed('oversized');
    const bytes = Buffer.from(record.value, 'base64');
    expect(bytes.length).toBe(OVERSIZED_VALUE_BYTES);
    expect(decodeEvent(bytes).ok).toBe(true);
    const decoded = decodedByConsumer(record);
    expect(decoded.ok ? '' : decoded.error.message).toMatch(/over the limit of 1048576/);
    expect(decodedByConsumer(record, OVERSIZED_VALUE_BYTES).ok).toBe(true);
  });

  test('poison records go in the middle of the events by default, so valid records follow them', () => {
    const { records } = buildMskEvent({
      topic: TYPE,
      envelopes: [request('E-1'), request('E-2')],
      malformed: [...MALFORMED_KINDS],
    });
    expect(records.map((r) => r.kind)).toEqual(['event', ...MALFORMED_KINDS, 'event']);
    expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
