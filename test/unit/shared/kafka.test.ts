import type { MSKEvent } from 'aws-lambda';
import { envelope, mskEvent, mskRecord } from '../../../scripts/lib/msk-events';
import { decodeMskEvent, InvalidRecordError } from '../../../shared/internal';

const TYPE = 'unit.thing.v1';

describe('decodeMskEvent', () => {
  test('orders records by offset within each partition and decodes key, headers and envelope', () => {
    // GIVEN records delivered out of order, with a key and a header
    const event = mskEvent([
      {
        topic: 't',
        partition: 0,
        offset: 7,
        value: envelope({ event_type: TYPE, data: { n: 7 } }),
        key: 'k7',
      },
      {
        topic: 't',
        partition: 0,
        offset: 3,
        value: envelope({ event_type: TYPE, data: { n: 3 } }),
        headers: { trace: 'abc-é' },
      },
      { topic: 't', partition: 1, offset: 0, value: envelope({ event_type: TYPE, data: { n: 0 } }) },
    ]);

    // WHEN decoded
    const partitions = decodeMskEvent(event, { maxValueBytes: 1024 });

    // THEN offsets are ascending per partition, key and headers are text, envelopes are valid
    expect([...partitions.keys()]).toEqual(['t-0', 't-1']);
    const p0 = partitions.get('t-0') ?? [];
    expect(p0.map((r) => r.coordinates.offset)).toEqual([3, 7]);
    expect(p0[0]?.headers).toEqual(new Map([['trace', 'abc-é']]));
    expect(Buffer.from(p0[1]?.key ?? []).toString()).toBe('k7');
    expect(p0.every((r) => r.decoded.ok)).toBe(true);
  });

  test.each([
    ['bad base64', { rawBase64: 'not base64!!' }, /not valid base64/],
    ['truncated base64', { rawBase64: 'YWJjZA=' }, /not valid base64/],
    ['non-UTF-8', { value: Buffer.from([0xc3, 0x28]) }, /not valid UTF-8/],
    ['non-JSON', { value: 'hello' }, /not JSON/],
    [
      'missing data',
      { value: { event_id: 'e', event_type: TYPE, event_timestamp: 't', source_service: 's' } },
      /data/,
    ],
    ['oversized', { value: { blob: 'x'.repeat(2000) } }, /over the limit of 1024/],
  ])('a %s value is poison with a message saying why, and keeps its raw bytes', (_name, spec, message) => {
    const event = mskEvent([{ topic: 't', partition: 0, offset: 1, ...spec }]);
    const [record] = decodeMskEvent(event, { maxValueBytes: 1024 }).get('t-0') ?? [];
    expect(record?.decoded.ok).toBe(false);
    if (record && !record.decoded.ok) {
      expect(record.decoded.error).toBeInstanceOf(InvalidRecordError);
      expect(record.decoded.error.message).toMatch(message);
      expect(record.decoded.error.message).toMatch(/t-0@1/);
      expect(record.decoded.raw.length).toBeGreaterThan(0);
    }
  });

  test('fails if the event is not an MSK event', () => {
    expect(() => decodeMskEvent({ Records: [] } as unknown as MSKEvent, { maxValueBytes: 1024 })).toThrow(
      /not an MSK event/,
    );
  });

  test('a record without its offset is poison at offset -1 of its partition, not a failed batch', () => {
    const broken = { ...mskRecord({ topic: 't', partition: 0, offset: 0, value: {} }), offset: undefined };
    const event = { eventSource: 'aws:kafka', records: { 't-0': [broken] } } as unknown as MSKEvent;
    const [record] = decodeMskEvent(event).get('t-0') ?? [];
    expect(record?.coordinates).toEqual({ topic: 't', partition: 0, offset: -1 });
    expect(record?.decoded.ok).toBe(false);
    if (record && !record.decoded.ok) {
      expect(record.decoded.error.message).toMatch(/Record #0 of t-0 is not an MSK record \(offset: /);
    }
  });

  test('a partition named "__proto__" is a partition like any other', () => {
    const value = Buffer.from(JSON.stringify(envelope({ event_type: TYPE, data: {} }))).toString('base64');
    const event = JSON.parse(
      `{"records":{"__proto__":[{"topic":"t","partition":0,"offset":1,"timestamp":0,"timestampType":"CREATE_TIME","value":"${value}"}]}}`,
    ) as MSKEvent;
    expect([...decodeMskEvent(event).keys()]).toEqual(['__proto__']);
  });

  test.each([
    ['a key over maxKeyBytes', { key: 'k'.repeat(33) }, /key at t-0@1 is 33 bytes, over the limit of 32/],
    [
      'more headers than maxHeaders',
      { headers: { a: '1', b: '2', c: '3' } },
      /headers at t-0@1 are more than 2/,
    ],
    ['headers over maxHeaderBytes', { headers: { a: 'x'.repeat(40) } }, /headers at t-0@1 are over 32 bytes/],
  ])('%s is poison, naming the limit to raise', (_label, spec, message) => {
    const event = mskEvent([
      { topic: 't', partition: 0, offset: 1, value: envelope({ event_type: TYPE, data: {} }), ...spec },
    ]);
    const [record] =
      decodeMskEvent(event, { maxKeyBytes: 32, maxHeaders: 2, maxHeaderBytes: 32 }).get('t-0') ?? [];
    expect(record?.decoded.ok).toBe(false);
    if (record && !record.decoded.ok) expect(record.decoded.error.message).toMatch(message);
  });
});
