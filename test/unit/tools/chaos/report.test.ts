import { parseChaosArgs } from '../../../../tools/chaos/options';
import { classifyRequest } from '../../../../tools/chaos/probe';
import {
  type ChaosFigures,
  type ConsumerFigures,
  explainDuplicates,
  type OpenWindowFact,
  percentile,
  verdict,
} from '../../../../tools/chaos/report';
import { healthy } from '../../../helpers/chaos-figures';

/** The chaos run's judgement: duplicate effects matched against open windows, and the verdict. */

function window(execId: string, logicalId: number, cause: OpenWindowFact['cause']): [string, OpenWindowFact] {
  return [
    execId,
    { execId, logicalId, cause, effectCommitted: true, completionInFlight: false, owner: undefined },
  ];
}

const OPTIONS = parseChaosArgs([]);

function run(consumers: ConsumerFigures[], overrides: Partial<ChaosFigures> = {}): ChaosFigures {
  return {
    consumers,
    engineRestarts: 1,
    skewedDeliveries: 5,
    skewedTakeovers: 1,
    anomalies: [],
    ...overrides,
  };
}

function failed(figures: ChaosFigures): string[] {
  return verdict(figures, OPTIONS)
    .filter((c) => !c.ok)
    .map((c) => c.name);
}

describe('explainDuplicates', () => {
  it('matches a second execution against the open window of the first', () => {
    const result = explainDuplicates(
      new Map([[7, ['a', 'b']]]),
      new Map([window('a', 7, 'kill:after-effect')]),
    );
    expect(result).toEqual({
      duplicates: 1,
      explained: { 'kill:after-effect': 1 },
      unexplained: 0,
      detail: [],
    });
  });

  it('flags a duplicate effect without a matching kill or failed completion', () => {
    const result = explainDuplicates(new Map([[7, ['a', 'b']]]), new Map());
    expect(result.duplicates).toBe(1);
    expect(result.unexplained).toBe(1);
    expect(result.detail).toEqual([expect.stringContaining('event 7: 2 executions, 2 of them completed')]);
  });

  it('allows one completing execution per event, whatever the number of open windows', () => {
    const windows = new Map([window('a', 1, 'timeout'), window('b', 1, 'completion-failed')]);
    expect(explainDuplicates(new Map([[1, ['a', 'b', 'c']]]), windows)).toMatchObject({
      duplicates: 2,
      unexplained: 0,
      explained: { timeout: 1, 'completion-failed': 1 },
    });
    // Every execution in an open window: one of them completed (its completion was in flight).
    expect(explainDuplicates(new Map([[1, ['a', 'b']]]), windows)).toMatchObject({
      duplicates: 1,
      unexplained: 0,
    });
  });

  it('counts a single execution as no duplicate', () => {
    expect(explainDuplicates(new Map([[1, ['a']]]), new Map())).toMatchObject({
      duplicates: 0,
      unexplained: 0,
    });
  });
});

describe('verdict', () => {
  it('passes a run where everything is accounted for', () => {
    expect(failed(run([healthy()]))).toEqual([]);
  });

  it('fails on an unexplained duplicate effect of a two-phase consumer', () => {
    expect(failed(run([healthy({ duplicateEffects: 2, unexplainedDuplicateEffects: 1 })]))).toEqual([
      'spellchecker: every duplicate effect matches an open effect-to-completion window',
    ]);
  });

  it('fails on any duplicate effect of a transactional consumer, explained or not', () => {
    const essay = healthy({
      consumer: 'essay-lifecycle',
      mode: 'transactional',
      duplicateEffects: 1,
      layerMetrics: { Processed: 98, SingleWriteCommit: 40 },
    });
    expect(failed(run([essay]))).toEqual(['essay-lifecycle: no duplicate effect (transactional)']);
    const sawOwn = healthy({
      consumer: 'essay-lifecycle',
      mode: 'transactional',
      duplicateEffects: 0,
      handlerSawOwnEffect: 1,
      layerMetrics: { Processed: 98, SingleWriteCommit: 40 },
    });
    expect(failed(run([sawOwn]))).toEqual(['essay-lifecycle: no duplicate effect (transactional)']);
  });

  it('fails when essay-lifecycle ran no single-write commit (its odd-slot workers run that mode)', () => {
    const essay = healthy({ consumer: 'essay-lifecycle', mode: 'transactional', duplicateEffects: 0 });
    expect(failed(run([essay]))).toEqual([
      'essay-lifecycle: single-write commits ran beside claim-first ones',
    ]);
  });

  it('fails on a lost event or a record stuck in processing', () => {
    expect(failed(run([healthy({ lostEvents: 1, stuckRecords: 2 })]))).toEqual([
      'spellchecker: no lost event',
      'spellchecker: no record stuck in processing',
    ]);
  });

  it('fails when a fault kind never fired, naming it', () => {
    const checks = verdict(
      run([healthy({ kills: { ...healthy().kills, 'mid-effect': 0 }, faults: {} })]),
      OPTIONS,
    );
    const faults = checks.find((c) => c.name === 'spellchecker: every fault kind fired');
    expect(faults?.ok).toBe(false);
    expect(faults?.detail).toBe('never fired: kill:mid-effect, throttle, drop-response, storm');
  });

  it('fails when the engine never restarted or no takeover happened, and on driver anomalies', () => {
    expect(
      failed(run([healthy({ takeovers: 0 })], { engineRestarts: 0, anomalies: ['partition t-0 abandoned'] })),
    ).toEqual([
      'run: engine restart, clock skew and takeovers happened',
      'run: nothing the driver could not reconcile',
    ]);
  });

  it('does not require the faults a run switched off', () => {
    const quiet = parseChaosArgs([
      '--kill-rate',
      '0',
      '--slow-rate',
      '0',
      '--outages',
      '0',
      '--storm-rate',
      '0',
    ]);
    const figures = run([healthy({ kills: {}, faults: { throttle: 1, 'drop-response': 1 } })], {
      engineRestarts: 0,
    });
    expect(verdict(figures, quiet).every((c) => c.ok)).toBe(true);
  });
});

