/**
 * `npm run localstack:up` and `npm run localstack:down`: LocalStack in Docker (the compose file)
 * when a Docker daemon answers, else in host mode (`npm run localstack:host`, in the foreground
 * until Ctrl-C, since a host-mode LocalStack lives as long as the process that started it).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runMain } from '../scripts/lib/cli';
import { runLocalStackHost } from './host/cli';

const COMPOSE_FILE = join(__dirname, 'docker-compose.yml');

/**
 * `true` when `docker info` succeeds (a client and a daemon it can reach).
 *
 * @example
 * ```ts
 * if (!dockerAvailable()) console.log('host mode');
 * ```
 */
export function dockerAvailable(run: typeof spawnSync = spawnSync): boolean {
  const probe = run('docker', ['info', '--format', '{{.ServerVersion}}'], {
    stdio: 'ignore',
    timeout: 15_000,
  });
  return probe.error === undefined && probe.status === 0;
}

/**
 * Runs `localstack:up` (`down` = false) or `localstack:down`; returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runUp(false, ['--port', '4566']);
 * ```
 */
export async function runUp(down: boolean, argv: readonly string[]): Promise<number> {
  if (dockerAvailable()) {
    const args = down
      ? ['compose', '-f', COMPOSE_FILE, 'down']
      : ['compose', '-f', COMPOSE_FILE, 'up', '-d', '--wait'];
    return spawnSync('docker', args, { stdio: 'inherit' }).status ?? 1;
  }
  if (down) {
    process.stdout.write(
      'No Docker here: a host-mode LocalStack (npm run localstack:up without Docker) stops with Ctrl-C in its own shell.\n',
    );
    return 0;
  }
  process.stdout.write(
    'No Docker daemon answers (docker info failed): running LocalStack in host mode instead, in the foreground.\n',
  );
  // What localstack:deploy needs, unless the user names the services.
  return runLocalStackHost(
    argv.some((arg) => arg.startsWith('--services') || arg === '--stack') ? argv : ['--stack', ...argv],
  );
}

if (require.main === module) {
  const [command, ...rest] = process.argv.slice(2);
  runMain(() => runUp(command === 'down', rest), 'npm run localstack:host -- --help');
}
