import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../scripts/lib/local';

/** What a script run as a child process printed, and how it exited. */
export interface ScriptRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `scripts/<name>.ts` with tsx in a child process, as `npm run` would, with extra environment
 * variables on top of this process's.
 *
 * @example
 * ```ts
 * const run = await runScript('invoke', ['spellchecker', 'events/spellchecker-poison.json'], { DYNAMODB_ENDPOINT: endpoint });
 * ```
 */
export function runScript(
  name: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): Promise<ScriptRun> {
  const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  return new Promise((resolve, reject) => {
    execFile(
      tsx,
      [join(REPO_ROOT, 'scripts', `${name}.ts`), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (error && typeof error.code !== 'number') {
          reject(new Error(`scripts/${name}.ts did not run: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * The last non-empty line of a script's stdout, parsed as JSON.
 *
 * @example
 * ```ts
 * expect(lastJsonLine(run.stdout)).toMatchObject({ processed: 2 });
 * ```
 */
export function lastJsonLine(stdout: string): unknown {
  const last = stdout.trimEnd().split('\n').at(-1);
  if (last === undefined) throw new Error('expected output on stdout, found none');
  return JSON.parse(last);
}
