import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { MSKEvent } from 'aws-lambda';
import { ENV } from '../../shared/internal';
import { testEndpoint } from './dynamo';

/** How a crashing worker ended. */
export interface CrashOutcome {
  /** Exit code, `null` when killed by a signal. */
  readonly code: number | null;
  /** The signal that ended it (`SIGKILL` when it crashed where asked). */
  readonly signal: NodeJS.Signals | null;
  /** What it wrote to stderr (for a failure message). */
  readonly stderr: string;
}

/** What {@link runCrashingConsumer} needs. */
export interface CrashRun {
  readonly consumer: 'essay-lifecycle' | 'spellchecker';
  /** `<before|after>:<Operation>:<n>`. */
  readonly crashAt: string;
  readonly event: MSKEvent;
  /** A folder for the event file and the dead letters. */
  readonly dir: string;
  /** The consumer's environment: table names (the endpoint, lease margin and dead letters are added). */
  readonly env: Readonly<Record<string, string>>;
  /** Run the consumer in this mode instead of its manifest's. @default its manifest's */
  readonly mode?: 'transactional' | 'two-phase' | 'transactional-single-write';
}

const REPO = resolve(__dirname, '../..');
const SCRIPT = join(REPO, 'test/helpers/crashing-consumer.ts');

/**
 * Runs the real handler of a consumer in a child process (`node --import tsx`) against the test
 * DynamoDB Local, with a lease of 50 ms (a context with 50 ms left, margin 0), and resolves when the
 * child has ended: killed by SIGKILL at the chosen request, or not.
 */
export async function runCrashingConsumer(run: CrashRun): Promise<CrashOutcome> {
  const eventFile = join(run.dir, 'event.json');
  await writeFile(eventFile, JSON.stringify(run.event), 'utf8');
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      ...run.env,
      CRASH_CONSUMER: run.consumer,
      CRASH_AT: run.crashAt,
      CRASH_EVENT_FILE: eventFile,
      ...(run.mode ? { CRASH_MODE: run.mode } : {}),
      [ENV.DYNAMODB_ENDPOINT]: testEndpoint(),
      [ENV.DEAD_LETTER_QUEUE_URL]: `file://${join(run.dir, 'dead-letters.jsonl')}`,
      [ENV.LEASE_MARGIN_MS]: '0',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolveOutcome, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolveOutcome({ code, signal, stderr }));
  });
}
