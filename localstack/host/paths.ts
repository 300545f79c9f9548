/**
 * Where host-mode LocalStack lives: everything it installs or writes is under the project's
 * git-ignored `.local/localstack/` or a temporary folder, never in the user's home.
 */
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** The repository root. */
export const PROJECT_ROOT = resolve(__dirname, '..', '..');

/**
 * `.local/localstack/`: the virtual environment, the install log and lock, and LocalStack's own
 * home folder (its plugin cache).
 *
 * @example
 * ```ts
 * join(LOCALSTACK_DIR, 'install.log');
 * ```
 */
export const LOCALSTACK_DIR = join(PROJECT_ROOT, '.local', 'localstack');

/**
 * The virtual environment `npm run localstack:install` creates.
 *
 * @example
 * ```ts
 * const python = venvPython(DEFAULT_VENV_DIR);
 * ```
 */
export const DEFAULT_VENV_DIR = join(LOCALSTACK_DIR, 'venv');

/**
 * `HOME` (and `XDG_CACHE_HOME` under it) of every LocalStack process, so that its plugin index
 * (plux writes one to `~/.cache/plux`) and any `~/.localstack` stay inside the project.
 *
 * @example
 * ```ts
 * spawn(python, args, { env: { HOME: LOCALSTACK_HOME_DIR } });
 * ```
 */
export const LOCALSTACK_HOME_DIR = join(LOCALSTACK_DIR, 'home');

/**
 * The pinned requirements (committed beside this file); they name `constraints.txt`.
 *
 * @example
 * ```ts
 * pinnedLocalStackVersion(readFileSync(REQUIREMENTS_FILE, 'utf8')); // '4.14.0'
 * ```
 */
export const REQUIREMENTS_FILE = join(__dirname, 'requirements.txt');

/**
 * Every transitive dependency at the version tested (`pip freeze`).
 *
 * @example
 * ```ts
 * readFileSync(CONSTRAINTS_FILE, 'utf8');
 * ```
 */
export const CONSTRAINTS_FILE = join(__dirname, 'constraints.txt');

/**
 * The Python interpreter of a virtual environment (Linux and macOS layout).
 *
 * @example
 * ```ts
 * venvPython('/repo/.local/localstack/venv'); // '/repo/.local/localstack/venv/bin/python'
 * ```
 */
export function venvPython(venvDir: string): string {
  return join(venvDir, 'bin', 'python');
}

/**
 * The `localstack-core` version pinned in a requirements file's text. Throws a `TypeError` when
 * the file pins none, so that the pin cannot be dropped by accident.
 *
 * @example
 * ```ts
 * pinnedLocalStackVersion('localstack-core[runtime]==4.14.0\n'); // '4.14.0'
 * ```
 */
export function pinnedLocalStackVersion(
  requirements: string = readFileSync(REQUIREMENTS_FILE, 'utf8'),
): string {
  const match = /^localstack-core(?:\[[^\]]*\])?==(\S+)\s*$/m.exec(requirements);
  if (match?.[1] === undefined) {
    throw new TypeError(
      `${REQUIREMENTS_FILE} must pin localstack-core with ==, e.g. "localstack-core[runtime]==4.14.0".`,
    );
  }
  return match[1];
}

/**
 * A path as a person reads it: relative to the project when inside it.
 *
 * @example
 * ```ts
 * shownPath(DEFAULT_VENV_DIR); // '.local/localstack/venv'
 * ```
 */
export function shownPath(path: string): string {
  const inside = relative(PROJECT_ROOT, path);
  return inside !== '' && !inside.startsWith('..') ? inside : path;
}
