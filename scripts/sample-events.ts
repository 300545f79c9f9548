/**
 * `npm run events:samples`: regenerates the sample MSK events under `events/` with `npm run events`
 * (the same code path, in-process), one file per scenario. `events/README.md` says what each shows.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runEvents } from './events';
import { runMain } from './lib/cli';
import { EVENT_TYPES, REPO_ROOT } from './lib/local';

/** One sample file and the `npm run events` arguments that build it. */
export interface Sample {
  /** File name under `events/`. */
  readonly file: string;
  /** The consumer it is meant for. */
  readonly consumer: 'essay-lifecycle' | 'spellchecker' | 'essay-feedback' | 'none';
  /** What it shows. */
  readonly about: string;
  /** Arguments of `npm run events` (without `--out`). */
  readonly args: readonly string[];
}

const FIXED_TIME = ['--timestamp', '2026-01-15T09:00:00Z'];

const FEEDBACK = 'huleedu.essay.feedback.submitted.v1';
const SCHEMAS = join(REPO_ROOT, 'events', 'schemas');
const AVRO_V2 = [
  '--format',
  'avro-confluent',
  '--schema-file',
  join(SCHEMAS, 'feedback-submitted-v2.avsc'),
  '--schema-id',
  '2',
];
const FEEDBACK_DATA = '{"essay_id":"E-101","reviewer":"T-7","score":4,"comment":"Clear thesis."}';

/** The feedback event of the samples in each record format (`events/formats/`: no consumer reads them all). */
const FORMAT_SAMPLES: readonly Sample[] = (
  [
    ['cloudevents-structured', []],
    ['cloudevents-binary', []],
    ['json', []],
    ['avro-confluent', ['--schema-file', join(SCHEMAS, 'feedback-submitted-v2.avsc'), '--schema-id', '2']],
    ['avro-glue', ['--schema-file', join(SCHEMAS, 'feedback-submitted-v2.avsc')]],
    ['avro-raw', ['--schema-file', join(SCHEMAS, 'feedback-submitted-v2.avsc')]],
    ['avro-esm-json', ['--schema-file', join(SCHEMAS, 'feedback-submitted-v2.avsc')]],
    [
      'protobuf-confluent',
      [
        '--schema-file',
        join(SCHEMAS, 'feedback-submitted.proto'),
        '--message-type',
        'huleedu.essay.FeedbackSubmitted',
      ],
    ],
    [
      'protobuf-glue',
      [
        '--schema-file',
        join(SCHEMAS, 'feedback-submitted.proto'),
        '--message-type',
        'huleedu.essay.FeedbackSubmitted',
      ],
    ],
    [
      'protobuf-raw',
      [
        '--schema-file',
        join(SCHEMAS, 'feedback-submitted.proto'),
        '--message-type',
        'huleedu.essay.FeedbackSubmitted',
      ],
    ],
  ] as const
).flatMap(([format, extra]) =>
  (['msk', 'self-managed'] as const).map((source) => ({
    file: `formats/${format}${source === 'msk' ? '' : '-self-managed'}.json`,
    consumer: 'none' as const,
    about: `one feedback and a tombstone, ${format}, ${source === 'msk' ? 'MSK' : 'self-managed Kafka'}`,
    args: [
      '--type',
      FEEDBACK,
      '--data',
      FEEDBACK_DATA,
      '--format',
      format,
      ...extra,
      '--event-source',
      source,
      '--tombstone',
      'E-101',
    ],
  })),
);

/**
 * The samples committed under `events/`.
 *
 * @example
 * ```ts
 * for (const sample of SAMPLES) console.log(sample.file, sample.about);
 * ```
 */
