/**
 * `npm run new:consumer -- <name>`: writes a working consumer (manifest, handler, a domain stub with
 * a real test, a sample event) and registers it in `functions/manifests.ts`. `cdk synth`,
 * `npm run invoke -- <name> events/<name>-sample.json` and `npm test` then pass with no other edit.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { MANIFESTS } from '../functions/manifests';
import { type ConsumerManifest, validateManifest } from '../shared/internal';
import { runMain, UsageError } from './lib/cli';
import { REPO_ROOT } from './lib/local';
import { envelope, mskEvent } from './lib/msk-events';

/**
 * The `--help` text of `npm run new:consumer`.
 *
 * @example
 * ```ts
 * process.stdout.write(NEW_CONSUMER_USAGE);
 * ```
 */
export const NEW_CONSUMER_USAGE = `Usage: npm run new:consumer -- <name> [options]

Writes a working consumer under functions/<name>/ and registers it in functions/manifests.ts:
  functions/<name>/manifest.ts     who it is: service, topics, mode, its table and the actions it calls
  functions/<name>/handler.ts      defineConsumer(manifest, ...): the routes, wiring only
  functions/<name>/domain.ts       the event's schema and the pure logic (edit this first)
  test/unit/functions/<name>/domain.test.ts
  events/<name>-sample.json        an MSK event: a valid record, its duplicate, one with invalid data

<name> is the service name: lowercase letters, digits and '-' (it is the idempotency keys'
namespace, the metrics' service dimension and the consumer group id; never rename it once deployed).

Options:
  --topic <topic>        the topic (and event type) it consumes        [<name>.requested.v1]
  --mode <mode>          transactional | two-phase | transactional-single-write [transactional]
  --dry-run              print the files it would write, write nothing
  --help                 this text
`;

/** Options of {@link scaffoldConsumer}. */
export interface ScaffoldOptions {
  /** The service name. */
  readonly name: string;
  /** Topic and event type. @default `<name>.requested.v1` */
  readonly topic?: string;
  /** @default 'transactional' */
  readonly mode?: ConsumerManifest['mode'];
  /** Repository root to write into. @default the repository of this script */
  readonly root?: string;
  /** Compute the files without writing them. @default false */
  readonly dryRun?: boolean;
}

/** A file the scaffold writes. */
export interface ScaffoldFile {
  /** Path relative to the repository root. */
  readonly path: string;
  readonly content: string;
}

/**
 * Builds (and unless `dryRun`, writes) a new consumer. Throws a `UsageError` naming the problem when
 * the name is not a service name, or a consumer of that name or one of its files already exists.
 *
 * @example
 * ```ts
 * const files = scaffoldConsumer({ name: 'orders', dryRun: true });
 * files.map((f) => f.path); // ['functions/orders/manifest.ts', ...]
 * ```
 */
export function scaffoldConsumer(options: ScaffoldOptions): ScaffoldFile[] {
  const root = options.root ?? REPO_ROOT;
  const name = options.name;
  const topic = options.topic ?? `${name}.requested.v1`;
  const mode = options.mode ?? 'transactional';
  const id = pascal(name);
  const tableVariable = `${name.toUpperCase().replace(/-/g, '_')}_TABLE_NAME`;
  try {
    validateManifest({
      service: name,
      id,
      topics: [topic],
      mode,
      tables: { [tableVariable]: { actions: ['dynamodb:PutItem'] } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^Consumer manifest "[^"]*": /, ''));
  }
  if (RESERVED.has(camel(name))) {
    throw new UsageError(
      `${name} becomes the identifier ${camel(name)}, a reserved word in JavaScript; choose another name.`,
    );
  }
  if (MANIFESTS.some((m) => m.service === name) || existsSync(join(root, 'functions', name))) {
    throw new UsageError(
      `A consumer named ${name} already exists (functions/${name}/); choose another name.`,
    );
  }
  if (MANIFESTS.some((m) => m.id === id)) {
    throw new UsageError(`The construct id ${id} is taken by another consumer; choose another name.`);
  }
  const dataType = `${id}Data`;
  const files: ScaffoldFile[] = [
    { path: `functions/${name}/manifest.ts`, content: manifestFile(name, id, topic, mode, tableVariable) },
    { path: `functions/${name}/handler.ts`, content: handlerFile(name, mode, tableVariable, dataType) },
    { path: `functions/${name}/domain.ts`, content: domainFile(name, topic, dataType) },
    { path: `test/unit/functions/${name}/domain.test.ts`, content: domainTestFile(name, dataType) },
    { path: `events/${name}-sample.json`, content: sampleEvent(topic) },
    {
      path: 'functions/manifests.ts',
      content: registered(readFileSync(join(root, 'functions', 'manifests.ts'), 'utf8'), name),
    },
  ];
  for (const file of files.slice(0, -1)) {
    if (existsSync(join(root, file.path)))
      throw new UsageError(`${file.path} already exists; remove it or choose another name.`);
  }
  if (!options.dryRun) {
    for (const file of files) {
      mkdirSync(join(root, file.path, '..'), { recursive: true });
      writeFileSync(join(root, file.path), file.content);
    }
  }
  return files;
}

/** JavaScript's reserved words: a service name that becomes one cannot name its manifest's import. */
const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield await'.split(
    ' ',
  ),
);

