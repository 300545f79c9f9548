/**
 * A Lambda execution environment for the emulator: a child process (forked by
 * `tools/kafka/emulator.ts`, run by Node's own type stripping, so it imports nothing but Node)
 * that loads one function bundle with the function's environment and invokes its `handler` export
 * with each event it is sent, a Lambda-like context (remaining time from the deadline), and sends
 * back the response or the error, with the log lines the invocation wrote.
 *
 * Protocol: argv[2] is the bundle's path; the parent sends `{ id, event, deadline, requestId,
 * functionName, memoryMb, timeoutMs }` and receives `{ id, ok, response?, error?, logs }`.
 */
import { createRequire } from 'node:module';

interface Invocation {
  readonly id: number;
  readonly event: unknown;
  readonly deadline: number;
  readonly requestId: string;
  readonly functionName: string;
  readonly memoryMb: number;
}

let logs: string[] = [];
let pending = '';
// The handler's log lines (Powertools writes JSON lines to stdout and stderr) go back with its result.
const capture = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
  pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  logs.push(...lines.filter((l) => l.length > 0));
  const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
  callback?.();
  return true;
}) as typeof process.stdout.write;
process.stdout.write = capture;
process.stderr.write = capture;

const bundle = process.argv[2];
if (!bundle) throw new Error('lambda-worker: the bundle path is required as the first argument.');
const loaded = createRequire(process.argv[1] ?? bundle)(bundle) as { handler?: unknown };
const handler = loaded.handler;
if (typeof handler !== 'function') throw new Error(`lambda-worker: ${bundle} exports no handler function.`);

process.on('message', (message: Invocation) => {
  logs = [];
  const context = {
    functionName: message.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${message.functionName}`,
    memoryLimitInMB: String(message.memoryMb),
    awsRequestId: message.requestId,
    logGroupName: `/aws/lambda/${message.functionName}`,
    logStreamName: `local/${process.pid}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  Promise.resolve()
    .then(() => (handler as (event: unknown, context: unknown) => unknown)(message.event, context))
    .then(
      (response) => {
        if (pending) logs.push(pending);
        pending = '';
        process.send?.({ id: message.id, ok: true, response: response ?? null, logs });
      },
      (error: unknown) => {
        if (pending) logs.push(pending);
        pending = '';
        const e =
          error instanceof Error
            ? { name: error.name, message: error.message }
            : { name: 'Error', message: String(error) };
        process.send?.({ id: message.id, ok: false, error: e, logs });
      },
    );
});
process.send?.({ ready: true });
