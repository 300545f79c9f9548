/**
 * The chaos run's figures, the verdict drawn from them, and the readable report. Pure: the audit
 * gathers the facts, this module judges them.
 */
import { type ChaosOptions, SINGLE_WRITE_CONSUMERS } from './options';
import { SINGLE_WRITE_COMMITS } from './probe';
import { KILL_POINTS } from './protocol';

/**
 * Why an effect ran (or may have run) without its completion being written by the same attempt:
 * the worker was killed or timed out, or the delivery returned with the window open because the
 * completion failed (`completion-failed`) or the effect's own request failed with no answer after it
 * may have been executed, e.g. a connection reset then refused retries (`effect-unanswered`).
 */
export type WindowCause =
  | `kill:${(typeof KILL_POINTS)[number]}`
  | 'timeout'
  | 'completion-failed'
  | 'effect-unanswered';

/** `true` for the causes of a window left open by a delivery that returned (no death). */
export function leftOpenAtReturn(cause: WindowCause): boolean {
  return cause === 'completion-failed' || cause === 'effect-unanswered';
}

/** What a duplicate effect is matched against: the execution that had no completion, and why. */
export interface OpenWindowFact {
  readonly execId: string;
  readonly logicalId: number;
  readonly cause: WindowCause;
  /** `true` when the effect is known written; `false` when it was in flight (may or may not be). */
  readonly effectCommitted: boolean;
  /** `true` when its completion was in flight (it may have been written). */
  readonly completionInFlight: boolean;
  /** Owner token of the attempt, when its claim was seen. */
  readonly owner: string | undefined;
}

/** How the duplicate effects of a two-phase consumer are accounted for. */
export interface DuplicateExplanation {
  /** Executions beyond the first, over all logical events. */
  readonly duplicates: number;
  /** Duplicates whose earlier execution is a known open window, by the window's cause. */
  readonly explained: Readonly<Record<string, number>>;
  /** Duplicates with no open window to account for them: the layer let an event run twice. */
  readonly unexplained: number;
  /** The first unexplained cases, for the report. */
  readonly detail: readonly string[];
}

/**
 * Matches every execution of an effect against the open windows (effects whose completion was not
 * written by the same attempt: killed in between, timed out, or the completion failed). Each logical
 * event may have at most one execution outside an open window (the one that completed it); every
 * other execution must be an open window, else it is an unexplained duplicate.
 *
 * @example
 * ```ts
 * explainDuplicates(new Map([[1, ['a', 'b']]]), new Map([['a', { execId: 'a', logicalId: 1, cause: 'kill:after-effect', effectCommitted: true, completionInFlight: false, owner: 'o1' }]]));
 * // { duplicates: 1, explained: { 'kill:after-effect': 1 }, unexplained: 0, detail: [] }
 * ```
 */
export function explainDuplicates(
  executions: ReadonlyMap<number, readonly string[]>,
  windows: ReadonlyMap<string, OpenWindowFact>,
): DuplicateExplanation {
  let duplicates = 0;
  let unexplained = 0;
  const explained: Record<string, number> = {};
  const detail: string[] = [];
  for (const [logicalId, execs] of executions) {
    if (execs.length <= 1) continue;
    duplicates += execs.length - 1;
    const open = execs.filter((e) => windows.has(e));
    const closed = execs.length - open.length;
    const extra = Math.max(0, closed - 1);
    unexplained += extra;
    if (extra > 0 && detail.length < 20) {
      detail.push(
        `event ${logicalId}: ${execs.length} executions, ${closed} of them completed by their own attempt (${execs.join(', ')})`,
      );
    }
    // The open windows account for the remaining duplicates; when every execution is an open
    // window, one of them did complete (its completion was in flight), so one is not a duplicate.
    let toExplain = execs.length - 1 - extra;
    for (const execId of open) {
      if (toExplain <= 0) break;
      const cause = windows.get(execId)?.cause ?? 'completion-failed';
      explained[cause] = (explained[cause] ?? 0) + 1;
      toExplain -= 1;
    }
  }
  return { duplicates, explained, unexplained, detail };
}