/** Import specifiers in the order the formatter keeps them (case-insensitive). */
function specifiers(names: readonly string[]): string {
  return [...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)).join(', ');
}

function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => (part ? `${part[0]?.toUpperCase()}${part.slice(1)}` : ''))
    .join('');
}

function camel(name: string): string {
  const p = pascal(name);
  return `${p[0]?.toLowerCase()}${p.slice(1)}`;
}

function manifestFile(name: string, id: string, topic: string, mode: string, table: string): string {
  return `import type { ConsumerManifest } from '../../shared';

/** The ${name} consumer. Never rename its service or id once deployed. */
export default {
  service: '${name}',
  id: '${id}',
  topics: ['${topic}'],
  mode: '${mode}',
  tables: {
    // The actions its handler sends to the table; infra grants exactly these (add GetItem, Query…
    // when the handler reads).
    ${table}: { actions: ['dynamodb:PutItem'] },
  },
  // How long a finished idempotency record is kept, per event type (the redelivery window it covers).
  ttlSeconds: { '${topic}': 24 * 3600 },
} as const satisfies ConsumerManifest;
`;
}

function handlerFile(name: string, mode: string, table: string, dataType: string): string {
  const transactional = mode !== 'two-phase';
  const imports = transactional
    ? `import { defineConsumer, parseData, withWrites } from '../../shared';`
    : `import { PutCommand } from '@aws-sdk/lib-dynamodb';\nimport { defineConsumer, parseData } from '../../shared';`;
  const body = transactional
    ? `    // Transactional: the Put commits with the idempotency record's completion, exactly once.
    return withWrites({ id: data.id }, [{ Put: { TableName: tables.${table}, Item: item } }]);`
    : `    // Two-phase: the Put runs, then the completion; a crash between them repeats this Put,
    // which writes the same item again.
    await client.send(new PutCommand({ TableName: tables.${table}, Item: item }));
    return { id: data.id };`;
  return `/** The ${name} consumer: wiring only; the logic is in domain.ts. */
${imports}
import { ${specifiers(['EVENT_TYPE', dataType, 'toItem'])} } from './domain';
import manifest from './manifest';

/** The consumer; \`consumer.create({ env, client })\` builds it with parts replaced (tests). */
export const consumer = defineConsumer(manifest, ({ tables, ${transactional ? '' : 'client, '}clock }) => ({
  [EVENT_TYPE]: async (envelope) => {
    const data = parseData(${dataType}, envelope);
    const item = toItem(data, { eventId: envelope.event_id, now: clock.now() });
${body}
  },
}));

/** The Lambda entry point (bundled by the CDK app). */
export const handler = consumer.handler;
`;
}

function domainFile(name: string, topic: string, dataType: string): string {
  return `/** The ${name} domain: the event's schema and pure logic, no Lambda or Kafka types. */
import * as z from 'zod/mini';

/** The event type this consumer handles (also its topic). */
export const EVENT_TYPE = '${topic}';

/** \`data\` of a ${topic} event: replace with your own fields. */
export const ${dataType} = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  note: z.optional(z.string().check(z.maxLength(1000))),
});

/** A validated ${topic} payload. */
export type ${dataType} = z.infer<typeof ${dataType}>;

/** What the handler knows besides the payload. */
export interface Facts {
  readonly eventId: string;
  /** Epoch ms, from the layer's clock. */
  readonly now: number;
}

/**
 * The item the event writes to the consumer's table (keys \`pk\`/\`sk\`, the table's schema).
 *
 * @example
 * \`\`\`ts
 * toItem({ id: 'a-1' }, { eventId: 'e-1', now: 0 }); // { pk: '${name.toUpperCase()}#a-1', sk: 'ITEM', ... }
 * \`\`\`
 */
export function toItem(data: ${dataType}, facts: Facts): Record<string, unknown> {
  return {
    pk: \`${name.toUpperCase()}#\${data.id}\`,
    sk: 'ITEM',
    id: data.id,
    ...(data.note !== undefined ? { note: data.note } : {}),
    event_id: facts.eventId,
    updated_at: new Date(facts.now).toISOString(),
  };
}
`;
}

