import fc from 'fast-check';
import { avroCodec, avroType } from '../../../../shared/codecs/avro';
import { protobufCodec } from '../../../../shared/codecs/protobuf';
import {
  AVRO_CONFLUENT_V1,
  AVRO_CONFLUENT_V2,
  AVRO_GLUE_V1,
  AVRO_GLUE_ZLIB_V1,
  AVRO_PAYLOAD,
  AVRO_V1,
  AVRO_V2,
  GLUE_UUID,
  PROTO,
  PROTO_CONFLUENT,
  PROTO_CONFLUENT_REORDERED,
  PROTO_PAYLOAD,
} from '../../../fixtures/codecs/vectors';
import { errorOf, jsonBytes, keyOf, ok, recordInput } from '../../../helpers/codecs';

const confluentAvro = avroCodec({
  wire: 'confluent',
  readerSchema: AVRO_V2,
  writerSchemas: { '1': AVRO_V1, '2': AVRO_V2 },
});
const glueAvro = avroCodec({ wire: 'glue', readerSchema: AVRO_V2, writerSchemas: { [GLUE_UUID]: AVRO_V1 } });
const confluentProto = protobufCodec({
  wire: 'confluent',
  proto: PROTO,
  messageType: 'huleedu.essay.FeedbackRequested',
  writerSchemas: { '3': PROTO },
});

describe('avro codec', () => {
  it('decodes the hand-written Confluent vectors of v1 and v2 to the same reader-form payload and key', () => {
    const v1 = ok(confluentAvro.decode(recordInput(AVRO_CONFLUENT_V1)));
    const v2 = ok(confluentAvro.decode(recordInput(AVRO_CONFLUENT_V2)));
    expect(v1.envelope.data).toEqual(AVRO_PAYLOAD);
    expect(v2.envelope.data).toEqual(AVRO_PAYLOAD);
    expect(v1.envelope.event_type).toBe('huleedu.essay.FeedbackRequested');
    expect(keyOf(v1)).toBe(keyOf(v2));
    expect(v1.envelope.schema).toEqual({ name: 'huleedu.essay.FeedbackRequested', id: '1' });
  });

  it('decodes the Glue vectors, uncompressed and zlib, to the same payload', () => {
    const plain = ok(glueAvro.decode(recordInput(AVRO_GLUE_V1)));
    const zlib = ok(glueAvro.decode(recordInput(AVRO_GLUE_ZLIB_V1)));
    expect(plain.envelope.data).toEqual(AVRO_PAYLOAD);
    expect(keyOf(plain)).toBe(keyOf(zlib));
  });

  it('decodes raw datums with the ESM schema id and esm-json values', () => {
    const raw = avroCodec({ wire: 'raw', readerSchema: AVRO_V2, writerSchemas: { '1': AVRO_V1 } });
    const fromRaw = ok(
      raw.decode(recordInput('06452d310e', { valueSchemaMetadata: { dataFormat: 'AVRO', schemaId: '1' } })),
    );
    expect(fromRaw.envelope.data).toEqual(AVRO_PAYLOAD);
    const esm = avroCodec({ wire: 'esm-json', readerSchema: AVRO_V2 });
    const fromJson = ok(esm.decode(recordInput(jsonBytes({ score: 7, essay_id: 'E-1', comment: null }))));
    expect(keyOf(fromJson)).toBe(keyOf(fromRaw));
  });

  it('maps long to a decimal string and bytes to base64 (the canonical JSON form)', () => {
    const schema = {
      type: 'record',
      name: 'x.Big',
      fields: [
        { name: 'n', type: 'long' },
        { name: 'b', type: 'bytes' },
      ],
    };
    const bytes = avroType(schema).toBuffer({ n: 2n ** 60n + 1n, b: Buffer.from([1, 2]) });
    const decoded = ok(avroCodec({ wire: 'raw', readerSchema: schema }).decode(recordInput(bytes)));
    expect(decoded.envelope.data).toEqual({ n: '1152921504606846977', b: 'AQI=' });
  });

  it.each([
    ['unknown schema id', '0000000009' + '06452d310e', /unknown schema id 9/],
    ['wrong magic byte', '0100000001' + '06452d310e', /wrong magic byte 0x01 at byte 0/],
    ['a truncated header', '000000', /truncated: 3 bytes, shorter than the 5-byte Confluent header/],
    ['a truncated datum', '0000000001' + '06452d', /truncated Avro datum for schema id 1/],
    [
      'a schema mismatch (trailing bytes)',
      '0000000001' + '06452d310e0000',
      /bytes are left after the Avro datum \(schema mismatch\)/,
    ],
  ])('is poison for %s, with a message naming it', (_name, hex, message) => {
    expect(errorOf(confluentAvro.decode(recordInput(hex)))).toMatch(message);
  });

  it.each([
    [
      'wrong header version',
      `0200${GLUE_UUID.replaceAll('-', '')}06452d310e`,
      /wrong header version byte 0x02/,
    ],
    [
      'unknown compression',
      `0307${GLUE_UUID.replaceAll('-', '')}06452d310e`,
      /unknown compression byte 0x07 at byte 1/,
    ],
    ['bad zlib', `0305${GLUE_UUID.replaceAll('-', '')}06452d310e`, /not valid zlib data/],
    ['unknown schema version', `0300${'ab'.repeat(16)}06452d310e`, /unknown schema id abababab-abab/],
    ['a truncated header', '0300aa', /shorter than the 18-byte Glue header/],
  ])('is poison on Glue for %s', (_name, hex, message) => {
    expect(errorOf(glueAvro.decode(recordInput(hex)))).toMatch(message);
  });

  it('is poison for esm-json of another data format, and never echoes the value', () => {
    const esm = avroCodec({ wire: 'esm-json', readerSchema: AVRO_V2 });
    const message = errorOf(
      esm.decode(
        recordInput(jsonBytes({ secret: 'hunter2' }), {
          valueSchemaMetadata: { dataFormat: 'PROTOBUF', schemaId: '1' },
        }),
      ),
    );
    expect(message).toMatch(/dataFormat is not AVRO/);
    expect(message).not.toMatch(/hunter2/);
  });

  it('refuses at construction a writer schema the reader cannot resolve', () => {
    const incompatible = { ...AVRO_V1, fields: [{ name: 'essay_id', type: 'int' }] };
    expect(() =>
      avroCodec({ wire: 'confluent', readerSchema: AVRO_V2, writerSchemas: { '5': incompatible } }),
    ).toThrow(/writer schema "5" cannot be resolved/);
  });
});