describe('percentile', () => {
  it('is nearest-rank, and undefined for no values', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 99)).toBe(5);
    expect(percentile([], 50)).toBeUndefined();
  });
});

describe('classifyRequest', () => {
  const tables = { idempotency: 'idem', business: ['essays'], ledger: 'ledger' };

  it('tells claims, completions, failures and releases apart by the status they write', () => {
    const values = (status: string) => ({ ':processing': { S: 'processing' }, ':s': { S: status } });
    expect(
      classifyRequest(
        'UpdateItem',
        {
          TableName: 'idem',
          Key: { id: { S: 'k' } },
          ExpressionAttributeValues: {
            ':processing': { S: 'processing' },
            ':a_event_id': { S: 'evt-1' },
            ':a_topic': { S: 't' },
            ':a_partition': { N: '2' },
            ':a_offset': { N: '9' },
          },
        },
        tables,
      ),
    ).toEqual({ kind: 'claim', key: 'k', eventId: 'evt-1', coordinates: 't-2@9' });
    expect(
      classifyRequest(
        'UpdateItem',
        { TableName: 'idem', ExpressionAttributeValues: values('completed') },
        tables,
      ).kind,
    ).toBe('complete');
    expect(
      classifyRequest(
        'UpdateItem',
        { TableName: 'idem', ExpressionAttributeValues: values('failed') },
        tables,
      ).kind,
    ).toBe('fail');
    expect(classifyRequest('DeleteItem', { TableName: 'idem', Key: { id: { S: 'k' } } }, tables)).toEqual({
      kind: 'release',
      key: 'k',
    });
  });

  it('tells a ledgered effect from an effect committed with its completion', () => {
    const ledgered = classifyRequest(
      'TransactWriteItems',
      {
        ClientRequestToken: 'x1',
        TransactItems: [
          { Put: { TableName: 'spellchecks', Item: {} } },
          { Put: { TableName: 'ledger', Item: { pk: { S: 'essay-1' }, sk: { S: 'x1' } } } },
        ],
      },
      tables,
    );
    expect(ledgered).toEqual({ kind: 'effect', execId: 'x1', businessId: 'essay-1', token: 'x1' });
    const transactional = classifyRequest(
      'TransactWriteItems',
      {
        ClientRequestToken: 'owner-1',
        TransactItems: [
          { Put: { TableName: 'essays', Item: {} } },
          { Update: { TableName: 'idem', Key: { id: { S: 'k' } } } },
        ],
      },
      tables,
    );
    expect(transactional).toEqual({ kind: 'effect+complete', key: 'k', token: 'owner-1' });
    expect(classifyRequest('GetItem', { TableName: 'essays' }, tables).kind).toBe('business-read');
    expect(classifyRequest('BatchGetItem', {}, tables).kind).toBe('precheck');
  });
});

describe('parseChaosArgs', () => {
  it('reads the flags, with defaults sized for CI', () => {
    expect(parseChaosArgs(['--events', '100000', '--seed', '7', '--json', 'out.json'])).toMatchObject({
      events: 100000,
      seed: 7,
      json: 'out.json',
      workers: 4,
    });
  });

  it('names the flag and the range of a bad value', () => {
    expect(() => parseChaosArgs(['--kill-rate', '2'])).toThrow(
      '--kill-rate must be a number from 0 to 1, got "2".',
    );
    expect(() => parseChaosArgs(['--skew-ms', '1000'])).toThrow(/--skew-ms must be an integer from 0 to 999/);
    expect(() => parseChaosArgs(['--consumers', 'billing'])).toThrow(
      /--consumers must list spellchecker, essay-lifecycle/,
    );
  });
});