function domainTestFile(name: string, dataType: string): string {
  return `import { ${specifiers([dataType, 'toItem'])} } from '../../../../functions/${name}/domain';

describe('${name} domain', () => {
  test('an event becomes one item keyed by its id, with the event id and time', () => {
    const item = toItem({ id: 'a-1', note: 'hello' }, { eventId: 'e-1', now: Date.UTC(2026, 0, 1) });
    expect(item).toEqual({
      pk: '${name.toUpperCase()}#a-1',
      sk: 'ITEM',
      id: 'a-1',
      note: 'hello',
      event_id: 'e-1',
      updated_at: '2026-01-01T00:00:00.000Z',
    });
  });

  test('the schema refuses data without an id', () => {
    expect(${dataType}.safeParse({ note: 'x' }).success).toBe(false);
    expect(${dataType}.safeParse({ id: 'a-1' }).success).toBe(true);
  });
});
`;
}

function sampleEvent(topic: string): string {
  const value = envelope({
    event_type: topic,
    event_id: '00000000-0000-4000-8000-000000000001',
    event_timestamp: '2026-01-01T00:00:00.000Z',
    correlation_id: '00000000-0000-4000-8000-000000000002',
    data: { id: 'sample-1', note: 'a sample event' },
  });
  // A valid record, its duplicate, and one whose data the schema refuses (dead-lettered).
  const invalid = { ...value, event_id: '00000000-0000-4000-8000-000000000003', data: { note: 'no id' } };
  const event = mskEvent([
    { topic, partition: 0, offset: 0, value, timestamp: Date.UTC(2026, 0, 1) },
    { topic, partition: 0, offset: 1, value, timestamp: Date.UTC(2026, 0, 1) },
    { topic, partition: 0, offset: 2, value: invalid, timestamp: Date.UTC(2026, 0, 1) },
  ]);
  return `${JSON.stringify(event, null, 2)}\n`;
}

/** `functions/manifests.ts` with the new consumer imported and listed, formatted as biome would. */
function registered(source: string, name: string): string {
  const list = /export const MANIFESTS: readonly ConsumerManifest\[\] = \[([^\]]*)\];/.exec(source);
  if (!list) {
    throw new UsageError(
      'functions/manifests.ts does not end with `export const MANIFESTS: readonly ConsumerManifest[] = [...];`; add the consumer there by hand.',
    );
  }
  const names = [
    ...(list[1] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    camel(name),
  ];
  // The import goes where the formatter keeps it: manifest imports sorted by path.
  const path = `./${name}/manifest`;
  const imports = [...source.matchAll(/^import \w+ from '(\.\/[^']+\/manifest)';\n/gm)];
  const next = imports.find((m) => (m[1] ?? '') > path);
  const last = imports.at(-1);
  if (!last || last.index === undefined)
    throw new UsageError('functions/manifests.ts has no manifest imports to follow.');
  const at = next?.index ?? last.index + last[0].length;
  const withImport = `${source.slice(0, at)}import ${camel(name)} from '${path}';\n${source.slice(at)}`;
  const oneLine = `export const MANIFESTS: readonly ConsumerManifest[] = [${names.join(', ')}];`;
  const formatted =
    oneLine.length <= 110
      ? oneLine
      : `export const MANIFESTS: readonly ConsumerManifest[] = [\n${names.map((n) => `  ${n},`).join('\n')}\n];`;
  return withImport.replace(list[0], formatted);
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      topic: { type: 'string' },
      mode: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(NEW_CONSUMER_USAGE);
    return 0;
  }
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0)
    throw new UsageError('Give exactly one consumer name, e.g. npm run new:consumer -- orders');
  const modes: readonly ConsumerManifest['mode'][] = [
    'transactional',
    'two-phase',
    'transactional-single-write',
  ];
  const mode = modes.find((m) => m === values.mode);
  if (values.mode !== undefined && mode === undefined) {
    throw new UsageError(`--mode must be ${modes.join(', ')}, got ${JSON.stringify(values.mode)}`);
  }
  const files = scaffoldConsumer({
    name,
    ...(values.topic !== undefined ? { topic: values.topic } : {}),
    ...(mode !== undefined ? { mode } : {}),
    dryRun: values['dry-run'],
  });
  const verb = values['dry-run'] ? 'would write' : 'wrote';
  process.stdout.write(
    `${verb}:\n${files.map((f) => `  ${relative(REPO_ROOT, join(REPO_ROOT, f.path))}`).join('\n')}\n`,
  );
  if (!values['dry-run']) {
    process.stdout.write(
      `\nNext:\n  npm run invoke -- ${name} events/${name}-sample.json   # processed, a duplicate, a dead letter\n  npx cdk synth --quiet                                   # its function, table, grants and alarms\n  npm test\nThen edit functions/${name}/domain.ts (the schema and the item) and its test.\n`,
    );
  }
  return 0;
}

if (require.main === module) runMain(() => main(process.argv.slice(2)), 'npm run new:consumer -- --help');
