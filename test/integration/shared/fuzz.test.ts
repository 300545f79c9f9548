import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { MSKEvent } from 'aws-lambda';
import fc from 'fast-check';
import { createKafkaHandler, decodeMskEvent, Idempotency, PermanentError } from '../../../shared/internal';
import { injectFaults } from '../../../tools/testing/sdk-middleware';
import { MemoryDeadLetters } from '../../helpers/consumers';
import { clients, freshIdempotencyTable } from '../../helpers/dynamo';
import { RecordingLogger, RecordingMetrics } from '../../helpers/recorders';

/**
 * Fuzzing the decoder and the batch processor on DynamoDB Local with random and mutated MSK
 * events. The invariant: every record of a batch ends processed, duplicate or dead-lettered (and
 * every failed record has its dead letter), and a record is left to retry only in a run where the
 * test injected store faults. Nothing a record carries makes the batch throw.
 */

const TYPE = 'fuzz.event.v1';
const TOPIC = 'fuzz';
const PROTOTYPE_NAMES = [...new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__'])];

const name = fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 12 }));
const anyJson = fc.jsonValue({ maxDepth: 2 });

const envelopeArb = fc.record({
  event_id: fc.oneof({ weight: 6, arbitrary: fc.uuid() }, name, fc.string({ maxLength: 300 })),
  event_type: fc.oneof({ weight: 4, arbitrary: fc.constant(TYPE) }, { weight: 1, arbitrary: name }),
  event_timestamp: fc.constant('2026-12-01T00:00:00Z'),
  source_service: fc.constant('fuzzer'),
  correlation_id: fc.option(fc.oneof({ weight: 6, arbitrary: fc.uuid() }, fc.string({ maxLength: 300 })), {
    nil: undefined,
  }),
  data: fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 8 }) }, name), anyJson, {
    maxKeys: 4,
  }),
});

/** An envelope with one field removed, replaced by any JSON value, or a key added. */
const mutatedEnvelope = fc
  .tuple(envelopeArb, fc.constantFrom('drop', 'replace', 'add'), name, anyJson)
  .map(([envelope, how, field, value]) => {
    const copy: Record<string, unknown> = { ...envelope };
    const keys = Object.keys(copy);
    const target = keys[Math.abs(hashOf(field)) % keys.length] ?? 'data';
    if (how === 'drop') delete copy[target];
    else if (how === 'replace') copy[target] = value;
    else Object.defineProperty(copy, field, { value, enumerable: true, writable: true, configurable: true });
    return copy;
  });

/** The base64 value field: an envelope, a mutated one, random bytes, random text, or not base64 at all. */
const valueArb = fc.oneof(
  { weight: 8, arbitrary: envelopeArb.map((e) => b64(JSON.stringify(e))) },
  { weight: 3, arbitrary: mutatedEnvelope.map((e) => b64(JSON.stringify(e))) },
  {
    weight: 1,
    arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map(b64) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

const headersArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.array(
      fc.dictionary(name, fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 8 }), { maxKeys: 3 }),
      { maxLength: 3 },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.array(fc.dictionary(name, fc.array(fc.integer({ min: -2, max: 300 }), { maxLength: 4 })), {
      maxLength: 2,
    }),
  },
  { weight: 1, arbitrary: anyJson },
);

const recordArb = fc.record({
  topic: fc.constant(TOPIC),
  partition: fc.integer({ min: 0, max: 2 }),
  offset: fc.nat(40),
  timestamp: fc.constant(1_764_547_200_000),
  timestampType: fc.constant('CREATE_TIME'),
  key: fc.option(
    fc.oneof({ weight: 8, arbitrary: fc.string({ maxLength: 8 }).map(b64) }, fc.string({ maxLength: 8 })),
    { nil: undefined },
  ),
  value: valueArb,
  headers: headersArb,
});

/** A record with one field replaced by anything, or not a record at all. */
const brokenRecord = fc.oneof(
  fc
    .tuple(
      recordArb,
      fc.constantFrom('topic', 'partition', 'offset', 'timestamp', 'key', 'value', 'headers'),
      anyJson,
    )
    .map(([record, field, value]) => ({ ...record, [field]: value })),
  anyJson,
);

const eventArb = fc.array(
  fc.oneof({ weight: 5, arbitrary: recordArb }, { weight: 1, arbitrary: brokenRecord }),
  {
    minLength: 1,
    maxLength: 8,
  },
);

