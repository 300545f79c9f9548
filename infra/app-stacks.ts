import { Annotations, type App, RemovalPolicy, Tags } from 'aws-cdk-lib';
import { assertClusterArn } from './lib/kafka-arns';
import type { KafkaClusterNetwork } from './lib/msk-trigger-policy';
import { STACK_NAMES } from './stack-outputs';
import { DemoKafkaStack } from './stacks/demo-kafka-stack';
import { EffectivelyOnceStack } from './stacks/effectively-once-stack';

/**
 * ARN used when neither `clusterArn` nor `demo` is given, so that `cdk synth` works in CI. It
 * names no real cluster: a deploy with it fails when CloudFormation creates the event source
 * mappings, and synth warns about it.
 *
 * @example
 * ```ts
 * if (config.clusterArn === undefined) console.warn(`synthesizing on ${PLACEHOLDER_CLUSTER_ARN}`);
 * ```
 */
export const PLACEHOLDER_CLUSTER_ARN =
  'arn:aws:kafka:us-east-1:000000000000:cluster/set-clusterArn-context/00000000-0000-0000-0000-000000000000-0';

/**
 * Id of the warning a synth without a cluster shows; a CI that wants `--strict` can acknowledge it.
 *
 * @example
 * ```ts
 * Validations.of(stack).acknowledge({ id: `Annotation::${PLACEHOLDER_WARNING_ID}`, reason: 'CI synth only' });
 * ```
 */
export const PLACEHOLDER_WARNING_ID = '@kafka-effectively-once/placeholder-cluster-arn';

/**
 * The app's configuration, parsed from CDK context by {@link parseAppConfig}.
 *
 * @example
 * ```ts
 * const config: AppConfig = { target: 'aws', demo: true, removalPolicy: RemovalPolicy.DESTROY };
 * ```
 */
export interface AppConfig {
  /** `aws` (the default) or `localstack` (same constructs, no Kafka trigger). */
  readonly target: 'aws' | 'localstack';
  /** Existing MSK cluster to consume from (`-c clusterArn=...`). */
  readonly clusterArn?: string;
  /**
   * That cluster's subnets and security groups (`-c clusterSubnetIds=subnet-a,subnet-b
   * -c clusterSecurityGroupIds=sg-1`): where the event source mappings' network interfaces may go.
   */
  readonly clusterNetwork?: KafkaClusterNetwork;
  /** Create a demo VPC and MSK Serverless cluster (`-c demo=true`). */
  readonly demo: boolean;
  /** Removal policy of stateful resources (`-c removalPolicy=retain|destroy`). */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Raw context values, as `app.node.tryGetContext` returns them (strings from `-c`, or JSON from cdk.json).
 *
 * @example
 * ```ts
 * const raw: RawAppContext = { target: app.node.tryGetContext('target') };
 * ```
 */
export interface RawAppContext {
  readonly target?: unknown;
  readonly clusterArn?: unknown;
  readonly clusterSubnetIds?: unknown;
  readonly clusterSecurityGroupIds?: unknown;
  readonly demo?: unknown;
  readonly removalPolicy?: unknown;
}

/**
 * Parses and checks the app's context. Throws a `TypeError` naming the context key, the value
 * given and what is allowed.
 *
 * @example
 * ```ts
 * parseAppConfig({ target: app.node.tryGetContext('target'), clusterArn: app.node.tryGetContext('clusterArn') });
 * ```
 */
export function parseAppConfig(raw: RawAppContext): AppConfig {
  const target = raw.target ?? 'aws';
  if (target !== 'aws' && target !== 'localstack') {
    throw new TypeError(`Context "target" must be "aws" or "localstack", got ${JSON.stringify(target)}`);
  }
  const demo = parseBoolean('demo', raw.demo ?? false);
  let clusterArn: string | undefined;
  if (raw.clusterArn !== undefined && raw.clusterArn !== '') {
    if (typeof raw.clusterArn !== 'string') {
      throw new TypeError(`Context "clusterArn" must be a string, got ${JSON.stringify(raw.clusterArn)}`);
    }
    assertClusterArn(raw.clusterArn);
    clusterArn = raw.clusterArn;
  }
  if (clusterArn && demo) {
    throw new TypeError('Context "clusterArn" and "demo=true" are mutually exclusive: pick one cluster');
  }
  const subnetIds = parseIdList('clusterSubnetIds', raw.clusterSubnetIds, /^subnet-[0-9a-f]{8,17}$/);
  const securityGroupIds = parseIdList(
    'clusterSecurityGroupIds',
    raw.clusterSecurityGroupIds,
    /^sg-[0-9a-f]{8,17}$/,
  );
  if ((subnetIds || securityGroupIds) && !clusterArn) {
    throw new TypeError(
      'Context "clusterSubnetIds" and "clusterSecurityGroupIds" describe the network of "clusterArn": give them with it (the demo cluster brings its own)',
    );
  }
  if (Boolean(subnetIds) !== Boolean(securityGroupIds)) {
    throw new TypeError(
      'Context "clusterSubnetIds" and "clusterSecurityGroupIds" go together: give the cluster\'s subnets and its security groups',
    );
  }
  if (target === 'localstack' && (clusterArn || demo)) {
    throw new TypeError('Context target=localstack has no Kafka trigger: drop "clusterArn" and "demo"');
  }
  const removal = raw.removalPolicy ?? (target === 'localstack' ? 'destroy' : 'retain');
  if (removal !== 'retain' && removal !== 'destroy') {
    throw new TypeError(
      `Context "removalPolicy" must be "retain" or "destroy", got ${JSON.stringify(removal)}`,
    );
  }
  return {
    target,
    demo,
    removalPolicy: removal === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    ...(clusterArn ? { clusterArn } : {}),
    ...(subnetIds && securityGroupIds ? { clusterNetwork: { subnetIds, securityGroupIds } } : {}),
  };
}

/** A list of EC2 ids from context: a comma-separated string (from `-c`) or a JSON array (cdk.json). */
function parseIdList(key: string, value: unknown, pattern: RegExp): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  const ids = typeof value === 'string' ? value.split(',').map((id) => id.trim()) : value;
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new TypeError(
      `Context "${key}" must be a comma-separated list of ids, got ${JSON.stringify(value)}`,
    );
  }
  for (const id of ids) {
    if (typeof id !== 'string' || !pattern.test(id)) {
      throw new TypeError(`Context "${key}" must list ids matching ${pattern}, got ${JSON.stringify(id)}`);
    }
  }
  return ids as string[];
}

