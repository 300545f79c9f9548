/**
 * `npm run events -- [options]`: builds an MSK event JSON from event envelopes, like
 * `sam local generate-event`, with producer-retry duplicates and poison records on request.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { EventEnvelope } from '../shared/internal';
import { choiceFlag, intFlag, runMain, UsageError, usageErrors } from './lib/cli';
import { encoderFor, VALUE_FORMATS, type ValueFormat } from './lib/encoders';
import {
  type BuildEventOptions,
  type BuiltEvent,
  buildMskEvent,
  expandTemplate,
  MALFORMED_DESCRIPTIONS,
  MALFORMED_KINDS,
  type MalformedKind,
} from './lib/event-builder';
import { EVENT_TYPES } from './lib/local';
import { envelope } from './lib/msk-events';

/**
 * The `--help` text of `npm run events`.
 *
 * @example
 * ```ts
 * process.stdout.write(EVENTS_USAGE);
 * ```
 */
export const EVENTS_USAGE = `Usage: npm run events -- [options]

Builds an MSK event, as Lambda's Kafka event source mapping delivers it (records grouped by
"<topic>-<partition>", base64 values, byte-array headers), from one or more event envelopes.

Envelopes (at least one, or only --malformed records):
  --type <event_type>          event type of the envelopes built from --data
  --data <json>                the envelope's data object; repeat for several events. "{{n}}" in
                               it is replaced by 1..count
  --envelope-file <path>       JSON file with an envelope or an array of envelopes; at least
                               event_type and data, other fields (event_id, ...) are filled in
  --count <n>                  events made from each --data / file entry (1..10000)      [1]

Placement:
  --topic <name>               topic of every record                  [the first event type]
  --partitions <n>             partitions to spread the records over                     [1]
  --spread round-robin|key     round-robin, or a stable hash of the record key  [round-robin]
  --key-field <field>          data field used as the Kafka record key
                                                     [essay_id, else batch_id, else event_id]
  --offset <n>                 first offset of each partition                            [0]
  --header <name=value>        header added to every record (repeatable)
  --timestamp <iso|epoch-ms>   Kafka timestamp of the first record                     [now]

Failure cases:
  --duplicates <n>             producer retries added after the events: same data, a fresh
                               event_id (copy i repeats event i)                         [0]
  --duplicates-on same-partition|other-partition                            [same-partition]
  --malformed <kind>           add a poison record (repeatable):
${MALFORMED_KINDS.map((k) => `                                 ${k.padEnd(13)} ${MALFORMED_DESCRIPTIONS[k]}`).join('\n')}
  --tombstone <key>            add a tombstone (no value) with this record key (repeatable)
  --malformed-position start|middle|end   where poison records go among the events [middle]

Record format (the consumer's codec, shared/codecs):
  --format <format>            how each event's value is written                  [envelope]
                                 ${VALUE_FORMATS.join(', ')}
  --schema-file <path>         Avro schema (.avsc) or Protobuf schema (.proto) of avro-*/protobuf-*
  --schema-id <id>             Confluent schema id, or Glue schema version UUID   [1 / a fixed UUID]
  --message-type <name>        Protobuf message, fully qualified (protobuf-*)
  --event-source msk|self-managed   aws:kafka with a cluster ARN, or SelfManagedKafka   [msk]

Output:
  --out <file>                 write the event to a file                          [stdout]
  -h, --help                   show this help

Event types of this repository:
  ${EVENT_TYPES.batchRegistered}     {batch_id, essay_ids[1..500], course_code?}
  ${EVENT_TYPES.contentProvisioned}  {batch_id, essay_id, text_storage_id}
  ${EVENT_TYPES.spellcheckRequested} {essay_id, text, language?: "en", batch_id?}

Examples:
  npm run events -- --type ${EVENT_TYPES.spellcheckRequested} \\
    --data '{"essay_id":"essay-{{n}}","text":"I recieve teh letter."}' --count 3 --partitions 2
  npm run events -- --envelope-file my-envelopes.json --duplicates 1 --duplicates-on other-partition \\
    --partitions 2 --malformed non-json --out /tmp/event.json
`;

/** Where the envelopes come from. */
export type EnvelopeSource =
  | { readonly kind: 'inline'; readonly eventType: string; readonly dataTemplate: string }
  | { readonly kind: 'file'; readonly path: string };

