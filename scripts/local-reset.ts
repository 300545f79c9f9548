/**
 * `npm run local:reset`: deletes the local state under `.local/` (the file-backed DynamoDB Local
 * database and the dead-letter file), so that the next `npm run invoke` starts from empty tables.
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { runMain } from './lib/cli';
import { LOCAL_DIR, REPO_ROOT } from './lib/local';

/**
 * Deletes `.local/` and says what it held. Returns the exit code (always 0).
 *
 * @example
 * ```ts
 * await resetLocalState();
 * ```
 */
export async function resetLocalState(dir: string = LOCAL_DIR): Promise<number> {
  const shown = dir.replace(`${REPO_ROOT}/`, '');
  if (!existsSync(dir)) {
    process.stdout.write(`Nothing to reset: ${shown}/ does not exist.\n`);
    return 0;
  }
  const entries = await readdir(dir);
  await rm(dir, { recursive: true, force: true });
  process.stdout.write(
    `Removed ${shown}/ (${entries.join(', ') || 'empty'}): local tables and dead letters start empty next time.\n`,
  );
  return 0;
}

if (require.main === module) runMain(() => resetLocalState(), 'npm run local:reset');
