/**
 * Finds a Python interpreter LocalStack runs on. localstack-core 4.14.0 declares Python 3.10, but
 * it imports `warnings.deprecated` (new in 3.13: on 3.12.1 the S3 provider, among others, stops
 * LocalStack at start), and its DynamoDB provider fails on 3.11; so the floor here is 3.13. The
 * interpreter must also have the `venv` module (Debian and Ubuntu ship it apart, as
 * `python3.X-venv`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PythonNotFoundError } from './errors';

/** The oldest Python minor version (3.x) accepted. */
export const MIN_PYTHON_MINOR = 13;

/** A usable interpreter. */
export interface FoundPython {
  /** The command or path it was found as. */
  readonly command: string;
  /** `sys.executable`: the interpreter's absolute path. */
  readonly executable: string;
  /** `major.minor.micro`, e.g. `3.13.0`. */
  readonly version: string;
}

/** Options of {@link findPython}. */
export interface FindPythonOptions {
  /**
   * Commands or paths to try, in order.
   * @default {@link pythonCandidates} of `env`
   */
  readonly candidates?: readonly string[];
  /**
   * Environment read for `LOCALSTACK_PYTHON`, `PYENV_ROOT` and `PATH`.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
}

/** Prints the version, the executable, and whether `venv` (with `ensurepip`) can be imported. */
const PROBE = [
  'import sys',
  'print("%d.%d.%d" % sys.version_info[:3])',
  'print(sys.executable)',
  'try:',
  '    import venv, ensurepip',
  '    print("venv")',
  'except ImportError:',
  '    print("no-venv")',
].join('\n');

/**
 * The interpreters to try, in order: only `LOCALSTACK_PYTHON` when it is set (a wrong one fails
 * rather than being passed over); else `python3.13` on the `PATH`, pyenv's
 * `versions/3.X.Y/bin/python3` for X >= 13 (3.13 first, the one tested, then newer minors; newest
 * patch first), and last `python3` on the `PATH`. pyenv's versions are found without being
 * activated (its shims refuse a version that is not).
 *
 * @example
 * ```ts
 * pythonCandidates({ PYENV_ROOT: '/root/.pyenv' });
 * // ['python3.13', '/root/.pyenv/versions/3.13.0/bin/python3', 'python3']
 * ```
 */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const explicit = env.LOCALSTACK_PYTHON?.trim();
  if (explicit) return [explicit];
  const pyenvVersions = join(env.PYENV_ROOT?.trim() || join(homedir(), '.pyenv'), 'versions');
  const pyenv = existsSync(pyenvVersions)
    ? readdirSync(pyenvVersions)
        .map((name) => ({ name, parts: /^3\.(\d+)\.(\d+)$/.exec(name) }))
        .filter((v) => v.parts !== null && Number(v.parts[1]) >= MIN_PYTHON_MINOR)
        .map((v) => ({ name: v.name, minor: Number(v.parts?.[1]), micro: Number(v.parts?.[2]) }))
        .sort((a, b) => rank(a.minor) - rank(b.minor) || b.micro - a.micro)
        .map((v) => join(pyenvVersions, v.name, 'bin', 'python3'))
    : [];
  return ['python3.13', ...pyenv, 'python3'];
}

/** 3.13 (tested) before newer minors (untested), newer before older among those. */
function rank(minor: number): number {
  return minor === 13 ? -1 : 100 - minor;
}

/**
 * The first candidate that runs, is Python 3.13 or newer and has the `venv` module. Throws a
 * {@link PythonNotFoundError} that lists each candidate with why it was refused, and what to
 * install.
 *
 * @example
 * ```ts
 * const python = findPython();
 * console.log(`Python ${python.version} at ${python.executable}`);
 * ```
 */
export function findPython(options: FindPythonOptions = {}): FoundPython {
  const env = options.env ?? process.env;
  const candidates = options.candidates ?? pythonCandidates(env);
  const refused: string[] = [];
  for (const command of candidates) {
    const probe = spawnSync(command, ['-c', PROBE], { encoding: 'utf8', env, timeout: 20_000 });
    if (probe.error !== undefined) {
      const code = (probe.error as NodeJS.ErrnoException).code;
      refused.push(`${command}: ${code === 'ENOENT' ? 'not found' : probe.error.message}`);
      continue;
    }
    if (probe.status !== 0) {
      const reason = `${probe.stderr}${probe.stdout}`.trim().split('\n')[0] ?? '';
      refused.push(`${command}: exit code ${probe.status}${reason ? ` (${reason})` : ''}`);
      continue;
    }
    const [version = '', executable = '', venv = ''] = probe.stdout.trim().split('\n');
    const [major, minor] = version.split('.').map(Number);
    if (major !== 3 || minor === undefined || minor < MIN_PYTHON_MINOR) {
      refused.push(`${command}: Python ${version}, older than 3.${MIN_PYTHON_MINOR}`);
      continue;
    }
    if (venv !== 'venv') {
      refused.push(
        `${command}: Python ${version} without the venv module (Debian/Ubuntu: apt-get install python3.${minor}-venv)`,
      );
      continue;
    }
    return { command, executable, version };
  }
  throw new PythonNotFoundError(
    `LocalStack needs Python 3.${MIN_PYTHON_MINOR} or newer with the venv module, and none was found ` +
      '(localstack-core declares 3.10, but imports warnings.deprecated, new in 3.13). Tried:\n' +
      refused.map((line) => `  - ${line}`).join('\n') +
      '\nInstall one, then run again:\n' +
      '  - Debian/Ubuntu: apt-get install -y python3.13 python3.13-venv (Debian 13, Ubuntu 25.04; Ubuntu 24.04 and older: the deadsnakes PPA)\n' +
      '  - macOS: brew install python@3.13\n' +
      '  - pyenv: pyenv install 3.13 (found under ~/.pyenv/versions without being activated)\n' +
      'or point LOCALSTACK_PYTHON at an interpreter, e.g. LOCALSTACK_PYTHON=/opt/python3.13/bin/python3.',
  );
}
