import { type ConsumerManifest, defineConsumer } from '../../shared';

const manifest = {
  service: 'clicks',
  id: 'Clicks',
  topics: ['acme.clicks'],
  mode: 'two-phase',
  tables: {},
  codec: {
    kind: 'json', // any JSON value; one that is not an object arrives as data: { value }
    type: { from: 'header', name: 'event-type' }, // or { from: 'field', path: 'meta.type' }, { from: 'topic' }
    id: { from: 'field', path: 'meta.id' }, // optional; else `<topic>-<partition>@<offset>`
  },
} as const satisfies ConsumerManifest;

export const consumer = defineConsumer(manifest, () => ({
  'click.v1': async (envelope) => ({ page: envelope.data.page }),
}));
