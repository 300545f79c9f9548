import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { functionNameOutputKey, STACK_NAMES, STACK_OUTPUTS } from '../../../infra/stack-outputs';
import { deployCommands, deployEnvironment } from '../../../localstack/lib/deploy';
import { functionNameFor, idempotencyTableName, readStackOutputs } from '../../../localstack/lib/outputs';

describe('deployCommands', () => {
  test('bootstraps, then deploys the LocalStack stack by name with target=localstack and no prompt', () => {
    const [bootstrap, deploy] = deployCommands('.local/localstack/outputs.json');
    expect(bootstrap?.args).toEqual([
      '--no-install',
      'cdklocal',
      'bootstrap',
      '--context',
      'target=localstack',
    ]);
    expect(deploy?.args).toEqual([
      '--no-install',
      'cdklocal',
      'deploy',
      STACK_NAMES.localstack,
      '--context',
      'target=localstack',
      '--require-approval',
      'never',
      '--outputs-file',
      path.resolve('.local/localstack/outputs.json'),
    ]);
  });
});

describe('deployEnvironment', () => {
  test('keeps the region through cdklocal, which drops AWS_* variables not allow-listed', () => {
    const env = deployEnvironment({ PATH: '/bin', AWS_ENVAR_ALLOWLIST: 'AWS_PROFILE' }, 'eu-north-1');
    expect(env).toMatchObject({ PATH: '/bin', AWS_REGION: 'eu-north-1', AWS_DEFAULT_REGION: 'eu-north-1' });
    expect(env.AWS_ENVAR_ALLOWLIST?.split(',').sort()).toEqual([
      'AWS_DEFAULT_REGION',
      'AWS_PROFILE',
      'AWS_REGION',
    ]);
  });

  test("leaves the endpoint to cdklocal's default when AWS_ENDPOINT_URL is unset", () => {
    const env = deployEnvironment({}, 'us-east-1');
    expect(env.AWS_ENDPOINT_URL).toBeUndefined();
    expect(env.AWS_ENDPOINT_URL_S3).toBeUndefined();
  });

  test('derives the S3 endpoint cdklocal requires when AWS_ENDPOINT_URL is set', () => {
    expect(
      deployEnvironment({ AWS_ENDPOINT_URL: 'http://localhost:4566' }, 'us-east-1').AWS_ENDPOINT_URL_S3,
    ).toBe('http://s3.localhost.localstack.cloud:4566');
    expect(
      deployEnvironment({ AWS_ENDPOINT_URL: 'https://ls.example.com' }, 'us-east-1').AWS_ENDPOINT_URL_S3,
    ).toBe('https://s3.ls.example.com');
    expect(
      deployEnvironment({ AWS_ENDPOINT_URL: 'http://x:1', AWS_ENDPOINT_URL_S3: 'http://s3.x:1' }, 'us-east-1')
        .AWS_ENDPOINT_URL_S3,
    ).toBe('http://s3.x:1');
  });

  test('keeps S3 on the endpoint itself when its host is an address (host-mode LocalStack)', () => {
    expect(
      deployEnvironment({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4599' }, 'us-east-1').AWS_ENDPOINT_URL_S3,
    ).toBe('http://127.0.0.1:4599');
  });
});

describe('stack outputs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'localstack-outputs-'));
  const file = path.join(dir, 'outputs.json');
  writeFileSync(
    file,
    JSON.stringify({
      [STACK_NAMES.localstack]: {
        [STACK_OUTPUTS.idempotencyTableName]: 'KafkaEffectivelyOnceLocal-IdempotencyTable-1',
        [functionNameOutputKey('essay-lifecycle')]: 'KafkaEffectivelyOnceLocal-EssayLifecycleFunction-2',
      },
    }),
  );

  test('maps a consumer name to its deployed function, and passes other names through', async () => {
    const outputs = await readStackOutputs(file);
    expect(functionNameFor(outputs, 'essay-lifecycle')).toBe(
      'KafkaEffectivelyOnceLocal-EssayLifecycleFunction-2',
    );
    expect(functionNameFor(outputs, 'my-function')).toBe('my-function');
    expect(idempotencyTableName(outputs)).toBe('KafkaEffectivelyOnceLocal-IdempotencyTable-1');
  });

  test('fails if nothing was deployed yet, saying what to run', async () => {
    await expect(readStackOutputs(path.join(dir, 'missing.json'))).rejects.toThrow(
      /run `npm run localstack:deploy` first/,
    );
  });

  test('fails if the file holds another stack, listing what it found', async () => {
    const other = path.join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ SomeStack: {} }));
    await expect(readStackOutputs(other)).rejects.toThrow(
      /has no outputs of stack KafkaEffectivelyOnceLocal \(found: SomeStack\)/,
    );
  });
});
