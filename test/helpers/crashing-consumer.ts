/**
 * A worker that crashes for real: run as a child process (`node --import tsx`), it builds a
 * consumer's real handler from its environment (`consumer.create()`), processes one MSK event from a file
 * with a Lambda context of 50 ms left, and kills itself with SIGKILL at a chosen DynamoDB request.
 *
 * Environment, besides the consumer's own (`IDEMPOTENCY_TABLE_NAME`, `DYNAMODB_ENDPOINT`, ...):
 * - `CRASH_CONSUMER`: `essay-lifecycle` or `spellchecker`;
 * - `CRASH_EVENT_FILE`: path of the MSK event (JSON);
 * - `CRASH_AT`: `<before|after>:<Operation>:<n>`: kill before the n-th request of that operation is
 *   sent, or right after its response arrives (`after:TransactWriteItems:10`).
 *
 * Exits with code 3 when the event was processed without reaching the crash point.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MSKEvent } from 'aws-lambda';
import { MANIFESTS } from '../../functions/manifests';
import {
  type Consumer,
  type ConsumerManifest,
  consumerInMode,
  createDocumentClient,
  requireEnv,
} from '../../shared/internal';
import { LOCAL_AWS } from '../../tools/testing/dynamodb-local';

/** Where the child kills itself. */
interface CrashPoint {
  readonly phase: 'before' | 'after';
  readonly operation: string;
  readonly nth: number;
}

/** Parses `CRASH_AT`: `after:PutItem:8` → `{ phase: 'after', operation: 'PutItem', nth: 8 }`. */
function parseCrashPoint(text: string): CrashPoint {
  const match = /^(before|after):([A-Za-z]+):(\d+)$/.exec(text);
  const [, phase, operation, nth] = match ?? [];
  if ((phase !== 'before' && phase !== 'after') || operation === undefined || nth === undefined) {
    throw new TypeError(`CRASH_AT must look like after:TransactWriteItems:10, got ${JSON.stringify(text)}.`);
  }
  return { phase, operation, nth: Number(nth) };
}

async function main(): Promise<void> {
  const crash = parseCrashPoint(requireEnv('CRASH_AT'));
  const event = JSON.parse(readFileSync(requireEnv('CRASH_EVENT_FILE'), 'utf8')) as MSKEvent;
  const consumer = requireEnv('CRASH_CONSUMER');

  const client = createDocumentClient({ ...LOCAL_AWS, endpoint: requireEnv('DYNAMODB_ENDPOINT') });
  let seen = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (String(context.commandName ?? '').replace(/Command$/, '') !== crash.operation) return next(args);
      seen += 1;
      const mine = seen;
      if (mine === crash.nth && crash.phase === 'before') process.kill(process.pid, 'SIGKILL');
      const result = await next(args);
      if (mine === crash.nth && crash.phase === 'after') process.kill(process.pid, 'SIGKILL');
      return result;
    },
    { step: 'finalizeRequest', name: 'crashAt' },
  );

  const services = MANIFESTS.map((m) => m.service);
  if (!services.includes(consumer)) {
    throw new TypeError(
      `CRASH_CONSUMER must be one of ${services.join(', ')}, got ${JSON.stringify(consumer)}.`,
    );
  }
  const module = (await import(join(__dirname, '..', '..', 'functions', consumer, 'handler.ts'))) as {
    consumer: Consumer<ConsumerManifest>;
  };
  // CRASH_MODE: the same consumer in another mode (its manifest's, by default).
  const mode = process.env.CRASH_MODE as ConsumerManifest['mode'] | undefined;
  const handler = (mode ? consumerInMode(module.consumer, mode) : module.consumer).create({ client });

  await handler.process(event, { getRemainingTimeInMillis: () => 50 });
  process.stderr.write(`processed the event without reaching ${requireEnv('CRASH_AT')}\n`);
  process.exitCode = 3;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
});
