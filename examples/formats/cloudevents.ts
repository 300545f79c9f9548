import { type ConsumerManifest, defineConsumer } from '../../shared';

const manifest = {
  service: 'orders',
  id: 'Orders',
  topics: ['acme.orders.v1'],
  mode: 'two-phase',
  tables: {},
  codec: { kind: 'cloudevents' }, // structured (application/cloudevents+json) or binary (ce_* headers)
} as const satisfies ConsumerManifest;

// Routed by the CloudEvent's `type`; `envelope.event_id` is its `id`, `envelope.data` its data.
export const consumer = defineConsumer(manifest, () => ({
  'com.acme.order.placed.v1': async (envelope) => ({ order: envelope.data.order_id }),
}));