/** The parsed command line of `npm run events`. */
export interface EventsCliOptions {
  readonly sources: readonly EnvelopeSource[];
  readonly count: number;
  readonly topic: string | undefined;
  /** The `--type` given, used for malformed records when there are no envelopes. */
  readonly type: string | undefined;
  readonly partitions: number;
  readonly spread: 'round-robin' | 'key';
  readonly keyField: string | undefined;
  readonly offset: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: number | undefined;
  readonly duplicates: number;
  readonly duplicatesOn: 'same-partition' | 'other-partition';
  readonly malformed: readonly MalformedKind[];
  readonly malformedPosition: 'start' | 'middle' | 'end';
  readonly tombstones: readonly string[];
  readonly format: ValueFormat;
  readonly schemaFile: string | undefined;
  readonly schemaId: string | undefined;
  readonly messageType: string | undefined;
  readonly eventSource: 'msk' | 'self-managed';
  readonly out: string | undefined;
}

/** `--help`, or the options to run with. */
export type EventsCommand =
  | { readonly help: true }
  | { readonly help: false; readonly options: EventsCliOptions };

/**
 * Parses the command line of `npm run events`; throws a {@link UsageError} for anything wrong
 * (unknown flag, bad number, `--data` without `--type`, unknown malformed kind, ...).
 *
 * @example
 * ```ts
 * const command = parseEventsArgs(['--type', 't.v1', '--data', '{"a":1}', '--partitions', '2']);
 * ```
 */
