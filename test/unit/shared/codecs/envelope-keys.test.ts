import { mskEvent } from '../../../../scripts/lib/msk-events';
import { codecFor } from '../../../../shared/codecs';
import { computeKey, decodeMskEvent } from '../../../../shared/internal';

// Keys computed by the layer at commit ba59520 (before codecs), with its own decodeEvent and
// computeKey: the default codec must give existing data exactly these keys.
const BEFORE = [
  [
    'e-1',
    'content',
    'idem:v1:svc:huleedu.essay.spellcheck.requested.v1:c6f28a40f547e8bc7991a53f5a94045c6707794a50f7206cfc5f530d97728298',
  ],
  [
    'e-1',
    'envelope',
    'idem:v1:svc:huleedu.essay.spellcheck.requested.v1:b94f523196aaacd8bdb9ef0d8cf2e1d8f9b766ab5097f086ff541b7112699b7b',
  ],
  [
    'e-1',
    'coordinates',
    'idem:v1:svc:huleedu.essay.spellcheck.requested.v1:02740711c5afffd67f383354c1778a4cb5aa30b33a583a41896a259c279ec432',
  ],
  [
    'e-2',
    'content',
    'idem:v1:svc:huleedu.essay.batch.registered.v1:1e3a969b5c18466e3d444e59864d3a57980dc5ca35abadeca6b5a0b3692650ca',
  ],
  [
    'e-2',
    'envelope',
    'idem:v1:svc:huleedu.essay.batch.registered.v1:32749f2173660d07eb1e5bedc9b46e9fe89164df5406556b19a4077edb09a367',
  ],
  [
    'e-2',
    'coordinates',
    'idem:v1:svc:huleedu.essay.batch.registered.v1:02740711c5afffd67f383354c1778a4cb5aa30b33a583a41896a259c279ec432',
  ],
] as const;
const PAYLOAD_HASH = {
  'e-1': 'c6f28a40f547e8bc7991a53f5a94045c6707794a50f7206cfc5f530d97728298',
  'e-2': '1e3a969b5c18466e3d444e59864d3a57980dc5ca35abadeca6b5a0b3692650ca',
} as const;

const VALUES = {
  'e-1': {
    event_id: 'e-1',
    event_type: 'huleedu.essay.spellcheck.requested.v1',
    event_timestamp: '2025-01-01T00:00:00.000Z',
    source_service: 's',
    correlation_id: 'c-1',
    data: { text: 'Teh cat', essay_id: 'E-1', nested: { b: 1, a: [2, { d: 'é', c: null }] } },
  },
  'e-2': {
    event_id: 'e-2',
    event_type: 'huleedu.essay.batch.registered.v1',
    event_timestamp: '2025-01-01T00:00:00.000Z',
    source_service: 's',
    idempotency_key: 'ik-9',
    data: { batch_id: 'B', essay_ids: ['x', 'y'] },
  },
} as const;

describe('the envelope codec keeps the keys of existing data', () => {
  it.each([
    ['the layer default', undefined],
    ["a manifest's { kind: 'envelope' }", codecFor({ kind: 'envelope' })],
    ['a manifest without codec', codecFor(undefined)],
  ])('gives byte-identical keys and payload hashes to the layer before codecs (%s)', (_name, codec) => {
    for (const [id, strategy, expected] of BEFORE) {
      const event = mskEvent([{ topic: 't', partition: 3, offset: 42, value: VALUES[id] }]);
      const [record] = [...decodeMskEvent(event, {}, codec).values()].flat();
      if (!record) throw new Error('no record');
      const key = computeKey(record.decoded, { prefix: 'idem:v1', service: 'svc', strategy });
      expect(key.id).toBe(expected);
      expect(key.payloadHash).toBe(PAYLOAD_HASH[id]);
    }
  });

  it('keys a poison value by its raw bytes under invalid, as before', () => {
    const event = mskEvent([{ topic: 't', partition: 0, offset: 1, value: 'not json' }]);
    const [record] = [...decodeMskEvent(event).values()].flat();
    if (!record) throw new Error('no record');
    expect(computeKey(record.decoded, { prefix: 'idem:v1', service: 'svc', strategy: 'content' }).id).toBe(
      'idem:v1:svc:invalid:7ccfa1fbf3940e6f0c0375d87c0f9235a50514e14cb427bdfaf5077987b26ccf',
    );
  });
});