function parseBoolean(key: string, value: unknown): boolean {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new TypeError(`Context "${key}" must be true or false, got ${JSON.stringify(value)}`);
}

/**
 * The stacks {@link addAppStacks} created.
 *
 * @example
 * ```ts
 * const { main, demo } = addAppStacks(app, config);
 * ```
 */
export interface AppStacks {
  /** The consumers' stack (the LocalStack variant when `target` is `localstack`). */
  readonly main: EffectivelyOnceStack;
  /** The demo cluster's stack, with `demo`. */
  readonly demo?: DemoKafkaStack;
}

/**
 * Adds the stacks the configuration asks for to `app`:
 * - `target=localstack`: one stack without Kafka trigger;
 * - `clusterArn`: the main stack on that cluster;
 * - `demo`: a demo cluster stack and the main stack on it;
 * - none of them: the main stack on {@link PLACEHOLDER_CLUSTER_ARN}, with a warning.
 *
 * @example
 * ```ts
 * const app = new App();
 * addAppStacks(app, parseAppConfig({ clusterArn: app.node.tryGetContext('clusterArn') }));
 * ```
 */
export function addAppStacks(app: App, config: AppConfig): AppStacks {
  Tags.of(app).add('project', 'kafka-lambda-effectively-once');
  const removalPolicy = config.removalPolicy;

  if (config.target === 'localstack') {
    return {
      main: new EffectivelyOnceStack(app, STACK_NAMES.localstack, {
        description: 'Effectively-once Kafka consumers, LocalStack variant (no Kafka trigger)',
        removalPolicy,
      }),
    };
  }

  if (config.demo) {
    const demo = new DemoKafkaStack(app, STACK_NAMES.demoCluster, {
      description: 'Demo VPC and MSK Serverless cluster (IAM auth) for the effectively-once consumers',
    });
    const main = new EffectivelyOnceStack(app, STACK_NAMES.main, {
      description: 'Effectively-once Kafka consumers on AWS Lambda (demo cluster)',
      clusterArn: demo.clusterArn,
      clusterNetwork: demo.clusterNetwork,
      removalPolicy,
    });
    // The cross-stack reference to the cluster ARN orders the deployment: demo first.
    return { main, demo };
  }

  const main = new EffectivelyOnceStack(app, STACK_NAMES.main, {
    description: 'Effectively-once Kafka consumers on AWS Lambda',
    clusterArn: config.clusterArn ?? PLACEHOLDER_CLUSTER_ARN,
    ...(config.clusterNetwork ? { clusterNetwork: config.clusterNetwork } : {}),
    removalPolicy,
  });
  if (!config.clusterArn) {
    Annotations.of(main).addWarningV2(
      PLACEHOLDER_WARNING_ID,
      'No MSK cluster given: synthesized with a placeholder cluster ARN that cannot deploy. ' +
        'Pass -c clusterArn=arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>, or -c demo=true.',
    );
  }
  return { main };
}
