/**
 * LocalStack for the `localstack` jest project: the global setup installs it when needed
 * (`npm run localstack:install`: a venv under `.local/localstack/`, Python >= 3.13) and starts one
 * host-mode LocalStack (S3 and SQS) for the whole run; tests read its endpoint from
 * `TEST_LOCALSTACK_ENDPOINT`. When that variable is already set (e.g. to the endpoint
 * `npm run localstack:host` prints), the setup uses that LocalStack and starts none.
 */
import { get } from 'node:http';
import { installLocalStack, LOCALSTACK_AWS, type LocalStack, startLocalStack } from '../../localstack/host';

/** The variable the endpoint is passed in, from the global setup to the test workers. */
export const LOCALSTACK_ENDPOINT_ENV = 'TEST_LOCALSTACK_ENDPOINT';

/** The services the global setup starts. */
export const TEST_LOCALSTACK_SERVICES = ['s3', 'sqs'] as const;

const GLOBAL_KEY = '__LOCALSTACK_HOST__';

/**
 * jest `globalSetup` of the `localstack` project: installs LocalStack if needed, starts it on a
 * free loopback port and sets `TEST_LOCALSTACK_ENDPOINT` (inherited by the workers).
 *
 * @example
 * ```ts
 * // test/localstack/global-setup.ts
 * export { setupLocalStack as default } from '../helpers/localstack';
 * ```
 */
export async function setupLocalStack(): Promise<void> {
  const given = process.env[LOCALSTACK_ENDPOINT_ENV];
  if (given) {
    await assertAnswers(given);
    return;
  }
  await installLocalStack({ log: (line) => process.stderr.write(`[localstack] ${line}\n`) });
  const started = Date.now();
  const localstack = await startLocalStack({ services: TEST_LOCALSTACK_SERVICES });
  process.stderr.write(
    `[localstack] ${localstack.services.join(', ')} ready on ${localstack.endpoint} in ${Date.now() - started} ms (pid ${localstack.pid}).\n`,
  );
  process.env[LOCALSTACK_ENDPOINT_ENV] = localstack.endpoint;
  (globalThis as Record<string, unknown>)[GLOBAL_KEY] = localstack;
}

/**
 * jest `globalTeardown` of the `localstack` project: stops the LocalStack the setup started (not
 * one it was given).
 *
 * @example
 * ```ts
 * // test/localstack/global-teardown.ts
 * export { teardownLocalStack as default } from '../helpers/localstack';
 * ```
 */
export async function teardownLocalStack(): Promise<void> {
  const localstack = (globalThis as Record<string, unknown>)[GLOBAL_KEY] as LocalStack | undefined;
  if (localstack === undefined) return;
  await localstack.stop();
  delete process.env[LOCALSTACK_ENDPOINT_ENV];
}

/**
 * The endpoint of the run's LocalStack; throws when the test runs outside the `localstack`
 * project.
 *
 * @example
 * ```ts
 * const sqs = new SQSClient({ ...LOCALSTACK_AWS, endpoint: localStackEndpoint() });
 * ```
 */
export function localStackEndpoint(): string {
  const endpoint = process.env[LOCALSTACK_ENDPOINT_ENV];
  if (!endpoint) {
    throw new Error(
      `${LOCALSTACK_ENDPOINT_ENV} is not set: run these tests with \`npm run test:localstack\`.`,
    );
  }
  return endpoint;
}

/**
 * Configuration for an AWS SDK v3 client on the run's LocalStack (dummy credentials, us-east-1,
 * no retries, so that a refusal is seen as it is).
 *
 * @example
 * ```ts
 * const sqs = new SQSClient(localStackClientConfig());
 * ```
 */
export function localStackClientConfig(): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
} {
  return {
    endpoint: localStackEndpoint(),
    region: LOCALSTACK_AWS.region,
    credentials: { ...LOCALSTACK_AWS.credentials },
    maxAttempts: 1,
  };
}

/** Throws unless `endpoint` answers LocalStack's health check with the test services up. */
async function assertAnswers(endpoint: string): Promise<void> {
  const body = await new Promise<string>((resolve, reject) => {
    const request = get(`${endpoint}/_localstack/health`, { agent: false, timeout: 5000 }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve(text));
    });
    request.on('timeout', () => request.destroy(new Error('no answer within 5000 ms')));
    request.on('error', (error) =>
      reject(new Error(`${LOCALSTACK_ENDPOINT_ENV}=${endpoint} does not answer: ${error.message}`)),
    );
  });
  const services = (JSON.parse(body) as { services?: Record<string, string> }).services ?? {};
  const down = TEST_LOCALSTACK_SERVICES.filter((s) => !['available', 'running'].includes(services[s] ?? ''));
  if (down.length > 0) {
    throw new Error(
      `${LOCALSTACK_ENDPOINT_ENV}=${endpoint} does not offer ${down.join(', ')} (health: ${body.slice(0, 300)}).`,
    );
  }
}
