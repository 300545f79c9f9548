import {
  buildFromOptions,
  type EventsCliOptions,
  parseEventsArgs,
  resolveEnvelopes,
} from '../../../scripts/events';
import { parseInvokeArgs } from '../../../scripts/invoke';
import {
  choiceFlag,
  formatTable,
  humanDuration,
  intFlag,
  shortKey,
  UsageError,
} from '../../../scripts/lib/cli';
import { parseRecordsArgs } from '../../../scripts/records';

const TYPE = 'huleedu.essay.spellcheck.requested.v1';

function eventsOptions(argv: string[]): EventsCliOptions {
  const command = parseEventsArgs(argv);
  if (command.help) throw new Error('expected options, got --help');
  return command.options;
}

const noFiles = async (path: string): Promise<string> => {
  throw new Error(`unexpected read of ${path}`);
};

describe('npm run events: arguments', () => {
  test('defaults: one partition, round-robin, offset 0, one of each, poison in the middle', () => {
    const options = eventsOptions(['--type', TYPE, '--data', '{"essay_id":"E-1","text":"teh"}']);
    expect(options).toMatchObject({
      count: 1,
      partitions: 1,
      spread: 'round-robin',
      offset: 0,
      duplicates: 0,
      duplicatesOn: 'same-partition',
      malformed: [],
      malformedPosition: 'middle',
      out: undefined,
      topic: undefined,
    });
    expect(options.sources).toEqual([
      { kind: 'inline', eventType: TYPE, dataTemplate: '{"essay_id":"E-1","text":"teh"}' },
    ]);
  });

  test('--help wins over everything else', () => {
    expect(parseEventsArgs(['--help'])).toEqual({ help: true });
    expect(parseEventsArgs(['-h', '--partitions', 'x'])).toEqual({ help: true });
  });

  test('one --type serves every --data; several --type pair with --data in order', () => {
    const one = eventsOptions(['--type', 'a.v1', '--data', '{}', '--data', '{"x":1}']);
    expect(one.sources.map((s) => (s.kind === 'inline' ? s.eventType : s.path))).toEqual(['a.v1', 'a.v1']);
    const paired = eventsOptions(['--type', 'a.v1', '--data', '{}', '--type', 'b.v1', '--data', '{}']);
    expect(paired.sources.map((s) => (s.kind === 'inline' ? s.eventType : s.path))).toEqual(['a.v1', 'b.v1']);
  });

  test.each([
    [['--data', '{}'], /--data needs a --type/],
    [
      ['--type', 'a.v1', '--type', 'b.v1', '--data', '{}'],
      /one --type per --data; got 2 --type and 1 --data/,
    ],
    [[], /Nothing to build/],
    [
      ['--type', TYPE, '--data', '{}', '--partitions', '0'],
      /--partitions must be an integer from 1 to 1000, got "0"/,
    ],
    [['--type', TYPE, '--data', '{}', '--count', '2.5'], /--count must be an integer/],
    [
      ['--type', TYPE, '--data', '{}', '--spread', 'random'],
      /--spread must be one of round-robin, key, got "random"/,
    ],
    [
      ['--type', TYPE, '--data', '{}', '--malformed', 'broken'],
      /--malformed must be one of bad-base64, non-utf8/,
    ],
    [['--type', TYPE, '--data', '{}', '--header', 'novalue'], /--header must be name=value/],
    [
      ['--type', TYPE, '--data', '{}', '--timestamp', 'yesterday'],
      /--timestamp must be an ISO date or epoch/,
    ],
    [['--type', TYPE, '--data', '{}', '--bogus'], /Unknown option '--bogus'/],
    [['--type', TYPE, '--data', '{}', 'stray'], /Unexpected argument 'stray'|positional/],
    [['--malformed', 'non-json'], /need --type or --topic/],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseEventsArgs(argv)).toThrow(UsageError);
    expect(() => parseEventsArgs(argv)).toThrow(message);
  });

  test('parses headers, timestamps and the failure-case flags', () => {
    const options = eventsOptions([
      '--type',
      TYPE,
      '--data',
      '{}',
      '--header',
      'trace=a=b',
      '--timestamp',
      '2026-01-15T09:00:00Z',
      '--duplicates',
      '2',
      '--duplicates-on',
      'other-partition',
      '--malformed',
      'non-json',
      '--malformed',
      'bad-base64',
      '--malformed-position',
      'end',
      '--partitions',
      '3',
      '-o',
      'out.json',
    ]);
    expect(options.headers).toEqual({ trace: 'a=b' });
    expect(options.timestamp).toBe(Date.parse('2026-01-15T09:00:00Z'));
    expect(options).toMatchObject({
      duplicates: 2,
      duplicatesOn: 'other-partition',
      malformed: ['non-json', 'bad-base64'],
      malformedPosition: 'end',
      partitions: 3,
      out: 'out.json',
    });
  });

  test('--count expands {{n}} into distinct events with fresh event ids', async () => {
    const options = eventsOptions([
      '--type',
      TYPE,
      '--data',
      '{"essay_id":"E-{{n}}","text":"teh {{n}}"}',
      '--count',
      '3',
    ]);
    const envelopes = await resolveEnvelopes(options, noFiles);
    expect(envelopes.map((e) => e.data)).toEqual([
      { essay_id: 'E-1', text: 'teh 1' },
      { essay_id: 'E-2', text: 'teh 2' },
      { essay_id: 'E-3', text: 'teh 3' },
    ]);
    expect(new Set(envelopes.map((e) => e.event_id)).size).toBe(3);
    expect(envelopes.every((e) => e.event_type === TYPE && e.source_service && e.event_timestamp)).toBe(true);
  });

  test('--data must be a JSON object', async () => {
    await expect(
      resolveEnvelopes(eventsOptions(['--type', TYPE, '--data', '{oops']), noFiles),
    ).rejects.toThrow(/--data is not valid JSON/);
    await expect(resolveEnvelopes(eventsOptions(['--type', TYPE, '--data', '[1]']), noFiles)).rejects.toThrow(
      /--data must be a JSON object/,
    );
  });

  test('--envelope-file keeps the fields it gives and fills in the rest', async () => {
    const file = JSON.stringify([
      {
        event_type: TYPE,
        event_id: 'evt-1',
        correlation_id: 'corr-1',
        data: { essay_id: 'E-1', text: 'teh' },
      },
      { event_type: 'other.v1', data: { n: 1 }, schema_version: 2 },
    ]);
    const options = eventsOptions(['--envelope-file', 'envelopes.json']);
    const envelopes = await resolveEnvelopes(options, async (path) => {
      expect(path).toBe('envelopes.json');
      return file;
    });
    expect(envelopes[0]).toMatchObject({ event_id: 'evt-1', correlation_id: 'corr-1', event_type: TYPE });
    expect(envelopes[1]).toMatchObject({ event_type: 'other.v1', data: { n: 1 }, schema_version: 2 });
    expect(envelopes[1]?.event_id).toEqual(expect.any(String));
  });

  test('--envelope-file entries need an event_type, and a read failure names the file', async () => {
    const options = eventsOptions(['--envelope-file', 'bad.json']);
    await expect(resolveEnvelopes(options, async () => '{"data":{}}')).rejects.toThrow(
      /bad.json\[0\] needs an "event_type" string/,
    );
    await expect(
      resolveEnvelopes(options, async () => {
        throw new Error('ENOENT');
      }),
    ).rejects.toThrow(/Cannot read --envelope-file bad.json: ENOENT/);
  });

  test('the topic defaults to the first event type; builder errors become usage errors', async () => {
    const options = eventsOptions([
      '--type',
      TYPE,
      '--data',
      '{"essay_id":"E-1"}',
      '--duplicates',
      '1',
      '--duplicates-on',
      'other-partition',
    ]);
    const envelopes = await resolveEnvelopes(options, noFiles);
    expect(() => buildFromOptions(options, envelopes)).toThrow(UsageError);
    const ok = eventsOptions(['--type', TYPE, '--data', '{"essay_id":"E-1"}']);
    const built = buildFromOptions(ok, await resolveEnvelopes(ok, noFiles));
    expect(Object.keys(built.event.records)).toEqual([`${TYPE}-0`]);
  });
});