export function parseEventsArgs(argv: readonly string[]): EventsCommand {
  const values: ReturnType<typeof parse>['values'] = usageErrors(() => parse(argv).values);
  if (values.help) return { help: true };

  const types = values.type ?? [];
  const data = values.data ?? [];
  const files = values['envelope-file'] ?? [];
  const malformedFlags = values.malformed ?? [];
  if (types.length > 1 && types.length !== data.length) {
    throw new UsageError(
      `Give one --type for all --data, or one --type per --data; got ${types.length} --type and ${data.length} --data.`,
    );
  }
  if (data.length > 0 && types.length === 0) {
    throw new UsageError('--data needs a --type (the event type of the envelope).');
  }
  const sources: EnvelopeSource[] = data.map((dataTemplate, i) => ({
    kind: 'inline',
    eventType: types.length === 1 ? (types[0] ?? '') : (types[i] ?? ''),
    dataTemplate,
  }));
  for (const source of sources) {
    if (source.kind === 'inline' && source.eventType.trim() === '') {
      throw new UsageError('--type must not be empty.');
    }
  }
  for (const path of files) sources.push({ kind: 'file', path });
  if (sources.length === 0 && malformedFlags.length === 0 && (values.tombstone ?? []).length === 0) {
    throw new UsageError(
      'Nothing to build: give --type with --data, --envelope-file, or --malformed (with --type or --topic).',
    );
  }
  const malformed = malformedFlags.map((kind) =>
    choiceFlag('--malformed', kind, MALFORMED_KINDS, 'non-json'),
  );
  if (malformed.length > 0 && sources.length === 0 && !types[0] && !values.topic) {
    throw new UsageError('Malformed records alone need --type or --topic to know where they go.');
  }

  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const eq = header.indexOf('=');
    if (eq <= 0) throw new UsageError(`--header must be name=value, got ${JSON.stringify(header)}.`);
    headers[header.slice(0, eq)] = header.slice(eq + 1);
  }

  return {
    help: false,
    options: {
      sources,
      count: intFlag('--count', values.count, { min: 1, max: 10_000, fallback: 1 }),
      topic: values.topic,
      type: types[0],
      partitions: intFlag('--partitions', values.partitions, { min: 1, max: 1000, fallback: 1 }),
      spread: choiceFlag('--spread', values.spread, ['round-robin', 'key'] as const, 'round-robin'),
      keyField: values['key-field'],
      offset: intFlag('--offset', values.offset, { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 }),
      headers,
      timestamp: parseTimestamp(values.timestamp),
      duplicates: intFlag('--duplicates', values.duplicates, { min: 0, max: 10_000, fallback: 0 }),
      duplicatesOn: choiceFlag(
        '--duplicates-on',
        values['duplicates-on'],
        ['same-partition', 'other-partition'] as const,
        'same-partition',
      ),
      malformed,
      malformedPosition: choiceFlag(
        '--malformed-position',
        values['malformed-position'],
        ['start', 'middle', 'end'] as const,
        'middle',
      ),
      tombstones: values.tombstone ?? [],
      format: choiceFlag('--format', values.format, VALUE_FORMATS, 'envelope'),
      schemaFile: values['schema-file'],
      schemaId: values['schema-id'],
      messageType: values['message-type'],
      eventSource: choiceFlag(
        '--event-source',
        values['event-source'],
        ['msk', 'self-managed'] as const,
        'msk',
      ),
      out: values.out,
    },
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: false,
    strict: true,
    options: {
      type: { type: 'string', multiple: true },
      data: { type: 'string', multiple: true },
      'envelope-file': { type: 'string', multiple: true },
      count: { type: 'string' },
      topic: { type: 'string' },
      partitions: { type: 'string' },
      spread: { type: 'string' },
      'key-field': { type: 'string' },
      offset: { type: 'string' },
      header: { type: 'string', multiple: true },
      timestamp: { type: 'string' },
      duplicates: { type: 'string' },
      'duplicates-on': { type: 'string' },
      malformed: { type: 'string', multiple: true },
      'malformed-position': { type: 'string' },
      format: { type: 'string' },
      tombstone: { type: 'string', multiple: true },
      'schema-file': { type: 'string' },
      'schema-id': { type: 'string' },
      'message-type': { type: 'string' },
      'event-source': { type: 'string' },
      out: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function parseTimestamp(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new UsageError(
      `--timestamp must be an ISO date or epoch milliseconds, got ${JSON.stringify(value)}.`,
    );
  }
  return ms;
}

/**
 * Turns the envelope sources into envelopes: `--data` is parsed as JSON after `{{n}}` expansion,
 * files are read (an envelope or an array of them). Missing envelope fields are filled in; with
 * `--count` > 1 every event gets a fresh `event_id`.
 *
 * @example
 * ```ts
 * const envelopes = await resolveEnvelopes(options, (path) => readFile(path, 'utf8'));
 * ```
 */
export async function resolveEnvelopes(
  options: Pick<EventsCliOptions, 'sources' | 'count'>,
  read: (path: string) => Promise<string>,
): Promise<EventEnvelope[]> {
  const envelopes: EventEnvelope[] = [];
  for (const source of options.sources) {
    const text = source.kind === 'inline' ? source.dataTemplate : await readText(read, source.path);
    for (let n = 1; n <= options.count; n++) {
      const where = source.kind === 'inline' ? '--data' : source.path;
      const parsed = parseJson(expandTemplate(text, n), where);
      if (source.kind === 'inline') {
        envelopes.push(envelope({ event_type: source.eventType, data: dataObject(parsed, where) }));
        continue;
      }
      const entries = Array.isArray(parsed) ? parsed : [parsed];
      entries.forEach((entry, i) => {
        envelopes.push(envelopeFromFile(entry, `${where}[${i}]`, options.count > 1));
      });
    }
  }
  return envelopes;
}

async function readText(
  read: (path: string) => Promise<string>,
  path: string,
  flag = '--envelope-file',
): Promise<string> {
  try {
    return await read(path);
  } catch (error) {
    throw new UsageError(
      `Cannot read ${flag} ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${where} is not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
}

function dataObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(
      `${where} must be a JSON object (the envelope's data), got ${JSON.stringify(value)}.`,
    );
  }
  return value as Record<string, unknown>;
}

function envelopeFromFile(entry: unknown, where: string, freshIds: boolean): EventEnvelope {
  const fields = dataObject(entry, where);
  const eventType = fields.event_type;
  if (typeof eventType !== 'string' || eventType === '') {
    throw new UsageError(`${where} needs an "event_type" string.`);
  }
  const text = (name: string): string | undefined => {
    const value = fields[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const eventId = freshIds ? undefined : text('event_id');
  const timestamp = text('event_timestamp');
  const source = text('source_service');
  const correlation = text('correlation_id');
  const key = text('idempotency_key');
  const { event_id: _id, data: _data, ...extra } = fields;
  return {
    ...extra,
    ...envelope({
      event_type: eventType,
      data: dataObject(fields.data, `${where}.data`),
      ...(eventId ? { event_id: eventId } : {}),
      ...(timestamp ? { event_timestamp: timestamp } : {}),
      ...(source ? { source_service: source } : {}),
      ...(correlation ? { correlation_id: correlation } : {}),
      ...(key ? { idempotency_key: key } : {}),
    }),
  };
}

/**
 * Builds the event for parsed options (the part of the CLI that does not write anything).
 *
 * @example
 * ```ts
 * const command = parseEventsArgs(argv);
 * if (!command.help) {
 *   const built = buildFromOptions(command.options, await resolveEnvelopes(command.options, read));
 * }
 * ```
 */
export function buildFromOptions(
  options: EventsCliOptions,
  envelopes: readonly EventEnvelope[],
  schema?: string,
): BuiltEvent {
  const topic = options.topic ?? envelopes[0]?.event_type ?? options.type;
  if (topic === undefined) throw new UsageError('Give --topic (no envelope to take the topic from).');
  const build: BuildEventOptions = {
    topic,
    envelopes,
    partitions: options.partitions,
    spread: options.spread,
    startOffset: options.offset,
    duplicates: options.duplicates,
    duplicatesOn: options.duplicatesOn,
    malformed: options.malformed,
    malformedPosition: options.malformedPosition,
    ...(options.keyField !== undefined ? { keyField: options.keyField } : {}),
    ...(options.type !== undefined ? { malformedType: options.type } : {}),
    ...(Object.keys(options.headers).length > 0 ? { headers: options.headers } : {}),
    ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
    eventSource: options.eventSource,
    tombstones: options.tombstones,
  };
  try {
    if (options.format !== 'envelope') {
      (build as { encode?: BuildEventOptions['encode'] }).encode = encoderFor(options.format, {
        ...(schema !== undefined ? { schema } : {}),
        ...(options.schemaId !== undefined ? { schemaId: options.schemaId } : {}),
        ...(options.messageType !== undefined ? { messageType: options.messageType } : {}),
      });
    }
    return buildMskEvent(build);
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/**
 * One line describing a built event: how many records of each kind, on how many partitions.
 *
 * @example
 * ```ts
 * describeBuilt(built); // '5 records on 2 partitions: 3 events, 1 duplicate, 1 non-json'
 * ```
 */
export function describeBuilt(built: BuiltEvent): string {
  const kinds = new Map<string, number>();
  for (const record of built.records) kinds.set(record.kind, (kinds.get(record.kind) ?? 0) + 1);
  const parts = [...kinds].map(([kind, n]) =>
    kind === 'event' || kind === 'duplicate' ? `${n} ${kind}${n === 1 ? '' : 's'}` : `${n} ${kind}`,
  );
  const partitions = Object.keys(built.event.records).length;
  return `${built.records.length} record${built.records.length === 1 ? '' : 's'} on ${partitions} partition${partitions === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/**
 * Runs `npm run events` with the given arguments: writes the event JSON to `--out` or to `stdout`,
 * and a one-line summary (and notes) to `stderr`. Returns the exit code.
 *
 * @example
 * ```ts
 * const code = await runEvents(['--type', 't.v1', '--data', '{"a":1}', '--out', 'events/a.json']);
 * ```
 */
export async function runEvents(
  argv: readonly string[],
  io: {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
  } = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  },
): Promise<number> {
  const command = parseEventsArgs(argv);
  if (command.help) {
    io.stdout(EVENTS_USAGE);
    return 0;
  }
  const { options } = command;
  if (
    options.count > 1 &&
    options.sources.some((s) => s.kind === 'inline' && !s.dataTemplate.includes('{{n}}'))
  ) {
    io.stderr(
      `note: --count ${options.count} without {{n}} in --data makes events with identical data; under the content key strategy they are one event (the later ones are duplicates).\n`,
    );
  }
  const envelopes = await resolveEnvelopes(options, (path) => readFile(path, 'utf8'));
  const schema = options.schemaFile
    ? await readText((path) => readFile(path, 'utf8'), options.schemaFile, '--schema-file')
    : undefined;
  const built = buildFromOptions(options, envelopes, schema);
  const json = `${JSON.stringify(built.event, null, 2)}\n`;
  if (options.out) {
    await writeFile(options.out, json, 'utf8');
    io.stderr(`wrote ${options.out}: ${describeBuilt(built)}\n`);
  } else {
    io.stdout(json);
    io.stderr(`${describeBuilt(built)}\n`);
  }
  return 0;
}

if (require.main === module) runMain(() => runEvents(process.argv.slice(2)), 'npm run events -- --help');
