import { decodeEvent, Idempotency } from '../../../shared';
import { clients, freshIdempotencyTable } from '../../helpers/dynamo';
import { RecordingLogger, RecordingMetrics } from '../../helpers/recorders';

test('smoke', async () => {
  const { raw, doc } = clients();
  const tableName = await freshIdempotencyTable(raw);
  const idem = new Idempotency({
    service: 'svc',
    tableName,
    client: doc,
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
  });
  const bytes = Buffer.from(
    JSON.stringify({
      event_id: 'e1',
      event_type: 't.v1',
      event_timestamp: 'x',
      source_service: 's',
      data: { a: 1 },
    }),
  );
  const first = await idem.run(decodeEvent(bytes), async () => ({ ok: 1 }));
  const second = await idem.run(decodeEvent(bytes), async () => ({ ok: 2 }));
  if (first.status === 'retry') console.log(first.error);
  expect(first.status).toBe('processed');
  expect(second.status).toBe('duplicate');
  if (second.status === 'duplicate') expect(second.result).toEqual({ ok: 1 });
});
