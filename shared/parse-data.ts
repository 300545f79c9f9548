import type { z } from 'zod';
import { describeIssues, type EventEnvelope } from './envelope';
import { clip, InvalidRecordError } from './errors';

/**
 * Validates an envelope's `data` with a schema; a violation is a permanent {@link InvalidRecordError}
 * naming the event and the fields at fault.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * declare const envelope: EventEnvelope;
 * const SpellcheckRequested = z.object({ essay_id: z.string(), text: z.string() });
 * const data = parseData(SpellcheckRequested, envelope); // { essay_id: string; text: string }
 * ```
 */
export function parseData<S extends z.ZodType>(schema: S, envelope: EventEnvelope): z.infer<S> {
  const parsed = schema.safeParse(envelope.data);
  if (parsed.success) return parsed.data;
  throw new InvalidRecordError(
    `Event ${clip(envelope.event_id)} (${envelope.event_type}) has invalid data: ${describeIssues(parsed.error)}. Fix the producer; the record was dead-lettered.`,
  );
}
