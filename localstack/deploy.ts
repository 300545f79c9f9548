/**
 * Deploys the LocalStack variant of the stack (`-c target=localstack`: same constructs, no Kafka
 * trigger) with `cdklocal`, after checking that LocalStack is up:
 *
 *   npm run localstack:up       # docker compose, needs LOCALSTACK_AUTH_TOKEN
 *   npm run localstack:deploy   # cdklocal bootstrap + deploy, outputs to .local/localstack/outputs.json
 *
 * Environment: AWS_ENDPOINT_URL (default http://localhost:4566), AWS_REGION (default us-east-1).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { deployCommands, deployEnvironment } from './lib/deploy';
import { assertLocalStackReady, resolveEndpoint, resolveRegion } from './lib/endpoint';
import { DEFAULT_OUTPUTS_FILE } from './lib/outputs';

async function main(): Promise<number> {
  const endpoint = resolveEndpoint();
  const region = resolveRegion();
  await assertLocalStackReady(endpoint);
  mkdirSync(path.dirname(DEFAULT_OUTPUTS_FILE), { recursive: true });
  const env = deployEnvironment(process.env, region);
  for (const step of deployCommands(DEFAULT_OUTPUTS_FILE)) {
    console.log(`$ ${step.command} ${step.args.join(' ')}`);
    const run = spawnSync(step.command, step.args, {
      stdio: 'inherit',
      env,
      cwd: path.join(__dirname, '..'),
    });
    if (run.status !== 0) {
      console.error(`Failed (exit ${run.status ?? run.signal}): ${step.command} ${step.args.join(' ')}`);
      return run.status ?? 1;
    }
  }
  console.log(`\nDeployed to LocalStack at ${endpoint} (${region}). Outputs: ${DEFAULT_OUTPUTS_FILE}`);
  console.log(
    'Next: npm run localstack:invoke -- <essay-lifecycle|spellchecker|essay-feedback> <msk-event.json>',
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
