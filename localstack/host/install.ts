/**
 * `npm run localstack:install`: installs LocalStack (the pinned `localstack-core` of
 * `requirements.txt`, every dependency held by `constraints.txt`) into a virtual environment
 * under `.local/localstack/venv`, for host mode (no Docker). Does nothing when that venv already
 * holds these exact requirements, checked by a stamp file with their hash.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { runMain, usageErrors } from '../../scripts/lib/cli';
import { isProcessAlive } from '../../scripts/lib/processes';
import { LocalStackInstallError } from './errors';
import { installLambdaHost } from './lambda-host';
import {
  CONSTRAINTS_FILE,
  DEFAULT_VENV_DIR,
  pinnedLocalStackVersion,
  REQUIREMENTS_FILE,
  shownPath,
  venvPython,
} from './paths';
import { findPython } from './python';

/** Options of {@link installLocalStack}. */
export interface InstallOptions {
  /**
   * The virtual environment to create or check.
   * @default `.local/localstack/venv`
   */
  readonly venvDir?: string;
  /**
   * The interpreter that creates the venv.
   * @default the first of {@link findPython}
   */
  readonly python?: string;
  /**
   * Reinstall even when the stamp says the venv is up to date.
   * @default false
   */
  readonly force?: boolean;
  /**
   * Also install host-mode Lambda (`lambda-host.ts`: the RIE, aws-lambda-ric, the executor plugin).
   * @default true
   */
  readonly lambda?: boolean;
  /**
   * Receives each progress line (no trailing newline).
   * @default writes to stderr
   */
  readonly log?: (line: string) => void;
}

/** What {@link installLocalStack} found or did. */
export interface InstallResult {
  /** The venv's interpreter, the one that runs LocalStack. */
  readonly python: string;
  /** The installed `localstack-core` version. */
  readonly version: string;
  /** `false` when the venv was already up to date and nothing was installed. */
  readonly installed: boolean;
  /** Time taken, in ms. */
  readonly durationMs: number;
}

/** The stamp a finished install leaves in the venv. */
interface Stamp {
  readonly requirementsSha256: string;
  readonly localstackVersion: string;
  readonly python: string;
  readonly installedAt: string;
}

const STAMP_FILE = '.localstack-install.json';
const LOCK_WAIT_MS = 15 * 60_000;

/**
 * The SHA-256 of what the requirements and constraints files require (comments and blank lines
 * left out, so that editing a comment does not reinstall): the stamp an install leaves, and what
 * a later run compares to decide whether to reinstall.
 *
 * @example
 * ```ts
 * requirementsHash(); // '5d41402abc4b2a76b9719d911017c592...'
 * ```
 */