/** Store faults for a run: none (most runs), or an outage of a few consecutive attempts from the Nth. */
const faultsArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.record({ from: fc.integer({ min: 1, max: 30 }), length: fc.integer({ min: 1, max: 6 }) }),
  },
);

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function hashOf(text: string): number {
  let h = 0;
  for (const c of text) h = (h * 31 + (c.codePointAt(0) ?? 0)) | 0;
  return h;
}

/** Groups records as Lambda does and passes the event through JSON, as the runtime hands it over. */
function eventOf(records: unknown[]): MSKEvent {
  const grouped: Record<string, unknown[]> = {};
  for (const record of records) {
    const partition = (record as { partition?: unknown } | null)?.partition;
    const key = `${TOPIC}-${Number.isInteger(partition) ? partition : 0}`;
    grouped[key] ??= [];
    grouped[key].push(record);
  }
  return JSON.parse(JSON.stringify({ eventSource: 'aws:kafka', records: grouped })) as MSKEvent;
}

let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let tableName: string;

beforeAll(async () => {
  ({ raw, doc } = clients({ maxAttempts: 2 }));
  tableName = await freshIdempotencyTable(raw, 'fuzz');
});

afterAll(() => {
  raw.destroy();
});

const RUNS = 300;

test(`${RUNS} random and mutated MSK events: every record ends processed, duplicate or dead-lettered`, async () => {
  let run = 0;
  const tally = { records: 0, processed: 0, duplicate: 0, failed: 0, retried: 0, faultedRuns: 0 };
  await fc.assert(
    fc.asyncProperty(eventArb, faultsArb, async (records, faults) => {
      run += 1;
      const event = eventOf(records);
      const expected = [...decodeMskEvent(event).values()].flat().length;
      const deadLetters = new MemoryDeadLetters();
      const idem = new Idempotency({
        service: 'fuzz',
        tableName,
        client: doc,
        // One key namespace per run: a record one run left behind cannot answer for another's.
        keyPrefix: `fuzz:${run}`,
        logger: new RecordingLogger(),
        metrics: new RecordingMetrics(),
      });
      const handler = createKafkaHandler({
        idempotency: idem,
        deadLetter: deadLetters,
        partialBatchResponse: true,
        routes: {
          [TYPE]: async (envelope) => {
            if (Object.hasOwn(envelope.data, 'toString')) throw new PermanentError('rejected by the domain');
            return { keys: Object.keys(envelope.data).length };
          },
        },
      });
      const injector = faults
        ? injectFaults(doc, ({ seq }) =>
            seq >= faults.from && seq < faults.from + faults.length ? 'outage' : undefined,
          )
        : undefined;
      let report: Awaited<ReturnType<typeof handler.process>>;
      try {
        report = await handler.process(event);
      } finally {
        injector?.remove();
      }
      const faulted = injector?.attempts.some((a) => a.fault !== undefined) ?? false;

      expect(report.records).toHaveLength(expected);
      for (const record of report.records) {
        if (!faulted && !['processed', 'duplicate', 'failed'].includes(record.status)) {
          throw new Error(
            `run ${run}: ${record.topic}-${record.partition}@${record.offset} ended ${record.status} (${record.error}) with no fault injected`,
          );
        }
        if (record.status === 'failed') {
          const letters = deadLetters.entries.filter(
            (d) => d.idempotency_key === record.idempotencyKey && d.coordinates?.offset === record.offset,
          );
          expect(letters.length).toBeGreaterThanOrEqual(1);
        }
      }
      if (!faulted) expect(report.batchItemFailures).toEqual([]);
      tally.records += report.records.length;
      tally.processed += report.counts.processed;
      tally.duplicate += report.counts.duplicate;
      tally.failed += report.counts.failed;
      tally.retried +=
        report.records.length - report.counts.processed - report.counts.duplicate - report.counts.failed;
      if (faulted) tally.faultedRuns += 1;
    }),
    { numRuns: RUNS, seed: 20261201 },
  );
  process.stdout.write(`fuzz: ${RUNS} events, ${JSON.stringify(tally)}\n`);
  // The generators reach every outcome (a fuzz run that only ever met valid records proves little).
  expect(tally.processed).toBeGreaterThan(300);
  expect(tally.failed).toBeGreaterThan(300);
  expect(tally.duplicate).toBeGreaterThan(0);
  expect(tally.faultedRuns).toBeGreaterThan(5);
});