describe('npm run invoke: arguments', () => {
  test('a function and an event file, with partial batch response on by default', () => {
    expect(parseInvokeArgs(['spellchecker', 'events/a.json'])).toEqual({
      help: false,
      options: {
        functionName: 'spellchecker',
        eventFile: 'events/a.json',
        partialBatchResponse: true,
        timeoutMs: 60_000,
        endpoint: undefined,
        verbose: false,
        metrics: false,
      },
    });
  });

  test('flags turn off the partial batch response, raise the log level, enable metrics', () => {
    const command = parseInvokeArgs([
      'essay-lifecycle',
      '-',
      '--no-partial-batch-response',
      '--verbose',
      '--metrics',
      '--timeout-ms',
      '5000',
      '--endpoint',
      'http://localhost:8000',
    ]);
    expect(command).toMatchObject({
      help: false,
      options: {
        eventFile: '-',
        partialBatchResponse: false,
        verbose: true,
        metrics: true,
        timeoutMs: 5000,
        endpoint: 'http://localhost:8000',
      },
    });
  });

  test.each([
    [[], /Give a function and an event file/],
    [['spellchecker'], /Give a function and an event file/],
    [['spellchecker', 'a.json', 'b.json'], /Unexpected argument\(s\): b.json/],
    [['spellchecker', 'a.json', '--timeout-ms', '10'], /--timeout-ms must be an integer from 1000 to 900000/],
    [['spellchecker', 'a.json', '--endpoint', 'localhost:8000'], /--endpoint must be an http\(s\) URL/],
    [['spellchecker', 'a.json', '--partial'], /Unknown option '--partial'/],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseInvokeArgs(argv)).toThrow(UsageError);
    expect(() => parseInvokeArgs(argv)).toThrow(message);
  });
});

