/**
 * What the README tells users, on a host-mode LocalStack of its own (no Docker): `npm run
 * localstack:deploy` (cdklocal bootstrap and deploy of the LocalStack variant), the deployed
 * tables, queue and functions checked through the AWS SDK against the synthesized template, then
 * `npm run localstack:invoke` with the sample events of each consumer through LocalStack's Lambda
 * API (the functions run as host processes: the executor plugin, the RIE, aws-lambda-ric on
 * Node 24): processed, duplicates on redelivery, poison records in LocalStack's SQS, and the
 * tables read back.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type AttributeValue,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { STACK_NAMES } from '../../infra/stack-outputs';
import { LOCALSTACK_AWS, type LocalStack, STACK_SERVICES, startLocalStack } from '../../localstack/host';
import {
  DEFAULT_OUTPUTS_FILE,
  functionNameFor,
  idempotencyTableName,
  readStackOutputs,
} from '../../localstack/lib/outputs';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const STACK = STACK_NAMES.localstack;

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
}

/** Each consumer's sample events and the batch counts its log must report. */
const CONSUMERS = [
  {
    name: 'spellchecker',
    happy: 'events/spellchecker-happy-path.json',
    first: { processed: 3, duplicate: 0, failed: 0 },
    poison: 'events/spellchecker-poison.json',
    poisoned: { processed: 2, failed: 5 },
  },
  {
    name: 'essay-lifecycle',
    happy: 'events/essay-lifecycle-batch-registered.json',
    first: { processed: 1, duplicate: 0, failed: 0 },
    poison: 'events/essay-lifecycle-poison.json',
    poisoned: { processed: 1, failed: 2 },
  },
  {
    // Avro over the Confluent wire format; the sample repeats one record inside the batch.
    name: 'essay-feedback',
    happy: 'events/essay-feedback-submitted.json',
    first: { processed: 2, duplicate: 1, failed: 0 },
    poison: 'events/essay-feedback-poison.json',
    poisoned: { processed: 1, failed: 2 },
  },
] as const;

let localstack: LocalStack;
let stopped = false;
let env: NodeJS.ProcessEnv;
let dynamodb: DynamoDBClient;
let lambda: LambdaClient;
let sqs: SQSClient;
let template: Record<string, Resource>;
const timings: string[] = [];