export function requirementsHash(files: readonly string[] = [REQUIREMENTS_FILE, CONSTRAINTS_FILE]): string {
  const hash = createHash('sha256');
  for (const file of files) {
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
      .filter((line) => line !== '');
    hash.update(lines.join('\n')).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Makes sure the venv holds the pinned LocalStack: returns at once when its stamp matches the
 * requirements and the venv's `localstack-core` is the pinned version; otherwise finds Python
 * (>= 3.13), recreates the venv and pip-installs `requirements.txt`, printing progress (pip's own
 * output goes to `install.log` beside the venv). Two installs at once wait for each other. Then,
 * unless `lambda: false`, installs host-mode Lambda (each part only when missing or stale).
 *
 * @example
 * ```ts
 * const { python, installed } = await installLocalStack();
 * console.log(installed ? 'installed' : 'already there', python);
 * ```
 */
export async function installLocalStack(options: InstallOptions = {}): Promise<InstallResult> {
  const result = await installVenv(options);
  if (options.lambda ?? true) {
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const venvDir = options.venvDir ?? DEFAULT_VENV_DIR;
    const release = await acquireLock(join(dirname(venvDir), 'install.lock'), log);
    try {
      await installLambdaHost(venvDir, log);
    } finally {
      release();
    }
  }
  return result;
}

async function installVenv(options: InstallOptions): Promise<InstallResult> {
  const started = Date.now();
  const venvDir = options.venvDir ?? DEFAULT_VENV_DIR;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const version = pinnedLocalStackVersion();
  const hash = requirementsHash();
  const upToDate = () => !options.force && installedVersion(venvDir, hash) === version;

  if (upToDate()) {
    log(`LocalStack ${version} is installed in ${shownPath(venvDir)} (requirements unchanged).`);
    return { python: venvPython(venvDir), version, installed: false, durationMs: Date.now() - started };
  }
  mkdirSync(dirname(venvDir), { recursive: true });
  const release = await acquireLock(join(dirname(venvDir), 'install.lock'), log);
  try {
    if (upToDate()) {
      log(`LocalStack ${version} was installed in ${shownPath(venvDir)} by another run.`);
      return { python: venvPython(venvDir), version, installed: false, durationMs: Date.now() - started };
    }
    const base = options.python ?? findPython().executable;
    const baseVersion = run(base, ['-c', 'import sys; print(sys.version.split()[0])']).trim();
    log(`Creating a virtual environment in ${shownPath(venvDir)} with Python ${baseVersion} (${base}).`);
    rmSync(venvDir, { recursive: true, force: true });
    run(base, ['-m', 'venv', venvDir]);

    const logFile = join(dirname(venvDir), 'install.log');
    log(
      `Installing localstack-core ${version} and its pinned dependencies with pip ` +
        `(a cold install takes 1 to 3 minutes; pip's output: ${shownPath(logFile)}).`,
    );
    await pipInstall(venvPython(venvDir), logFile, log);

    const found = installedVersion(venvDir, undefined);
    if (found !== version) {
      throw new LocalStackInstallError(
        `pip finished but ${shownPath(venvDir)} holds localstack-core ${found ?? 'nothing'}, not ${version}; see ${shownPath(logFile)}.`,
      );
    }
    // The import cbor2 6 broke: it fails here rather than at the first start.
    run(venvPython(venvDir), ['-c', 'import localstack.aws.components, localstack.runtime.main']);
    const stamp: Stamp = {
      requirementsSha256: hash,
      localstackVersion: version,
      python: baseVersion,
      installedAt: new Date().toISOString(),
    };
    writeFileSync(join(venvDir, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
    const durationMs = Date.now() - started;
    log(`Installed LocalStack ${version} in ${Math.round(durationMs / 1000)} s.`);
    return { python: venvPython(venvDir), version, installed: true, durationMs };
  } finally {
    release();
  }
}

/**
 * The venv's `localstack-core` version when its stamp carries `hash` (any stamp when `hash` is
 * undefined), else undefined.
 */
function installedVersion(venvDir: string, hash: string | undefined): string | undefined {
  if (hash !== undefined) {
    let stamp: Partial<Stamp>;
    try {
      stamp = JSON.parse(readFileSync(join(venvDir, STAMP_FILE), 'utf8')) as Partial<Stamp>;
    } catch {
      return undefined;
    }
    if (stamp.requirementsSha256 !== hash) return undefined;
  }
  const probe = spawnSync(
    venvPython(venvDir),
    ['-c', 'import importlib.metadata as m; print(m.version("localstack-core"))'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/** Runs a command to completion; throws a {@link LocalStackInstallError} with its output on failure. */
function run(command: string, args: readonly string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10 * 60_000 });
  if (result.error !== undefined || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new LocalStackInstallError(
      `\`${command} ${args.join(' ')}\` failed (${result.error?.message ?? `exit code ${result.status}`}):\n${output}`,
      { cause: result.error },
    );
  }
  return result.stdout;
}

/** `pip install -r requirements.txt` with its output in `logFile`, a progress line every 15 s. */
async function pipInstall(python: string, logFile: string, log: (line: string) => void): Promise<void> {
  const fd = openSync(logFile, 'w');
  const child = spawn(
    python,
    ['-m', 'pip', 'install', '--no-input', '--progress-bar', 'off', '-r', REQUIREMENTS_FILE],
    {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONUNBUFFERED: '1' },
    },
  );
  closeSync(fd);
  const started = Date.now();
  const timer = setInterval(() => {
    const collected = (readFileSync(logFile, 'utf8').match(/^Collecting /gm) ?? []).length;
    log(`  ... ${Math.round((Date.now() - started) / 1000)} s, ${collected} packages collected`);
  }, 15_000);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  }).finally(() => clearInterval(timer));
  if (code !== 0) {
    const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-20).join('\n');
    throw new LocalStackInstallError(
      `pip install -r ${shownPath(REQUIREMENTS_FILE)} exited with code ${code} (full output: ${shownPath(logFile)}):\n${tail}`,
    );
  }
}

/**
 * Takes the install lock (a file holding the owner's PID); waits while a live process holds it,
 * takes over one left by a dead process. Returns the release function.
 */
async function acquireLock(file: string, log: (line: string) => void): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readFileSync(file, 'utf8').trim());
    if (!Number.isSafeInteger(owner) || owner <= 0 || !isProcessAlive(owner)) {
      unlinkSync(file);
      continue;
    }
    if (Date.now() > deadline) {
      throw new LocalStackInstallError(
        `Another install (pid ${owner}) has held ${shownPath(file)} for ${LOCK_WAIT_MS / 60_000} minutes; stop it or delete the file.`,
      );
    }
    if (!told) log(`Waiting for another LocalStack install (pid ${owner}) to finish.`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/**
 * The `--help` text of `npm run localstack:install`.
 *
 * @example
 * ```ts
 * process.stdout.write(INSTALL_USAGE);
 * ```
 */
export const INSTALL_USAGE = `Usage: npm run localstack:install -- [--force]

Installs LocalStack for host mode (no Docker) into .local/localstack/venv: localstack-core
${pinnedLocalStackVersion()} and the pins of localstack/host/requirements.txt, with the first Python >= 3.13
found (LOCALSTACK_PYTHON, python3.13, ~/.pyenv/versions/3.13+, python3). Then host-mode Lambda:
the Runtime Interface Emulator (go install, Go 1.21+) and aws-lambda-ric (npm, a native build)
into .local/lambda-host, the executor plugin and pytest into the venv.
Does nothing when each is already there; --force reinstalls the venv.
`;

/**
 * Runs the install from command-line arguments; returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runInstall(['--force']);
 * ```
 */
export async function runInstall(argv: readonly string[]): Promise<number> {
  const values = usageErrors(
    () =>
      parseArgs({
        args: [...argv],
        strict: true,
        options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      }).values,
  );
  if (values.help) {
    process.stdout.write(INSTALL_USAGE);
    return 0;
  }
  const result = await installLocalStack({ force: values.force ?? false });
  process.stdout.write(`LocalStack ${result.version}: ${shownPath(result.python)}\n`);
  return 0;
}

if (require.main === module)
  runMain(() => runInstall(process.argv.slice(2)), 'npm run localstack:install -- --help');
