import { UsageError } from '../../../../scripts/lib/cli';
import { type BenchRun, type Measurement, runBenchmark } from '../../../../tools/bench/measure';
import { parseBenchArgs } from '../../../../tools/bench/options';
import { evaluateTargets, renderSpellcheckCpu } from '../../../../tools/bench/report';
import { SIDES, type SideName } from '../../../../tools/bench/sides';
import { measureSpellcheckCpu, type SpellcheckCpuFigures } from '../../../../tools/bench/spellcheck-cpu';
import type { Scenario } from '../../../../tools/bench/workload';
import { testEndpoint } from '../../../helpers/dynamo';
import { must } from '../../../helpers/layer';

describe('npm run bench: core measurement (batch of 10, one round, no delay)', () => {
  let run: BenchRun;
  const find = (scenario: Scenario, side: SideName): Measurement =>
    must(
      run.measurements.find((m) => m.scenario === scenario && m.side === side),
      `a ${side} measurement for ${scenario}`,
    );

  beforeAll(async () => {
    // GIVEN the shared DynamoDB Local; WHEN the bench's core runs every scenario once on 10 records
    run = await runBenchmark({
      endpoint: testEndpoint(),
      sizes: [10],
      partitions: [1],
      scenarios: ['fresh', 'redelivered', 'after-failure', 'in-batch-duplicates'],
      rounds: 1,
      warmup: 0,
      delayMs: 0,
    });
  });

  test('measures every scenario for every side, and effectively-once held everywhere', () => {
    expect(run.measurements).toHaveLength(4 * SIDES.length);
    expect(run.measurements.flatMap((m) => m.violations)).toEqual([]);
    expect(run.simulatedDelayMs).toBe(0);
    for (const m of run.measurements) {
      expect(m.rounds).toHaveLength(1);
      expect(m.ratioVsBaseline === null).toBe(m.side === 'baseline');
      expect(m.ratioVsFloor === null).toBe(m.side === 'floor');
    }
  });

  test('a redelivered batch costs ours exactly one BatchGetItem and no write; the baseline one failed PutItem per record', () => {
    const ours = find('redelivered', 'two-phase');
    expect(ours.requests).toEqual({ BatchGetItem: 1 });
    expect(ours.writes).toBe(0);
    expect(ours.handlerCalls).toBe(0);
    expect(ours.duplicates).toBe(10);
    expect(find('redelivered', 'transactional').requests).toEqual({ BatchGetItem: 1 });

    const baseline = find('redelivered', 'baseline');
    expect(baseline.requests).toEqual({ PutItem: 10 });
    expect(baseline.conditionalCheckFailures).toBe(10);
    expect(baseline.handlerCalls).toBe(0);
  });

  test("a fresh batch: the floor is the handler's one PutItem per record; two writes per record more on both idempotent sides, plus one BatchGetItem on ours; one transaction per record in transactional mode", () => {
    expect(find('fresh', 'floor').requests).toEqual({ PutItem: 10 });
    expect(find('redelivered', 'floor').requests).toEqual({ PutItem: 10 });
    expect(find('redelivered', 'floor').handlerCalls).toBe(10);
    expect(find('fresh', 'baseline').requests).toEqual({ PutItem: 20, UpdateItem: 10 });
    expect(find('fresh', 'two-phase').requests).toEqual({ BatchGetItem: 1, PutItem: 10, UpdateItem: 20 });
    expect(find('fresh', 'two-phase').writesPerRecord).toBe(3);
    expect(find('fresh', 'transactional').requests).toEqual({
      BatchGetItem: 1,
      UpdateItem: 10,
      TransactWriteItems: 10,
    });
    for (const side of SIDES) expect(find('fresh', side).handlerCalls).toBe(10);
  });

  test('single-write: one TransactWriteItems per fresh record and nothing else but the pre-check', () => {
    expect(find('fresh', 'single-write').requests).toEqual({ BatchGetItem: 1, TransactWriteItems: 10 });
    expect(find('fresh', 'single-write').writesPerRecord).toBe(1);
    expect(find('redelivered', 'single-write').requests).toEqual({ BatchGetItem: 1 });
  });

  test('the local cache on: a batch redelivered to the same warm side sends no request at all', () => {
    const cached = find('redelivered', 'two-phase-cached');
    expect(cached.requests).toEqual({});
    expect(cached.requestsTotal).toBe(0);
    expect(cached.handlerCalls).toBe(0);
    expect(cached.duplicates).toBe(10);
    // the same side's fresh batch is the plain two-phase one
    expect(find('fresh', 'two-phase-cached').requests).toEqual(find('fresh', 'two-phase').requests);
  });

  test('the redelivery after a failure at 60% redoes only the 4 unfinished records', () => {
    // Records 0-5 completed before record 6 failed; the redelivery runs 6-9.
    const baseline = find('after-failure', 'baseline');
    expect(baseline.requests).toEqual({ PutItem: 14, UpdateItem: 4 });
    expect(baseline.conditionalCheckFailures).toBe(6);
    expect(baseline.handlerCalls).toBe(4);
    const ours = find('after-failure', 'two-phase');
    expect(ours.requests).toEqual({ BatchGetItem: 1, PutItem: 4, UpdateItem: 8 });
    expect(ours.handlerCalls).toBe(4);
    expect(ours.duplicates).toBe(6);
  });

  test('20% in-batch duplicates run once: ours claims only the 8 distinct events', () => {
    expect(find('in-batch-duplicates', 'baseline').requests).toEqual({ PutItem: 18, UpdateItem: 8 });
    expect(find('in-batch-duplicates', 'two-phase').requests).toEqual({
      BatchGetItem: 1,
      PutItem: 8,
      UpdateItem: 16,
    });
    expect(find('in-batch-duplicates', 'two-phase').handlerCalls).toBe(8);
    expect(find('in-batch-duplicates', 'two-phase').duplicates).toBe(2);
  });

  test('capacity is requested with every call and reported by the engine', () => {
    expect(run.capacityReported).toBe(true);
    expect(find('fresh', 'baseline').writeCapacityUnits).toBeGreaterThanOrEqual(20);
    expect(find('redelivered', 'two-phase').readCapacityUnits).toBeGreaterThan(0);
    expect(find('redelivered', 'two-phase').writeCapacityUnits).toBe(0);
  });

  test('targets are not evaluated on a run without the 5 ms simulated delay', () => {
    expect(evaluateTargets(run)).toEqual([expect.objectContaining({ met: null })]);
  });
});