describe('protobuf codec', () => {
  it('decodes the hand-written Confluent vector, and its re-encoding is the same event', () => {
    const first = ok(confluentProto.decode(recordInput(PROTO_CONFLUENT)));
    const reordered = ok(confluentProto.decode(recordInput(PROTO_CONFLUENT_REORDERED)));
    expect(first.envelope.data).toEqual(PROTO_PAYLOAD);
    expect(first.envelope.event_type).toBe('huleedu.essay.FeedbackRequested');
    expect(keyOf(first)).toBe(keyOf(reordered));
  });

  it('fills proto3 defaults, so an omitted default and an explicit one are the same event', () => {
    const omitted = ok(confluentProto.decode(recordInput('0000000003' + '0202' + '0a03452d31')));
    const explicit = ok(
      confluentProto.decode(recordInput('0000000003' + '0202' + '0a03452d31' + '1000' + '1800')),
    );
    expect(omitted.envelope.data).toEqual({ essay_id: 'E-1', score: 0, words: '0' });
    expect(keyOf(omitted)).toBe(keyOf(explicit));
  });

  it('reads [0] as the single byte 00, and Glue with one message index', () => {
    const first = ok(confluentProto.decode(recordInput('0000000003' + '00' + '0a0141')));
    expect(first.envelope.event_type).toBe('huleedu.essay.Other');
    const glue = protobufCodec({
      wire: 'glue',
      proto: PROTO,
      messageType: 'huleedu.essay.FeedbackRequested',
      writerSchemas: { [GLUE_UUID]: PROTO },
    });
    const decoded = ok(
      glue.decode(recordInput(`0300${GLUE_UUID.replaceAll('-', '')}010a03452d31100718ac02`)),
    );
    expect(decoded.envelope.data).toEqual(PROTO_PAYLOAD);
  });

  it('decodes raw messages as messageType', () => {
    const raw = protobufCodec({ wire: 'raw', proto: PROTO, messageType: 'huleedu.essay.FeedbackRequested' });
    expect(ok(raw.decode(recordInput('0a03452d31100718ac02'))).envelope.data).toEqual(PROTO_PAYLOAD);
  });

  it.each([
    ['unknown schema id', '0000000004' + '0202' + '0a03452d31', /unknown schema id 4/],
    ['wrong magic byte', '0500000003' + '0202', /wrong magic byte 0x05/],
    ['unknown message index', '0000000003' + '0208' + '0a03452d31', /unknown message index 4 at depth 0/],
    ['a truncated message index list', '0000000003' + '04', /truncated in message index #0/],
    ['an invalid index count', '0000000003' + '40', /invalid message index count 32/],
    [
      'a truncated message',
      '0000000003' + '0202' + '0a09452d31',
      /truncated Protobuf message huleedu.essay.FeedbackRequested/,
    ],
    [
      'a schema mismatch (bad wire type)',
      '0000000003' + '0202' + '0f',
      /does not decode as Protobuf message .* \(schema mismatch\)/,
    ],
  ])('is poison for %s, with a message naming it', (_name, hex, message) => {
    expect(errorOf(confluentProto.decode(recordInput(hex)))).toMatch(message);
  });

  it('is poison for a message the reader schema does not define', () => {
    const writer = `${PROTO}message Extra { string y = 1; }\n`;
    const codec = protobufCodec({
      wire: 'confluent',
      proto: PROTO,
      messageType: 'huleedu.essay.FeedbackRequested',
      writerSchemas: { '8': writer },
    });
    expect(errorOf(codec.decode(recordInput('0000000008' + '0204' + '0a0141')))).toMatch(
      /Extra, which the reader schema does not define/,
    );
  });
});

describe('binary framing under random bytes', () => {
  const codecs = {
    'avro confluent': confluentAvro,
    'avro glue': glueAvro,
    'avro raw': avroCodec({ wire: 'raw', readerSchema: AVRO_V2 }),
    'protobuf confluent': confluentProto,
    'protobuf glue': protobufCodec({
      wire: 'glue',
      proto: PROTO,
      messageType: 'huleedu.essay.FeedbackRequested',
      writerSchemas: { [GLUE_UUID]: PROTO },
    }),
    'protobuf raw': protobufCodec({
      wire: 'raw',
      proto: PROTO,
      messageType: 'huleedu.essay.FeedbackRequested',
    }),
  };
  const prefixes = fc.constantFrom(
    new Uint8Array(0),
    Buffer.from('0000000001', 'hex'),
    Buffer.from('000000000302', 'hex'),
    Buffer.from(`0300${GLUE_UUID.replaceAll('-', '')}`, 'hex'),
    Buffer.from(`0305${GLUE_UUID.replaceAll('-', '')}`, 'hex'),
  );

  it.each(
    Object.entries(codecs),
  )('never throws out of the %s decoder: always an event or poison', (_name, codec) => {
    fc.assert(
      fc.property(prefixes, fc.uint8Array({ maxLength: 64 }), (prefix, tail) => {
        const decoded = codec.decode(recordInput(Buffer.concat([prefix, tail])));
        if (decoded.ok) expect(typeof decoded.content).toBe('string');
        else expect(decoded.error.message).toMatch(/ at huleedu\.essay\.feedback\.requested\.v1-0@7$/);
      }),
      { numRuns: 400 },
    );
  });
});
