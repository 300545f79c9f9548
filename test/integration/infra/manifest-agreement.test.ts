/**
 * One consumer identity, three places that must agree: the manifest's `service`, the
 * `POWERTOOLS_SERVICE_NAME` infra deploys the function with, and the `service` dimension of the
 * alarms on the layer's metrics, which only fire if the running handler emits that metric under
 * that dimension (CloudWatch matches a metric by namespace, name and its whole set of dimensions).
 * The handler here is the real one (`functions/<service>/handler.ts`), run with the environment the
 * synthesized template gives it and the real Powertools Metrics, on DynamoDB Local.
 */
import * as path from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Template } from 'aws-cdk-lib/assertions';
import { MANIFESTS } from '../../../functions/manifests';
import { functionNameOutputKey } from '../../../infra/stack-outputs';
import { EffectivelyOnceStack } from '../../../infra/stacks/effectively-once-stack';
import { mskEvent } from '../../../scripts/lib/msk-events';
import { type Consumer, type ConsumerManifest, ENV } from '../../../shared/internal';
import { MemoryDeadLetters } from '../../helpers/consumers';
import { clients, freshConsumerTable, freshIdempotencyTable } from '../../helpers/dynamo';
import { appWithoutBundling } from '../../infra/support';

const REPO_ROOT = path.join(__dirname, '..', '..', '..');
const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/events/7f9e1c2a-0b1d-4c3e-9f00-1234567890ab-2';

/** An alarm of the template: its metric's namespace, name and dimensions. */
interface AlarmOnMetric {
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, unknown>>;
}

/** One metric directive of an EMF line, with the values of its dimensions. */
interface EmittedMetric {
  readonly namespace: string;
  readonly names: readonly string[];
  readonly dimensions: Readonly<Record<string, unknown>>;
}

let template: Template;
let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;

beforeAll(() => {
  // GIVEN the stack as `cdk synth -c clusterArn=...` builds it from MANIFESTS (every alarm, the lag alarm too)
  template = Template.fromStack(
    new EffectivelyOnceStack(appWithoutBundling(), 'Agreement', { clusterArn: CLUSTER }),
  );
  ({ raw, doc } = clients());
});

afterAll(() => {
  raw.destroy();
});

/** The environment of the function that the stack outputs as this consumer's (the scripts' way in). */
function functionEnvironment(manifest: ConsumerManifest): Record<string, unknown> {
  const ref = template.findOutputs(functionNameOutputKey(manifest.service))[
    functionNameOutputKey(manifest.service)
  ]?.Value?.Ref;
  const fn = template.findResources('AWS::Lambda::Function')[String(ref)];
  if (fn === undefined) throw new Error(`no function output for ${manifest.service}`);
  return fn.Properties.Environment.Variables;
}

/** Every alarm on the layer's metrics: those in the namespace the functions publish to. */
function layerAlarms(): AlarmOnMetric[] {
  const namespaces = new Set(MANIFESTS.map((m) => functionEnvironment(m)[ENV.METRICS_NAMESPACE]));
  return Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
    .filter(([, alarm]) => namespaces.has(alarm.Properties.Namespace))
    .map(([id, alarm]) => ({
      id,
      namespace: alarm.Properties.Namespace,
      metricName: alarm.Properties.MetricName,
      dimensions: Object.fromEntries(
        ((alarm.Properties.Dimensions ?? []) as { Name: string; Value: unknown }[]).map((d) => [
          d.Name,
          d.Value,
        ]),
      ),
    }));
}

/**
 * The environment the deployed function gets, with each deploy-time value stood in for locally;
 * a new deploy-time variable the test does not know fails it (decide what it stands for).
 */
function localEnvironment(
  variables: Record<string, unknown>,
  local: Record<string, string>,
): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      const stand = local[name];
      if (stand === undefined)
        throw new Error(`${name} is a deploy-time value ${JSON.stringify(value)}: no stand-in`);
      return [name, stand];
    }),
  );
}

/**
 * Runs `work` with `env`'s Powertools variables in `process.env`, capturing the EMF lines it prints
 * (the Logger's lines on stdout and stderr are dropped).
 */