/**
 * The value at percentile `p` (0-100) of a list, nearest-rank; `undefined` for an empty list.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2
 * ```
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** The figures of one consumer. */
export interface ConsumerFigures {
  readonly consumer: string;
  readonly mode: 'two-phase' | 'transactional';
  readonly partialBatchResponse: boolean;
  /** Logical events (distinct business events, poison included). */
  readonly eventsProduced: number;
  /** Records written to the topics (logical events plus producer duplicates). */
  readonly recordsProduced: number;
  readonly producerDuplicates: number;
  readonly poisonEvents: number;
  /** Invocations of the handler by the event source mapping. */
  readonly deliveries: number;
  /** Records in all deliveries. */
  readonly recordsDelivered: number;
  /** Deliveries of a logical event beyond its first (producer duplicates and redeliveries). */
  readonly duplicatesDelivered: number;
  /** Times a handler ran for an event (the layer's `HandlerDuration` count). */
  readonly handlerInvocations: number;
  /** Effects written (ledger executions; for a transactional consumer, the business table's count). */
  readonly effectsExecuted: number;
  readonly duplicateEffects: number;
  readonly duplicateEffectsExplained: Readonly<Record<string, number>>;
  readonly unexplainedDuplicateEffects: number;
  /** Kills and timeouts that left an effect without its completion: known written / maybe written. */
  readonly openWindowsAtDeath: { readonly effectWritten: number; readonly uncertain: number };
  /** Deliveries that returned with a window open: the completion failed after the effect (store errors, lost leases), or the effect's request went unanswered. */
  readonly openWindowsAtReturn: number;
  /** Windows whose completion, in flight when the worker died, turned out written (not orphans). */
  readonly openWindowsCompleted: number;
  readonly lostEvents: number;
  readonly stuckRecords: number;
  readonly takeovers: number;
  readonly deadLetters: { readonly entries: number; readonly events: number };
  /** Transactional consumers: a handler that found its own effect already written (should be 0). */
  readonly handlerSawOwnEffect: number;
  readonly latencyMs: {
    readonly count: number;
    readonly p50: number | undefined;
    readonly p99: number | undefined;
    readonly max: number | undefined;
  };
  readonly requests: {
    readonly total: number;
    readonly perEvent: number;
    readonly byKind: Readonly<Record<string, number>>;
  };
  readonly capacityUnitsPerEvent: number;
  /** Deaths by kill point, plus `timeout`. */
  readonly kills: Readonly<Record<string, number>>;
  /** Deaths without a black box (crashes): their counters are missing from these figures. */
  readonly deathsWithoutBlackBox: number;
  /** Faults injected by the workers, by kind. */
  readonly faults: Readonly<Record<string, number>>;
  /** The layer's own metrics summed over the deliveries (counts; `*Duration` as numbers of samples). */
  readonly layerMetrics: Readonly<Record<string, number>>;
  /** What went wrong, event by event (the first few of each kind). */
  readonly problems: readonly string[];
}

/** The figures of a whole run. */
export interface ChaosFigures {
  readonly consumers: readonly ConsumerFigures[];
  readonly engineRestarts: number;
  /** Deliveries run by a worker with a skewed clock. */
  readonly skewedDeliveries: number;
  /** Takeovers done by a worker with a skewed clock. */
  readonly skewedTakeovers: number;
  /** Things the driver could not reconcile (bad partial responses, abandoned partitions, unmapped records). */
  readonly anomalies: readonly string[];
}

/** One line of the verdict. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * The fault kinds a run with these options must have seen fire, per consumer or overall.
 *
 * @example
 * ```ts
 * requiredFaults(options); // ['kill:before-claim', ..., 'throttle', 'drop-response', 'engine-restart', ...]
 * ```
 */
export function requiredFaults(options: ChaosOptions): { perConsumer: string[]; overall: string[] } {
  const perConsumer: string[] = [];
  if (options.killRate > 0) perConsumer.push(...KILL_POINTS.map((p) => `kill:${p}`));
  if (options.slowRate > 0) perConsumer.push('timeout');
  if (options.throttleRate > 0) perConsumer.push('throttle');
  if (options.dropRate > 0) perConsumer.push('drop-response');
  if (options.stormRate > 0) perConsumer.push('storm');
  if (options.poison > 0) perConsumer.push('dead-letter');
  const overall: string[] = [];
  if (options.outages > 0) overall.push('engine-restart');
  if (options.skewMs > 0) overall.push('clock-skew');
  if (options.killRate > 0) overall.push('takeover');
  return { perConsumer, overall };
}

/** How many times a fault kind fired for a consumer. */
export function firedCount(figures: ConsumerFigures, kind: string): number {
  if (kind.startsWith('kill:')) return figures.kills[kind.slice(5)] ?? 0;
  if (kind === 'timeout') return figures.kills.timeout ?? 0;
  if (kind === 'storm') {
    return Object.entries(figures.faults)
      .filter(([k]) => k.startsWith('storm:'))
      .reduce((sum, [, n]) => sum + n, 0);
  }
  if (kind === 'dead-letter') return figures.deadLetters.events;
  return figures.faults[kind] ?? 0;
}

