/**
 * Where LocalStack is, as the scripts and `cdklocal` see it. One variable, `AWS_ENDPOINT_URL`,
 * the one `cdklocal` and the AWS SDKs read, so deploy and invoke cannot target different hosts.
 */

/**
 * LocalStack's default edge endpoint.
 *
 * @example
 * ```ts
 * await assertLocalStackReady(DEFAULT_LOCALSTACK_ENDPOINT);
 * ```
 */
export const DEFAULT_LOCALSTACK_ENDPOINT = 'http://localhost:4566';

/**
 * Region used when neither `AWS_REGION` nor `AWS_DEFAULT_REGION` is set.
 *
 * @example
 * ```ts
 * const region = process.env.AWS_REGION ?? DEFAULT_LOCALSTACK_REGION;
 * ```
 */
export const DEFAULT_LOCALSTACK_REGION = 'us-east-1';

/**
 * The LocalStack endpoint from `AWS_ENDPOINT_URL` (default `http://localhost:4566`), without a
 * trailing slash. Throws a `TypeError` naming the variable when it is not an http(s) URL.
 *
 * @example
 * ```ts
 * resolveEndpoint({ AWS_ENDPOINT_URL: 'http://localstack:4566/' }); // 'http://localstack:4566'
 * ```
 */
export function resolveEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  const raw = env.AWS_ENDPOINT_URL?.trim();
  if (raw === undefined || raw === '') return DEFAULT_LOCALSTACK_ENDPOINT;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TypeError(
      `AWS_ENDPOINT_URL must be an http(s) URL such as ${DEFAULT_LOCALSTACK_ENDPOINT}, got "${raw}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`AWS_ENDPOINT_URL must use http or https, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

/**
 * The region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `us-east-1`.
 *
 * @example
 * ```ts
 * resolveRegion({ AWS_DEFAULT_REGION: 'eu-north-1' }); // 'eu-north-1'
 * ```
 */
export function resolveRegion(env: NodeJS.ProcessEnv = process.env): string {
  return env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || DEFAULT_LOCALSTACK_REGION;
}

/**
 * Credentials LocalStack accepts; the scripts never use real AWS credentials.
 *
 * @example
 * ```ts
 * new LambdaClient({ endpoint, region, credentials: LOCALSTACK_CREDENTIALS });
 * ```
 */
export const LOCALSTACK_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/**
 * Error raised when LocalStack cannot be reached or is not ready.
 *
 * @example
 * ```ts
 * if (error instanceof LocalStackUnavailableError) console.error(error.message);
 * ```
 */
export class LocalStackUnavailableError extends Error {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'LocalStackUnavailableError';
  }
}

/**
 * Checks LocalStack's health endpoint and that Lambda, DynamoDB, SQS and CloudFormation are not
 * disabled. Throws {@link LocalStackUnavailableError} with the fix (start it, set the token).
 *
 * @example
 * ```ts
 * await assertLocalStackReady('http://localhost:4566');
 * ```
 */
export async function assertLocalStackReady(endpoint: string, timeoutMs = 5_000): Promise<void> {
  const hint =
    'Start it with `npm run localstack:up` (docker compose -f localstack/docker-compose.yml up -d), ' +
    'with LOCALSTACK_AUTH_TOKEN set; or point AWS_ENDPOINT_URL at a running LocalStack.';
  let body: unknown;
  try {
    const response = await fetch(`${endpoint}/_localstack/health`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = await response.json();
  } catch (error) {
    throw new LocalStackUnavailableError(
      `LocalStack is not reachable at ${endpoint}: ${describe(error)}. ${hint}`,
      {
        cause: error,
      },
    );
  }
  const services = (body as { services?: Record<string, string> } | null)?.services ?? {};
  const missing = ['lambda', 'dynamodb', 'sqs', 'cloudformation'].filter(
    (service) => services[service] === undefined || services[service] === 'disabled',
  );
  if (missing.length > 0) {
    throw new LocalStackUnavailableError(
      `LocalStack at ${endpoint} does not offer ${missing.join(', ')} (health: ${JSON.stringify(services)}). ${hint}`,
    );
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