export const SAMPLES: readonly Sample[] = [
  {
    file: 'essay-lifecycle-batch-registered.json',
    consumer: 'essay-lifecycle',
    about: 'happy path, 1/2: batch B-100 with three essays is registered',
    args: [
      '--type',
      EVENT_TYPES.batchRegistered,
      '--data',
      '{"batch_id":"B-100","essay_ids":["E-101","E-102","E-103"],"course_code":"ENG5"}',
    ],
  },
  {
    file: 'essay-lifecycle-content-provisioned.json',
    consumer: 'essay-lifecycle',
    about: 'happy path, 2/2: the three essays of B-100 are ready, on two partitions',
    args: [
      '--type',
      EVENT_TYPES.contentProvisioned,
      '--data',
      '{"batch_id":"B-100","essay_id":"E-10{{n}}","text_storage_id":"s3://essays/B-100/E-10{{n}}.txt"}',
      '--count',
      '3',
      '--partitions',
      '2',
    ],
  },
  {
    file: 'essay-lifecycle-content-early.json',
    consumer: 'essay-lifecycle',
    about: 'content for batch B-200 before its registration: a retryable failure (batchItemFailures)',
    args: [
      '--type',
      EVENT_TYPES.contentProvisioned,
      '--data',
      '{"batch_id":"B-200","essay_id":"E-201","text_storage_id":"s3://essays/B-200/E-201.txt"}',
    ],
  },
  {
    file: 'essay-lifecycle-batch-registered-late.json',
    consumer: 'essay-lifecycle',
    about: 'the late registration of B-200; invoke content-early again afterwards and it is processed',
    args: ['--type', EVENT_TYPES.batchRegistered, '--data', '{"batch_id":"B-200","essay_ids":["E-201"]}'],
  },
  {
    file: 'essay-lifecycle-invalid-data.json',
    consumer: 'essay-lifecycle',
    about: 'registrations that break the contract (no essays; an essay id twice): dead-lettered',
    args: [
      '--type',
      EVENT_TYPES.batchRegistered,
      '--data',
      '{"batch_id":"B-300","essay_ids":[]}',
      '--data',
      '{"batch_id":"B-301","essay_ids":["E-1","E-1"]}',
    ],
  },
  {
    file: 'essay-lifecycle-poison.json',
    consumer: 'essay-lifecycle',
    about: 'a registration between a non-JSON record and an unknown event type: poison dead-lettered',
    args: [
      '--type',
      EVENT_TYPES.batchRegistered,
      '--data',
      '{"batch_id":"B-400","essay_ids":["E-401","E-402"]}',
      '--malformed',
      'non-json',
      '--malformed',
      'unknown-type',
      '--malformed-position',
      'start',
    ],
  },
  {
    file: 'spellchecker-happy-path.json',
    consumer: 'spellchecker',
    about: 'three spellcheck requests with real misspellings (teh, recieve, wich)',
    args: [
      '--type',
      EVENT_TYPES.spellcheckRequested,
      '--data',
      '{"essay_id":"E-101","text":"I recieve teh letter every morning.","language":"en","batch_id":"B-100"}',
      '--data',
      '{"essay_id":"E-102","text":"The essay wich I wrote is about rivers.","language":"en","batch_id":"B-100"}',
      '--data',
      '{"essay_id":"E-103","text":"Teh river flows to the sea.","batch_id":"B-100"}',
    ],
  },
  {
    file: 'spellchecker-duplicate-in-batch.json',
    consumer: 'spellchecker',
    about: 'two requests and a producer retry of the first (new event_id, same data) in the same batch',
    args: [
      '--type',
      EVENT_TYPES.spellcheckRequested,
      '--data',
      '{"essay_id":"E-501","text":"We recieve feedback wich helps."}',
      '--data',
      '{"essay_id":"E-502","text":"Teh conclusion is short."}',
      '--duplicates',
      '1',
    ],
  },
  {
    file: 'spellchecker-multi-partition.json',
    consumer: 'spellchecker',
    about: 'six requests over three partitions (by key), and two producer retries on other partitions',
    args: [
      '--type',
      EVENT_TYPES.spellcheckRequested,
      '--data',
      '{"essay_id":"E-60{{n}}","text":"Essay {{n}}: teh argument is clear, wich is good."}',
      '--count',
      '6',
      '--partitions',
      '3',
      '--spread',
      'key',
      '--duplicates',
      '2',
      '--duplicates-on',
      'other-partition',
    ],
  },
  {
    file: 'spellchecker-poison.json',
    consumer: 'spellchecker',
    about:
      'two valid requests around five poison records (bad base64, non-UTF-8, non-JSON, no data, unknown type)',
    args: [
      '--type',
      EVENT_TYPES.spellcheckRequested,
      '--data',
      '{"essay_id":"E-701","text":"Teh first essay."}',
      '--data',
      '{"essay_id":"E-702","text":"I recieve the last one."}',
      '--malformed',
      'bad-base64',
      '--malformed',
      'non-utf8',
      '--malformed',
      'non-json',
      '--malformed',
      'missing-data',
      '--malformed',
      'unknown-type',
    ],
  },
  {
    file: 'essay-feedback-submitted.json',
    consumer: 'essay-feedback',
    about: 'two feedbacks (Avro, Confluent schema id 2) and a producer retry of the first',
    args: [
      '--type',
      FEEDBACK,
      '--data',
      FEEDBACK_DATA,
      '--data',
      '{"essay_id":"E-102","reviewer":"T-7","score":2,"comment":null}',
      ...AVRO_V2,
      '--duplicates',
      '1',
    ],
  },
  {
    file: 'essay-feedback-schema-v1.json',
    consumer: 'essay-feedback',
    about: 'the feedback on E-102 again, written under schema v1 (id 1): the same event, a duplicate',
    args: [
      '--type',
      FEEDBACK,
      '--data',
      '{"essay_id":"E-102","reviewer":"T-7","score":2}',
      '--format',
      'avro-confluent',
      '--schema-file',
      join(SCHEMAS, 'feedback-submitted-v1.avsc'),
      '--schema-id',
      '1',
    ],
  },
  {
    file: 'essay-feedback-withdrawn.json',
    consumer: 'essay-feedback',
    about: 'a tombstone keyed E-102: its feedback is deleted, self-managed Kafka event',
    args: ['--topic', FEEDBACK, '--tombstone', 'E-102', '--event-source', 'self-managed'],
  },
  {
    file: 'essay-feedback-poison.json',
    consumer: 'essay-feedback',
    about: 'a feedback between a text value (wrong magic byte) and bad base64: poison dead-lettered',
    args: [
      '--type',
      FEEDBACK,
      '--data',
      '{"essay_id":"E-103","reviewer":"T-8","score":5,"comment":null}',
      ...AVRO_V2,
      '--malformed',
      'non-json',
      '--malformed',
      'bad-base64',
      '--malformed-position',
      'start',
    ],
  },
  ...FORMAT_SAMPLES,
];

/**
 * Writes every sample to `events/`; returns the exit code.
 *
 * @example
 * ```ts
 * await writeSamples(join(REPO_ROOT, 'events'));
 * ```
 */
export async function writeSamples(dir: string = join(REPO_ROOT, 'events')): Promise<number> {
  for (const sample of SAMPLES) {
    await mkdir(dirname(join(dir, sample.file)), { recursive: true });
    const code = await runEvents([...sample.args, ...FIXED_TIME, '--out', join(dir, sample.file)]);
    if (code !== 0) return code;
  }
  return 0;
}

if (require.main === module) runMain(() => writeSamples(), 'npm run events:samples');