/**
 * Judges a run: no lost event, no record stuck in `processing`, no duplicate effect for a
 * transactional consumer, every duplicate effect of a two-phase consumer matched by an open window
 * (a kill or a failed completion between effect and completion), every fault kind fired, and
 * nothing the driver could not reconcile.
 *
 * @example
 * ```ts
 * const checks = verdict(figures, options);
 * process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
 * ```
 */
export function verdict(figures: ChaosFigures, options: ChaosOptions): Check[] {
  const checks: Check[] = [];
  const required = requiredFaults(options);
  for (const c of figures.consumers) {
    checks.push({
      name: `${c.consumer}: no lost event`,
      ok: c.lostEvents === 0,
      detail: `${c.lostEvents} of ${c.eventsProduced} logical events without their effect and a completed/failed record`,
    });
    checks.push({
      name: `${c.consumer}: no record stuck in processing`,
      ok: c.stuckRecords === 0,
      detail: `${c.stuckRecords} records in processing after the drain`,
    });
    if (c.mode === 'transactional') {
      checks.push({
        name: `${c.consumer}: no duplicate effect (transactional)`,
        ok: c.duplicateEffects === 0 && c.handlerSawOwnEffect === 0,
        detail: `${c.duplicateEffects} duplicate effects; ${c.handlerSawOwnEffect} handler runs that found their own effect already written`,
      });
    } else {
      const explainedTotal = Object.values(c.duplicateEffectsExplained).reduce((a, b) => a + b, 0);
      checks.push({
        name: `${c.consumer}: every duplicate effect matches an open effect-to-completion window`,
        ok: c.unexplainedDuplicateEffects === 0,
        detail: `${c.duplicateEffects} duplicate effects, ${explainedTotal} matched (${describeCounts(c.duplicateEffectsExplained)}), ${c.unexplainedDuplicateEffects} unexplained; windows left open by deaths: ${c.openWindowsAtDeath.effectWritten} written + ${c.openWindowsAtDeath.uncertain} uncertain, by failed completions or unanswered effects: ${c.openWindowsAtReturn}`,
      });
    }
    if (options.workers > 1 && (SINGLE_WRITE_CONSUMERS as readonly string[]).includes(c.consumer)) {
      const commits = c.layerMetrics[SINGLE_WRITE_COMMITS] ?? 0;
      checks.push({
        name: `${c.consumer}: single-write commits ran beside claim-first ones`,
        ok: commits > 0,
        detail: `${commits} single-write commits (the workers of odd slots run it in single-write mode)`,
      });
    }
    const missing = required.perConsumer.filter((kind) => firedCount(c, kind) === 0);
    checks.push({
      name: `${c.consumer}: every fault kind fired`,
      ok: missing.length === 0,
      detail:
        missing.length === 0
          ? `${required.perConsumer.length} kinds fired`
          : `never fired: ${missing.join(', ')}`,
    });
    checks.push({
      name: `${c.consumer}: every death left a black box`,
      ok: c.deathsWithoutBlackBox === 0,
      detail: `${c.deathsWithoutBlackBox} workers died without one (crash or hang)`,
    });
  }
  const overallMissing = required.overall.filter((kind) => {
    if (kind === 'engine-restart') return figures.engineRestarts === 0;
    if (kind === 'clock-skew') return figures.skewedDeliveries === 0;
    if (kind === 'takeover') return figures.consumers.every((c) => c.takeovers === 0);
    return false;
  });
  checks.push({
    name: 'run: engine restart, clock skew and takeovers happened',
    ok: overallMissing.length === 0,
    detail:
      overallMissing.length === 0
        ? `${figures.engineRestarts} engine restarts, ${figures.skewedDeliveries} deliveries on skewed clocks (${figures.skewedTakeovers} takeovers by them), ${figures.consumers.reduce((s, c) => s + c.takeovers, 0)} takeovers`
        : `never happened: ${overallMissing.join(', ')}`,
  });
  checks.push({
    name: 'run: nothing the driver could not reconcile',
    ok: figures.anomalies.length === 0,
    detail: figures.anomalies.length === 0 ? 'none' : figures.anomalies.slice(0, 5).join('; '),
  });
  return checks;
}

function describeCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} ${n}`).join(', ');
}

const LAYER_METRICS_SHOWN = [
  'Processed',
  'Duplicate',
  'InProgressElsewhere',
  'Takeover',
  'LeaseLost',
  'Released',
  'Retryable',
  'StoreError',
  'DeadLettered',
  'Failed',
];

/** The JSON report. */
export interface ChaosReport {
  readonly options: ChaosOptions;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly workers: {
    readonly spawns: number;
    readonly startupMsP50: number | undefined;
    readonly startupMsMax: number | undefined;
  };
  readonly engine: { readonly restarts: number; readonly downMs: readonly number[] };
  /** With `--broker kafka`: the local broker's restarts, start time and memory, records delivered by the emulator. */
  readonly broker?: {
    readonly kind: 'kafka';
    readonly restarts: number;
    readonly downMs: readonly number[];
    readonly startMs: number;
    readonly rssMb: number | undefined;
    readonly delivered: number;
  };
  readonly figures: ChaosFigures;
  readonly checks: readonly Check[];
  readonly ok: boolean;
}

/**
 * Formats the report for people.
 *
 * @example
 * ```ts
 * console.log(formatReport(report));
 * ```
 */
export function formatReport(report: ChaosReport): string {
  const o = report.options;
  const lines: string[] = [];
  const row = (label: string, value: string | number) => lines.push(`  ${label.padEnd(34)} ${value}`);
  lines.push(
    `Chaos run: ${o.events} events, ${o.workers} workers, batch ${o.batchSize}, ${o.partitions} partitions/topic, duplicate rate ${o.duplicateRate}, kill rate ${o.killRate}, seed ${o.seed}`,
  );
  lines.push(
    `  wall time ${(report.durationMs / 1000).toFixed(1)} s; ${report.workers.spawns} worker processes started (startup p50 ${report.workers.startupMsP50 ?? '-'} ms); DynamoDB Local restarted ${report.engine.restarts}x (down ${report.engine.downMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ') || '-'})`,
  );
  if (report.broker) {
    const b = report.broker;
    lines.push(
      `  records on the local Kafka broker through the emulator (started in ${b.startMs} ms, ${b.rssMb ?? '-'} MB resident); broker restarted ${b.restarts}x (back after ${b.downMs.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ') || '-'}); ${b.delivered} records delivered`,
    );
  }
  for (const c of report.figures.consumers) {
    lines.push('');
    lines.push(
      `${c.consumer} (${c.mode}, ${c.partialBatchResponse ? 'partial batch response' : 'whole-batch retry'})`,
    );
    row('events produced (logical)', `${c.eventsProduced} (${c.poisonEvents} poison)`);
    row('records produced', `${c.recordsProduced} (${c.producerDuplicates} producer duplicates)`);
    row('deliveries (invocations)', c.deliveries);
    row('records delivered', `${c.recordsDelivered} (${c.duplicatesDelivered} duplicates delivered)`);
    row('handler invocations', c.handlerInvocations);
    row('effects executed', c.effectsExecuted);
    row(
      'duplicate effects',
      c.mode === 'transactional'
        ? `${c.duplicateEffects} (handler found its own effect: ${c.handlerSawOwnEffect})`
        : `${c.duplicateEffects} (matched: ${describeCounts(c.duplicateEffectsExplained)}; unexplained ${c.unexplainedDuplicateEffects})`,
    );
    if (c.mode === 'two-phase') {
      row(
        'effect->completion windows left open',
        `${c.openWindowsAtDeath.effectWritten} by deaths after the effect (+${c.openWindowsAtDeath.uncertain} in flight), ${c.openWindowsAtReturn} by failed completions or unanswered effects; ${c.openWindowsCompleted} of them completed after all`,
      );
    }
    row('lost events', c.lostEvents);
    row('stuck in processing after drain', c.stuckRecords);
    row('takeovers', c.takeovers);
    row('dead letters', `${c.deadLetters.entries} entries for ${c.deadLetters.events} events`);
    row(
      'claim->complete latency',
      `p50 ${fmt(c.latencyMs.p50)} ms, p99 ${fmt(c.latencyMs.p99)} ms, max ${fmt(c.latencyMs.max)} ms (${c.latencyMs.count} completions)`,
    );
    row('DynamoDB requests per event', `${c.requests.perEvent.toFixed(2)} (${c.requests.total} attempts)`);
    row(
      'requests by kind',
      Object.entries(c.requests.byKind)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', '),
    );
    row('capacity units per event', c.capacityUnitsPerEvent.toFixed(2));
    row('kills (SIGKILL) by point', describeCounts(c.kills));
    row('faults injected', describeCounts(c.faults));
    row(
      'layer metrics',
      describeCounts(
        Object.fromEntries(
          LAYER_METRICS_SHOWN.map((name) => [name, c.layerMetrics[name] ?? 0]).filter(([, n]) => n !== 0),
        ),
      ),
    );
    for (const p of c.problems.slice(0, 10)) lines.push(`  ! ${p}`);
  }
  lines.push('');
  lines.push('Verdict');
  for (const check of report.checks)
    lines.push(`  ${check.ok ? 'PASS' : 'FAIL'}  ${check.name}: ${check.detail}`);
  lines.push('');
  lines.push(report.ok ? 'CHAOS RUN PASSED' : 'CHAOS RUN FAILED');
  return lines.join('\n');
}

function fmt(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(1);
}
