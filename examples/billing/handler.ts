import { z } from 'zod';
import { defineConsumer, parseData, withWrites } from '../../shared';
import manifest from './manifest';

const InvoiceRequested = z.object({ id: z.string().min(1), total: z.number().nonnegative() });

// Wiring only: one route per event type.
export const consumer = defineConsumer(manifest, ({ tables }) => ({
  'acme.invoice.requested.v1': async (envelope) => {
    const data = parseData(InvoiceRequested, envelope); // zod; invalid data is permanent
    // Transactional mode: the Put commits with the idempotency record's completion.
    return withWrites({ invoiceId: data.id }, [
      {
        Put: {
          TableName: tables.INVOICE_TABLE_NAME,
          Item: { pk: data.id, sk: 'INVOICE', total: data.total },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ]);
  },
}));

export const handler = consumer.handler; // built from the environment infra sets