async function timed<T>(label: string, action: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await action();
  } finally {
    timings.push(`${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** Runs `npm run <script> -- args` as a user would; resolves with stdout, rejects with the output on failure. */
async function npmRun(script: string, args: readonly string[] = []): Promise<string> {
  try {
    const { stdout } = await run('npm', ['run', '--silent', script, '--', ...args], {
      cwd: ROOT,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `npm run ${script} ${args.join(' ')} failed: ${failed.message}\n${failed.stdout}\n${failed.stderr}`,
    );
  }
}

/** The counts of the `batch processed` line in an invoke report's log tail. */
function batchCounts(report: string): Record<string, number> {
  const line = report.split('\n').find((l) => l.includes('"message":"batch processed"'));
  if (line === undefined) throw new Error(`No "batch processed" line in the invoke report:\n${report}`);
  return JSON.parse(line) as Record<string, number>;
}

async function scanAll(TableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName, ExclusiveStartKey }));
    for (const item of page.Items ?? []) items.push(unmarshall(item));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey !== undefined);
  return items;
}

async function receiveAll(QueueUrl: string): Promise<Message[]> {
  const messages = new Map<string, Message>();
  for (let empty = 0; empty < 2; ) {
    const page = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 300,
      }),
    );
    const fresh = (page.Messages ?? []).filter((m) => !messages.has(m.MessageId ?? ''));
    for (const message of fresh) messages.set(message.MessageId ?? '', message);
    empty = fresh.length === 0 ? empty + 1 : 0;
  }
  return [...messages.values()];
}

beforeAll(async () => {
  localstack = await timed('start (services of the stack)', () =>
    startLocalStack({ services: STACK_SERVICES, timeoutMs: 180_000 }),
  );
  const config = { ...LOCALSTACK_AWS, endpoint: localstack.endpoint, maxAttempts: 1 };
  dynamodb = new DynamoDBClient(config);
  lambda = new LambdaClient(config);
  sqs = new SQSClient(config);
  env = {
    ...process.env,
    AWS_ENDPOINT_URL: localstack.endpoint,
    AWS_REGION: LOCALSTACK_AWS.region,
    AWS_ACCESS_KEY_ID: LOCALSTACK_AWS.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCALSTACK_AWS.credentials.secretAccessKey,
  };
  delete env.AWS_ENDPOINT_URL_S3;
  await timed('npm run localstack:deploy (cdklocal bootstrap + deploy)', () => npmRun('localstack:deploy'));
  template = (
    JSON.parse(readFileSync(join(ROOT, 'cdk.out', `${STACK}.template.json`), 'utf8')) as {
      Resources: Record<string, Resource>;
    }
  ).Resources;
}, 600_000);

afterAll(async () => {
  dynamodb?.destroy();
  lambda?.destroy();
  sqs?.destroy();
  if (!stopped) await localstack?.stop();
  process.stderr.write(`[localstack deploy-invoke] ${timings.join('; ')}\n`);
});

function queueUrlOf(outputs: Readonly<Record<string, string>>): string {
  const url = outputs.DeadLetterQueueUrl;
  if (url === undefined) throw new Error('The stack outputs lack DeadLetterQueueUrl: redeploy.');
  return url;
}

function resourcesOf(type: string): [string, Resource][] {
  return Object.entries(template).filter(([, resource]) => resource.Type === type);
}

describe('the deployed LocalStack variant', () => {
  test('has every table of the template with its key schema and TTL attribute', async () => {
    const tables = resourcesOf('AWS::DynamoDB::Table');
    expect(tables.length).toBeGreaterThanOrEqual(4);
    const names = (await dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
    for (const [logicalId, resource] of tables) {
      // CloudFormation names a table <stack>-<logical ID, maybe truncated>-<suffix>.
      const matching = names.filter(
        (n) =>
          n.startsWith(`${STACK}-`) && logicalId.startsWith(n.slice(STACK.length + 1).replace(/-[^-]+$/, '')),
      );
      expect({ logicalId, matching }).toEqual({ logicalId, matching: [expect.any(String)] });
      const name = matching[0];
      const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
      expect(Table?.KeySchema).toEqual(resource.Properties.KeySchema);
      expect(Table?.TableStatus).toBe('ACTIVE');
      const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name }));
      const declared = resource.Properties.TimeToLiveSpecification as { AttributeName: string } | undefined;
      if (declared === undefined) {
        expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
      } else {
        expect(ttl.TimeToLiveDescription).toMatchObject({
          AttributeName: declared.AttributeName,
          TimeToLiveStatus: 'ENABLED',
        });
      }
    }
  });

  test('has the dead-letter queue with the retention and size limit of the template', async () => {
    const outputs = await readStackOutputs(DEFAULT_OUTPUTS_FILE);
    const [[, queue] = []] = resourcesOf('AWS::SQS::Queue');
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrlOf(outputs), AttributeNames: ['All'] }),
    );
    expect(Attributes).toMatchObject({
      MessageRetentionPeriod: String(queue?.Properties.MessageRetentionPeriod),
      MaximumMessageSize: String(queue?.Properties.MaximumMessageSize),
      ApproximateNumberOfMessages: '0',
    });
  });

  test.each(
    CONSUMERS.map((c) => c.name),
  )('has the %s function, active, as the template declares it', async (consumer) => {
    const outputs = await readStackOutputs(DEFAULT_OUTPUTS_FILE);
    const FunctionName = functionNameFor(outputs, consumer);
    expect(FunctionName).toMatch(new RegExp(`^${STACK}-`));
    const deployed = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName }));
    const declared = resourcesOf('AWS::Lambda::Function').find(([logicalId]) =>
      FunctionName.startsWith(`${STACK}-${logicalId.slice(0, 20)}`),
    )?.[1].Properties;
    expect(declared).toBeDefined();
    expect(deployed).toMatchObject({
      State: 'Active',
      Runtime: declared?.Runtime,
      Handler: declared?.Handler,
      MemorySize: declared?.MemorySize,
      Timeout: declared?.Timeout,
    });
    expect(deployed.Environment?.Variables?.IDEMPOTENCY_TABLE_NAME).toBe(idempotencyTableName(outputs));
    expect(deployed.Environment?.Variables?.DEAD_LETTER_QUEUE_URL).toBe(queueUrlOf(outputs));
  });
});

describe('npm run localstack:invoke with the sample events, through the Lambda API', () => {
  test.each(CONSUMERS)('$name: processed, then duplicates on redelivery', async (consumer) => {
    const first = await timed(`${consumer.name} first invoke`, () =>
      npmRun('localstack:invoke', [consumer.name, consumer.happy]),
    );
    expect(first).toMatch(/HTTP 200, no function error/);
    expect(first).toMatch(/"batchItemFailures": \[\]/);
    expect(batchCounts(first)).toMatchObject(consumer.first);

    const again = await timed(`${consumer.name} redelivery`, () =>
      npmRun('localstack:invoke', [consumer.name, consumer.happy]),
    );
    const records = consumer.first.processed + consumer.first.duplicate;
    expect(batchCounts(again)).toMatchObject({ records, processed: 0, duplicate: records, failed: 0 });

    const outputs = await readStackOutputs(DEFAULT_OUTPUTS_FILE);
    const items = await scanAll(idempotencyTableName(outputs));
    const completed = items.filter((i) => i.service === consumer.name && i.status === 'completed');
    expect(completed).toHaveLength(consumer.first.processed);
    // Each redelivered record found its completed record: still one attempt each.
    expect(completed.map((i) => i.attempts)).toEqual(completed.map(() => 1));
  });

  test.each(
    CONSUMERS,
  )('$name: poison records are dead-lettered to SQS, the others processed', async (consumer) => {
    const report = await timed(`${consumer.name} poison`, () =>
      npmRun('localstack:invoke', [consumer.name, consumer.poison]),
    );
    expect(report).toMatch(/HTTP 200, no function error/);
    expect(batchCounts(report)).toMatchObject(consumer.poisoned);
  });

  test('the dead-letter queue holds one message per poison record, each matching a failed idempotency record', async () => {
    const outputs = await readStackOutputs(DEFAULT_OUTPUTS_FILE);
    const messages = await receiveAll(queueUrlOf(outputs));
    const byService = new Map<string, string[]>();
    for (const message of messages) {
      const service = message.MessageAttributes?.service?.StringValue ?? 'none';
      byService.set(service, [
        ...(byService.get(service) ?? []),
        message.MessageAttributes?.idempotency_key?.StringValue ?? '',
      ]);
    }
    expect(Object.fromEntries([...byService].map(([s, keys]) => [s, keys.length]))).toEqual(
      Object.fromEntries(CONSUMERS.map((c) => [c.name, c.poisoned.failed])),
    );
    const items = await scanAll(idempotencyTableName(outputs));
    const failed = new Map(items.filter((i) => i.status === 'failed').map((i) => [String(i.id), i]));
    for (const [service, keys] of byService) {
      for (const key of keys)
        expect({ service, key, status: failed.get(key)?.status }).toEqual({ service, key, status: 'failed' });
    }
  });

  test("the consumers' own tables hold what the handlers wrote", async () => {
    const names = (await dynamodb.send(new ListTablesCommand({}))).TableNames ?? [];
    const idempotency = idempotencyTableName(await readStackOutputs(DEFAULT_OUTPUTS_FILE));
    const own = names.filter((n) => n.startsWith(`${STACK}-`) && n !== idempotency);
    expect(own).toHaveLength(CONSUMERS.length);
    for (const table of own)
      expect({ table, items: (await scanAll(table)).length > 0 }).toEqual({ table, items: true });
  });
});

/** The command lines of the processes in LocalStack's process group that run `program`. */
function groupProcesses(pgid: number, program: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 5 of /proc/<pid>/stat (after the parenthesized name) is the process group.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (group === pgid && command.includes(program)) found.push(command);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

test("stopping LocalStack stops the functions' processes (the RIE and Node.js of each warm environment)", async () => {
  expect(groupProcesses(localstack.pid, 'aws-lambda-rie').length).toBeGreaterThanOrEqual(CONSUMERS.length);
  expect(groupProcesses(localstack.pid, 'aws-lambda-ric').length).toBeGreaterThanOrEqual(CONSUMERS.length);
  stopped = true;
  await localstack.stop();
  expect(groupProcesses(localstack.pid, 'aws-lambda')).toEqual([]);
});
