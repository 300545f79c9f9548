import { isIP } from 'node:net';
import * as path from 'node:path';
import { STACK_NAMES } from '../../infra/stack-outputs';

/**
 * One command to run: the program and its arguments (no shell).
 *
 * @example
 * ```ts
 * const step: Command = { command: 'npx', args: ['cdklocal', 'synth'] };
 * ```
 */
export interface Command {
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * The `cdklocal` commands that bootstrap LocalStack and deploy the LocalStack variant of the
 * stack (`-c target=localstack`), writing its outputs where `localstack:invoke` reads them.
 *
 * @example
 * ```ts
 * for (const step of deployCommands('.local/localstack/outputs.json')) spawnSync(step.command, step.args);
 * ```
 */
export function deployCommands(outputsFile: string): Command[] {
  const context = ['--context', 'target=localstack'];
  return [
    { command: 'npx', args: ['--no-install', 'cdklocal', 'bootstrap', ...context] },
    {
      command: 'npx',
      args: [
        '--no-install',
        'cdklocal',
        'deploy',
        STACK_NAMES.localstack,
        ...context,
        '--require-approval',
        'never',
        '--outputs-file',
        path.resolve(outputsFile),
      ],
    },
  ];
}

/**
 * The environment for `cdklocal`, consistent with what `localstack:invoke` uses:
 * - the region: `cdklocal` drops `AWS_*` variables that are not allow-listed, so `AWS_REGION`
 *   and `AWS_DEFAULT_REGION` are allow-listed and set; otherwise a deploy would land in
 *   `us-east-1` while the invoke script looks in `AWS_REGION`;
 * - the endpoint: left to `cdklocal`'s default (`localhost.localstack.cloud:4566`, the same
 *   LocalStack as `localhost:4566`) unless `AWS_ENDPOINT_URL` is set; then `cdklocal` also
 *   requires `AWS_ENDPOINT_URL_S3`, derived here when missing (`s3.<host>`, or the endpoint itself
 *   when its host is an IP address such as host-mode LocalStack's `127.0.0.1`).
 *
 * @example
 * ```ts
 * spawnSync('npx', args, { env: deployEnvironment(process.env, 'eu-north-1') });
 * ```
 */
export function deployEnvironment(env: NodeJS.ProcessEnv, region: string): NodeJS.ProcessEnv {
  const allow = new Set(
    (env.AWS_ENVAR_ALLOWLIST ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  );
  allow.add('AWS_REGION');
  allow.add('AWS_DEFAULT_REGION');
  const result: NodeJS.ProcessEnv = {
    ...env,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ENVAR_ALLOWLIST: [...allow].join(','),
  };
  const endpoint = env.AWS_ENDPOINT_URL?.trim();
  if (endpoint && !env.AWS_ENDPOINT_URL_S3) {
    const url = new URL(endpoint);
    if (isIP(url.hostname) !== 0) {
      // An address has no s3.<host> name: S3 on the same endpoint, path-style (host-mode LocalStack).
      result.AWS_ENDPOINT_URL_S3 = endpoint;
    } else {
      const host = url.hostname === 'localhost' ? 'localhost.localstack.cloud' : url.hostname;
      result.AWS_ENDPOINT_URL_S3 = `${url.protocol}//s3.${host}${url.port ? `:${url.port}` : ''}`;
    }
  }
  return result;
}
