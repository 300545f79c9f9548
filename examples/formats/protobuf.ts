import { type ConsumerManifest, defineConsumer } from '../../shared';
import { protobufCodec } from '../../shared/codecs/protobuf'; // only this handler bundles protobufjs

const manifest = {
  service: 'shipments',
  id: 'Shipments',
  topics: ['acme.shipments'],
  mode: 'two-phase',
  tables: {},
  codec: { kind: 'protobuf', wire: 'confluent' },
} as const satisfies ConsumerManifest;

const proto = `syntax = "proto3";
package acme;
message Shipment { string id = 1; int64 grams = 2; }`;

export const consumer = defineConsumer(
  manifest,
  () => ({ 'acme.Shipment': async (envelope) => ({ grams: envelope.data.grams }) }), // int64 as a string
  {
    codec: protobufCodec({
      wire: 'confluent',
      proto,
      messageType: 'acme.Shipment',
      writerSchemas: { '7': proto },
    }),
  },
);
