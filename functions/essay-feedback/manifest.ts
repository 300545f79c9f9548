import type { ConsumerManifest } from '../../shared';

/**
 * The essay-feedback consumer: teachers' feedback on essays, Avro in the Confluent wire format
 * (the schemas are in `events.ts`, passed to the codec by the handler), stored with the
 * completion in one transaction; a tombstone (keyed by the essay id) withdraws it.
 */
export default {
  service: 'essay-feedback',
  id: 'EssayFeedback',
  topics: ['huleedu.essay.feedback.submitted.v1'],
  mode: 'transactional',
  tables: {
    // The Put of a feedback and the Delete of a withdrawal, inside the completion's transaction.
    FEEDBACK_TABLE_NAME: { actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'] },
  },
  codec: { kind: 'avro', wire: 'confluent' },
  ttlSeconds: { 'huleedu.essay.feedback.submitted.v1': 12 * 3600 },
} as const satisfies ConsumerManifest;
