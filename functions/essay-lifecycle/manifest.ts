import type { ConsumerManifest } from '../../shared';

/**
 * The essay-lifecycle consumer: batch registrations and content provisionings, planned against a
 * consistent read of its table and committed with the idempotency record in one transaction.
 */
export default {
  service: 'essay-lifecycle',
  id: 'EssayLifecycle',
  topics: ['huleedu.essay.batch.registered.v1', 'huleedu.essay.content.provisioned.v1'],
  mode: 'transactional',
  tables: {
    // Consistent reads of the batch and essay items; the Put/Update of the transactional completion.
    ESSAY_TABLE_NAME: { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'] },
  },
  // Both events coordinate batches: 12 hours, as in the seeds. Past that a redelivery is still
  // harmless: the essay table's own conditions keep the count exact.
  ttlSeconds: {
    'huleedu.essay.batch.registered.v1': 12 * 3600,
    'huleedu.essay.content.provisioned.v1': 12 * 3600,
  },
} as const satisfies ConsumerManifest;
