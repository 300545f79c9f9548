import { type ConsumerManifest, defineConsumer } from '../../shared';
import { TOMBSTONE_EVENT_TYPE } from '../../shared/codecs';
import { avroCodec } from '../../shared/codecs/avro'; // only this handler bundles avsc

const manifest = {
  service: 'invoices',
  id: 'Invoices',
  topics: ['acme.invoices'],
  mode: 'two-phase',
  tables: {},
  codec: { kind: 'avro', wire: 'confluent' }, // or 'glue', 'raw', 'esm-json'
} as const satisfies ConsumerManifest;

const v1 = {
  type: 'record',
  name: 'Invoice',
  namespace: 'acme',
  fields: [{ name: 'id', type: 'string' }],
} as const;
const v2 = { ...v1, fields: [...v1.fields, { name: 'note', type: ['null', 'string'], default: null }] };

export const consumer = defineConsumer(
  manifest,
  () => ({
    'acme.Invoice': async (envelope) => ({ invoice: envelope.data.id }), // type: the record's full name
    [TOMBSTONE_EVENT_TYPE]: async (envelope) => ({ deleted: envelope.data.key }), // no value: a delete
  }),
  // Writer schemas by registry id (no registry call); every record is resolved to the reader schema.
  { codec: avroCodec({ wire: 'confluent', readerSchema: v2, writerSchemas: { '1': v1, '2': v2 } }) },
);
