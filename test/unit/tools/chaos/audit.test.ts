import type { IdempotencyRecord } from '../../../../shared/internal';
import { auditConsumer, emptyTally } from '../../../../tools/chaos/audit';
import { Random } from '../../../../tools/chaos/random';
import type { OpenWindowFact } from '../../../../tools/chaos/report';
import { buildWorkload } from '../../../../tools/chaos/workload';

/** The chaos audit: ground truth from the ledger and tables against the idempotency records. */

const workload = buildWorkload(new Random(1), {
  eventsPerConsumer: { spellchecker: 3 },
  partitions: 1,
  duplicateRate: 0,
  poison: 0,
  runId: 't',
  startedAt: 0,
});
const events = workload.events;

function record(logicalId: number, status: IdempotencyRecord['status'], owner: string): IdempotencyRecord {
  return {
    id: `key-${logicalId}`,
    status,
    owner,
    expiration: 2_000_000_000,
    payload_hash: 'h',
    service: 'spellchecker',
    event_type: 'huleedu.essay.spellcheck.requested.v1',
    event_id: `evt-t-${logicalId}-0`,
    attempts: 1,
    claimed_at: 0,
  };
}

function win(execId: string, logicalId: number, owner: string): OpenWindowFact {
  return {
    execId,
    logicalId,
    cause: 'kill:after-effect',
    effectCommitted: true,
    completionInFlight: true,
    owner,
  };
}

/** Event 0 ran its effect twice (x1 then x2) and was completed by owner `o-2`. */
function audit(
  windows: OpenWindowFact[],
  records = events.map((e) => record(e.id, 'completed', `o-${e.id}`)),
) {
  const tally = emptyTally();
  tally.windows.push(...windows);
  const ledger = events.flatMap((e) =>
    e.id === 0
      ? [
          { pk: e.businessId, sk: 'x1' },
          { pk: e.businessId, sk: 'x2' },
        ]
      : [{ pk: e.businessId, sk: `x-${e.id}` }],
  );
  const business = events.map((e) => ({
    pk: `ESSAY#${e.businessId}`,
    sk: 'SPELLCHECK#en#h',
    essay_id: e.businessId,
  }));
  return auditConsumer({
    consumer: 'spellchecker',
    workload,
    tally,
    records,
    business,
    ledger,
    deadLetters: [],
  }).figures;
}

describe('auditConsumer (two-phase)', () => {
  it('matches a duplicate effect with the open window of the attempt that did not complete', () => {
    const figures = audit([win('x1', 0, 'o-first')]);
    expect(figures).toMatchObject({
      effectsExecuted: 4,
      duplicateEffects: 1,
      unexplainedDuplicateEffects: 0,
      duplicateEffectsExplained: { 'kill:after-effect': 1 },
      lostEvents: 0,
      stuckRecords: 0,
    });
  });

  it('flags a duplicate effect without a matching kill', () => {
    const figures = audit([]);
    expect(figures.duplicateEffects).toBe(1);
    expect(figures.unexplainedDuplicateEffects).toBe(1);
    expect(figures.problems).toEqual([expect.stringContaining('duplicate: event 0: 2 executions')]);
  });

  it('does not let a window whose in-flight completion was written explain a duplicate', () => {
    // The killed attempt owns the final record: its completion landed, so x2 ran past a completed record.
    const figures = audit([win('x1', 0, 'o-0')]);
    expect(figures.openWindowsCompleted).toBe(1);
    expect(figures.unexplainedDuplicateEffects).toBe(1);
  });

  it('counts a window left open by an unanswered effect as open at return, and lets it explain a duplicate', () => {
    const figures = audit([
      { ...win('x1', 0, 'o-first'), cause: 'effect-unanswered', effectCommitted: false },
    ]);
    expect(figures).toMatchObject({
      duplicateEffects: 1,
      unexplainedDuplicateEffects: 0,
      duplicateEffectsExplained: { 'effect-unanswered': 1 },
      openWindowsAtReturn: 1,
      openWindowsAtDeath: { effectWritten: 0, uncertain: 0 },
    });
  });

  it('counts an event without its effect, or left in processing, as lost', () => {
    const records = events.map((e) => record(e.id, e.id === 2 ? 'processing' : 'completed', `o-${e.id}`));
    const figures = audit([win('x1', 0, 'o-first')], records);
    expect(figures.lostEvents).toBe(1);
    expect(figures.stuckRecords).toBe(1);
    expect(figures.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining(`lost: event 2 (${events[2]?.businessId}): record processing`),
      ]),
    );
  });
});
