import type { ConsumerManifest } from '../../shared';

// Import-free: infra and the tooling read it without loading the handler.
export default {
  service: 'billing', // key namespace, metrics dimension, consumer group
  id: 'Billing', // construct id
  topics: ['acme.invoice.requested.v1'],
  mode: 'transactional',
  tables: { INVOICE_TABLE_NAME: { actions: ['dynamodb:PutItem'] } },
  ttlSeconds: { 'acme.invoice.requested.v1': 3600 }, // else defaultTtlSeconds (24 h)
} as const satisfies ConsumerManifest;