describe('npm run records: arguments', () => {
  test('lists everything by default', () => {
    expect(parseRecordsArgs([])).toEqual({
      help: false,
      options: {
        status: undefined,
        json: false,
        table: undefined,
        endpoint: undefined,
        release: undefined,
        force: false,
        skewMs: 1000,
      },
    });
  });

  test('filters, JSON, table, endpoint and a forced release', () => {
    expect(
      parseRecordsArgs([
        '--status',
        'processing',
        '--json',
        '--table',
        't',
        '--endpoint',
        'http://127.0.0.1:9',
        '--release',
        ' spellchecker:abc ',
        '--force',
      ]),
    ).toMatchObject({
      options: { status: 'processing', json: true, table: 't', release: 'spellchecker:abc', force: true },
    });
  });

  test.each([
    [['--status', 'done'], /--status must be one of processing, completed, failed, got "done"/],
    [['--force'], /--force only applies to --release/],
    [['--release', ' '], /--release needs a key/],
    [['--endpoint', 'ftp://x'], /--endpoint must be an http\(s\) URL/],
    [['--skew-ms', '700000'], /--skew-ms must be an integer from 0 to 600000/],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseRecordsArgs(argv)).toThrow(UsageError);
    expect(() => parseRecordsArgs(argv)).toThrow(message);
  });
});

describe('CLI helpers', () => {
  test('intFlag and choiceFlag fall back when unset and name the flag when wrong', () => {
    expect(intFlag('--n', undefined, { min: 1, max: 5, fallback: 3 })).toBe(3);
    expect(intFlag('--n', ' 5 ', { min: 1, max: 5, fallback: 3 })).toBe(5);
    expect(() => intFlag('--n', '6', { min: 1, max: 5, fallback: 3 })).toThrow(
      '--n must be an integer from 1 to 5, got "6".',
    );
    expect(() => intFlag('--n', '1e3', { min: 1, max: 5000, fallback: 3 })).toThrow(UsageError);
    expect(choiceFlag('--c', undefined, ['a', 'b'] as const, 'a')).toBe('a');
    expect(() => choiceFlag('--c', 'z', ['a', 'b'] as const, 'a')).toThrow(
      '--c must be one of a, b, got "z".',
    );
  });

  test('formatTable aligns columns, right-aligns numbers and clips long cells', () => {
    const table = formatTable(
      [
        { header: 'name', cell: (r: { name: string; n: number }) => r.name },
        { header: 'n', cell: (r) => String(r.n), right: true },
        { header: 'note', cell: () => 'abcdefghij', max: 5 },
      ],
      [
        { name: 'a', n: 5 },
        { name: 'longer', n: 123 },
      ],
    );
    expect(table.split('\n')).toEqual([
      'name      n  note',
      '------  ---  -----',
      'a         5  abcd…',
      'longer  123  abcd…',
    ]);
  });

  test('shortKey keeps the service and the start of the hash', () => {
    const hash = 'a'.repeat(64);
    expect(shortKey(`idem:v1:spellchecker:huleedu.essay.spellcheck.requested.v1:${hash}`)).toBe(
      'spellchecker:aaaaaaaaaaaa',
    );
    expect(shortKey(`idem:v1:spellchecker:invalid:${hash}`, 4)).toBe('spellchecker:invalid:aaaa');
  });

  test('humanDuration', () => {
    expect([850, 12_000, 185_000, 7_800_000, 3 * 86_400_000 + 4 * 3_600_000].map(humanDuration)).toEqual([
      '850ms',
      '12s',
      '3m05s',
      '2h10m',
      '3d4h',
    ]);
  });
});