async function emittedDuring(env: NodeJS.ProcessEnv, work: () => Promise<unknown>): Promise<EmittedMetric[]> {
  const saved = { ...process.env };
  for (const name of Object.keys(process.env)) if (name.startsWith('POWERTOOLS_')) delete process.env[name];
  for (const [name, value] of Object.entries(env))
    if (name.startsWith('POWERTOOLS_')) process.env[name] = value;
  const printed: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown) => {
    printed.push(String(chunk));
    return true;
  }) as never);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((() => true) as never);
  try {
    await work();
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    process.env = saved;
  }
  return printed
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .flatMap((line) => {
      const emf = JSON.parse(line) as Record<string, unknown> & {
        _aws: {
          CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
        };
      };
      return emf._aws.CloudWatchMetrics.flatMap((directive) =>
        directive.Dimensions.map((set) => ({
          namespace: directive.Namespace,
          names: directive.Metrics.map((m) => m.Name),
          dimensions: Object.fromEntries(set.map((name) => [name, emf[name]])),
        })),
      );
    });
}

test('every alarm on the layer metrics belongs to a consumer of the manifests, by its service dimension', () => {
  const services = MANIFESTS.map((m) => m.service);
  const alarms = layerAlarms();
  expect(alarms.length).toBeGreaterThanOrEqual(MANIFESTS.length);
  for (const alarm of alarms) {
    expect(Object.keys(alarm.dimensions)).toEqual(['service']);
    expect(services).toContain(alarm.dimensions.service);
  }
});

describe.each(MANIFESTS.map((m) => [m.service, m] as const))('%s', (_, manifest) => {
  test('infra deploys its function with POWERTOOLS_SERVICE_NAME = the manifest service', () => {
    expect(functionEnvironment(manifest)[ENV.SERVICE_NAME]).toBe(manifest.service);
  });

  test('its alarms on the layer metrics carry the manifest service as their service dimension', () => {
    // The alarms of the consumer's construct (ids start with the manifest's id), and only those, name it.
    const alarms = layerAlarms();
    const own = alarms.filter((alarm) => alarm.id.startsWith(manifest.id));
    expect(own.length).toBeGreaterThan(0);
    expect(own.map((alarm) => alarm.dimensions)).toEqual(own.map(() => ({ service: manifest.service })));
    expect(alarms.filter((alarm) => alarm.dimensions.service === manifest.service)).toEqual(own);
  });

  test('its real handler, in the deployed environment, emits each alarmed metric under the same namespace and dimensions', async () => {
    // GIVEN the real handler module, built from the same manifest, with fresh tables for what the template refers to
    const module = (await import(path.join(REPO_ROOT, 'functions', manifest.service, 'handler'))) as {
      consumer: Consumer<ConsumerManifest>;
    };
    expect(module.consumer.manifest).toBe(manifest);
    const tables = Object.fromEntries(
      await Promise.all(
        Object.keys(manifest.tables).map(async (name) => [
          name,
          await freshConsumerTable(raw, manifest.service),
        ]),
      ),
    );
    const env = localEnvironment(functionEnvironment(manifest), {
      [ENV.IDEMPOTENCY_TABLE_NAME]: await freshIdempotencyTable(raw, `${manifest.service}-idem`),
      [ENV.DEAD_LETTER_QUEUE_URL]: 'file:///dev/null',
      [ENV.DEAD_LETTER_SPILL_BUCKET]: 'agreement-test-no-bucket',
      ...tables,
    });
    const deadLetters = new MemoryDeadLetters();
    const topic = manifest.topics[0] ?? 'no-topic';

    // WHEN one poison record goes through it (default Powertools Metrics, printed as EMF)
    const emitted = await emittedDuring(env, async () => {
      const handler = module.consumer.create({ env, client: doc, deadLetter: deadLetters });
      await handler(mskEvent([{ topic, partition: 0, offset: 0, value: 'not json' }]));
    });

    // THEN it went the poison path, and every alarm of the consumer on the layer's metrics sees what it emitted
    expect(deadLetters.entries).toHaveLength(1);
    const alarms = layerAlarms().filter((alarm) => alarm.id.startsWith(manifest.id));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(emitted).toContainEqual({
        namespace: alarm.namespace,
        names: expect.arrayContaining([alarm.metricName]),
        dimensions: alarm.dimensions,
      });
    }
    expect(emitted.map((metric) => metric.dimensions)).toContainEqual({ service: manifest.service });
  });
});
