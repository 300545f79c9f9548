import { createKafkaHandler, Idempotency } from '../shared';
import { deadLetterSinkFor, ENV, requireEnv } from '../shared/internal';

const idempotency = new Idempotency({
  service: 'billing',
  tableName: requireEnv(ENV.IDEMPOTENCY_TABLE_NAME),
  // keyStrategy: 'content' | 'envelope' | 'coordinates' | (envelope) => string
  // failureMode: 'fail-closed' (default) | 'fail-open'
});

export const handler = createKafkaHandler({
  idempotency,
  deadLetter: deadLetterSinkFor(requireEnv(ENV.DEAD_LETTER_QUEUE_URL)),
  partialBatchResponse: true, // must match the event source mapping
  routes: { 'acme.invoice.requested.v1': async (envelope) => ({ seen: envelope.event_id }) },
});