describe('npm run bench: the spellchecker domain per record', () => {
  let figures: SpellcheckCpuFigures[];
  const outcomeOf = (pattern: RegExp) =>
    must(
      figures.find((f) => pattern.test(f.input)),
      `an input matching ${pattern}`,
    ).outcome;

  beforeAll(() => {
    // GIVEN the bench's worst-case inputs; WHEN each is measured the minimum 3 times
    figures = measureSpellcheckCpu({ budgetMs: 0 });
  });

  test('measures every input at least 3 times and prints a row for each', () => {
    expect(figures).toHaveLength(9);
    const table = renderSpellcheckCpu(figures);
    for (const f of figures) {
      expect(f.iterations).toBeGreaterThanOrEqual(3);
      expect(f.msMax).toBeGreaterThanOrEqual(f.msPerRecord);
      expect(table).toContain(f.input);
    }
  });

  test('the inputs are the worst cases they are named after', () => {
    // a 1 MiB value is over the schema's text limit: a poison record, refused before any check
    expect(figures[0]?.valueBytes).toBe(1_048_576);
    expect(outcomeOf(/1 MiB value/)).toEqual({ refused: true });
    // the largest accepted text as one token: counted as a long word, not looked up
    expect(outcomeOf(/^one token of/)).toMatchObject({ refused: false, long_word_count: 1 });
    // texts of distinct unknown words of 18, 5 and 4 letters spend the whole work budget, and so
    // does a 10,000-character one
    for (const input of [/000 chars of distinct 18-/, /distinct 5-/, /distinct 4-/, /^10,000 chars/]) {
      const outcome = outcomeOf(input);
      expect(outcome.refused ? -1 : outcome.unchecked_count).toBeGreaterThan(0);
    }
    // words of 45 letters are checked (none can be corrected), essays are checked whole
    expect(outcomeOf(/distinct 45-/)).toMatchObject({
      long_word_count: 0,
      unchecked_count: 0,
      error_count: 0,
    });
    expect(outcomeOf(/essay-like, 100,000/)).toMatchObject({ unchecked_count: 0 });
    expect(outcomeOf(/essay-like, 6,000/)).toMatchObject({ unchecked_count: 0 });
  });
});

describe('npm run bench: command line', () => {
  test('defaults, --quick, and explicit flags over --quick', () => {
    expect(parseBenchArgs([])).toMatchObject({
      sizes: [10, 100, 500],
      partitions: [1, 4],
      rounds: 3,
      delayMs: 0,
    });
    expect(parseBenchArgs(['--quick'])).toMatchObject({ sizes: [10, 100], partitions: [1] });
    expect(parseBenchArgs(['--quick', '--sizes', '500', '--delay-ms', '5'])).toMatchObject({
      sizes: [500],
      delayMs: 5,
    });
  });

  test('fails on an unknown scenario, a bad number or an unknown flag, naming it', () => {
    expect(() => parseBenchArgs(['--scenarios', 'fresh,sideways'])).toThrow(/--scenarios: unknown sideways/);
    expect(() => parseBenchArgs(['--rounds', '0'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--sizes', '10,x'])).toThrow(/--sizes: "x"/);
    expect(() => parseBenchArgs(['--bogus'])).toThrow(UsageError);
  });
});
