import {
  assertLocalStackReady,
  DEFAULT_LOCALSTACK_ENDPOINT,
  LocalStackUnavailableError,
  resolveEndpoint,
  resolveRegion,
} from '../../../localstack/lib/endpoint';
import { closedPort, FakeLocalStack } from './fake-localstack';

describe('resolveEndpoint', () => {
  test('defaults to LocalStack on localhost:4566', () => {
    expect(resolveEndpoint({})).toBe(DEFAULT_LOCALSTACK_ENDPOINT);
    expect(resolveEndpoint({ AWS_ENDPOINT_URL: '  ' })).toBe(DEFAULT_LOCALSTACK_ENDPOINT);
  });

  test('takes AWS_ENDPOINT_URL, without trailing slashes', () => {
    expect(resolveEndpoint({ AWS_ENDPOINT_URL: 'http://localstack:4566//' })).toBe('http://localstack:4566');
  });

  test('fails if AWS_ENDPOINT_URL is not an http(s) URL, naming the variable and the value', () => {
    expect(() => resolveEndpoint({ AWS_ENDPOINT_URL: 'localhost:4566' })).toThrow(
      /AWS_ENDPOINT_URL must use http or https, got "localhost:4566"/,
    );
    expect(() => resolveEndpoint({ AWS_ENDPOINT_URL: 'not a url' })).toThrow(
      /AWS_ENDPOINT_URL must be an http\(s\) URL .*got "not a url"/,
    );
  });
});

describe('resolveRegion', () => {
  test('prefers AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1', () => {
    expect(resolveRegion({ AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'eu-west-1' })).toBe('eu-north-1');
    expect(resolveRegion({ AWS_DEFAULT_REGION: 'eu-west-1' })).toBe('eu-west-1');
    expect(resolveRegion({})).toBe('us-east-1');
  });
});

describe('assertLocalStackReady against a local HTTP server', () => {
  let services: Record<string, string> = {};
  const server = new FakeLocalStack((request) =>
    request.url === '/_localstack/health'
      ? { body: JSON.stringify({ services, edition: 'pro', version: '2026.03.0' }) }
      : { status: 404 },
  );
  let endpoint: string;
  beforeAll(async () => {
    endpoint = await server.start();
  });
  afterAll(() => server.stop());

  test('passes when Lambda, DynamoDB, SQS and CloudFormation are available', async () => {
    services = { lambda: 'available', dynamodb: 'running', sqs: 'available', cloudformation: 'available' };
    await expect(assertLocalStackReady(endpoint)).resolves.toBeUndefined();
    expect(server.requests.at(-1)?.method).toBe('GET');
  });

  test('fails if a needed service is disabled, naming it', async () => {
    services = { lambda: 'disabled', dynamodb: 'running', sqs: 'available', cloudformation: 'available' };
    await expect(assertLocalStackReady(endpoint)).rejects.toThrow(/does not offer lambda/);
  });

  test('fails if nothing listens, saying how to start LocalStack and that it needs a token', async () => {
    const unreachable = `http://127.0.0.1:${await closedPort()}`;
    const error = await assertLocalStackReady(unreachable).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalStackUnavailableError);
    expect((error as Error).message).toMatch(
      new RegExp(`not reachable at ${unreachable.replace(/\./g, '\\.')}`),
    );
    expect((error as Error).message).toMatch(/npm run localstack:up.*LOCALSTACK_AUTH_TOKEN/);
  });
});
