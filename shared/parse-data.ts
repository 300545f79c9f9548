import * as z from 'zod/mini';
import type * as zc from 'zod/v4/core';
import { describeIssues, type EventEnvelope } from './envelope';
import { clip, InvalidRecordError } from './errors';

/**
 * Validates an envelope's `data` with a schema; a violation is a permanent {@link InvalidRecordError}
 * naming the event and the fields at fault. Any zod 4 schema: `zod/mini` (what the sample consumers
 * use, a tenth of the bundle) or the full `zod`.
 *
 * @example
 * ```ts
 * import * as z from 'zod/mini';
 * declare const envelope: EventEnvelope;
 * const SpellcheckRequested = z.object({ essay_id: z.string(), text: z.string().check(z.maxLength(100_000)) });
 * const data = parseData(SpellcheckRequested, envelope); // { essay_id: string; text: string }
 * ```
 */
export function parseData<S extends zc.$ZodType>(schema: S, envelope: EventEnvelope): zc.output<S> {
  const parsed = z.safeParse(schema, envelope.data);
  if (parsed.success) return parsed.data;
  throw new InvalidRecordError(
    `Event ${clip(envelope.event_id)} (${envelope.event_type}) has invalid data: ${describeIssues(parsed.error)}. Fix the producer; the record was dead-lettered.`,
  );
}
