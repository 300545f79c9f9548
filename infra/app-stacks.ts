import { Annotations, type App, RemovalPolicy, Tags } from 'aws-cdk-lib';
import { assertClusterArn } from './lib/kafka-arns';
import { KafkaAuthMethod, type KafkaClusterNetwork } from './lib/kafka-source';
import { STACK_NAMES } from './stack-outputs';
import { DemoKafkaStack } from './stacks/demo-kafka-stack';
import { EffectivelyOnceStack, type KafkaAuthenticationArns } from './stacks/effectively-once-stack';

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
  /** The brokers of a self-managed cluster (`-c bootstrapServers=host1:9096,host2:9096`), in place of MSK. */
  readonly bootstrapServers?: readonly string[];
  /**
   * How the pollers authenticate (`-c kafkaAuth=IAM|SASL_SCRAM_256|SASL_SCRAM_512|MTLS
   * -c kafkaSecretArn=... [-c kafkaSecretKeyArn=...] [-c kafkaRootCaSecretArn=...]`); unset means IAM on MSK.
   */
  readonly kafkaAuthentication?: KafkaAuthenticationArns;
  /** A Kafka topic of the same cluster as the mappings' on-failure destination (`-c onFailureTopic=...`). */
  readonly onFailureTopic?: string;
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
  readonly bootstrapServers?: unknown;
  readonly kafkaAuth?: unknown;
  readonly kafkaSecretArn?: unknown;
  readonly kafkaSecretKeyArn?: unknown;
  readonly kafkaRootCaSecretArn?: unknown;
  readonly onFailureTopic?: unknown;
}

/** Complete Secrets Manager secret ARNs (with the 6-character suffix): imported without a lookup. */
const SECRET_ARN_PATTERN =
  /^arn:aws[a-zA-Z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[a-zA-Z0-9/_+=.@-]+-[a-zA-Z0-9]{6}$/;
const KMS_KEY_ARN_PATTERN = /^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/;
const AUTH_METHODS: readonly KafkaAuthMethod[] = Object.values(KafkaAuthMethod);

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
  const bootstrapServers = parseList('bootstrapServers', raw.bootstrapServers);
  if (bootstrapServers && (clusterArn || demo)) {
    throw new TypeError(
      'Context "bootstrapServers" (a self-managed cluster) excludes "clusterArn" and "demo=true" (MSK): pick one cluster',
    );
  }
  if ((subnetIds || securityGroupIds) && !clusterArn && !bootstrapServers) {
    throw new TypeError(
      'Context "clusterSubnetIds" and "clusterSecurityGroupIds" describe the network of "clusterArn" or "bootstrapServers": give them with one (the demo cluster brings its own)',
    );
  }
  const kafkaAuthentication = parseKafkaAuthentication(raw, {
    selfManaged: bootstrapServers !== undefined,
    demo,
  });
  const onFailureTopic = optionalString('onFailureTopic', raw.onFailureTopic);
  if (Boolean(subnetIds) !== Boolean(securityGroupIds)) {
    throw new TypeError(
      'Context "clusterSubnetIds" and "clusterSecurityGroupIds" go together: give the cluster\'s subnets and its security groups',
    );
  }
  if (
    target === 'localstack' &&
    (clusterArn || demo || bootstrapServers || kafkaAuthentication || onFailureTopic)
  ) {
    throw new TypeError(
      'Context target=localstack has no Kafka trigger: drop "clusterArn", "demo", "bootstrapServers", "kafkaAuth" and "onFailureTopic"',
    );
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
    ...(bootstrapServers ? { bootstrapServers } : {}),
    ...(subnetIds && securityGroupIds ? { clusterNetwork: { subnetIds, securityGroupIds } } : {}),
    ...(kafkaAuthentication ? { kafkaAuthentication } : {}),
    ...(onFailureTopic !== undefined ? { onFailureTopic } : {}),
  };
}

/**
 * `kafkaAuth` and its secrets. MSK takes IAM (the default), SASL_SCRAM_512 or MTLS; a self-managed
 * cluster SASL_SCRAM_256, SASL_SCRAM_512 or MTLS, which it needs; the demo cluster IAM only.
 */
function parseKafkaAuthentication(
  raw: RawAppContext,
  where: { selfManaged: boolean; demo: boolean },
): KafkaAuthenticationArns | undefined {
  const method = optionalString('kafkaAuth', raw.kafkaAuth);
  const secretArn = optionalString('kafkaSecretArn', raw.kafkaSecretArn);
  const secretKeyArn = optionalString('kafkaSecretKeyArn', raw.kafkaSecretKeyArn);
  const rootCaSecretArn = optionalString('kafkaRootCaSecretArn', raw.kafkaRootCaSecretArn);
  if (method === undefined) {
    if (where.selfManaged) {
      throw new TypeError(
        'Context "bootstrapServers" needs "kafkaAuth" (SASL_SCRAM_256, SASL_SCRAM_512 or MTLS) and "kafkaSecretArn"',
      );
    }
    if (secretArn || secretKeyArn || rootCaSecretArn) {
      throw new TypeError(
        'Context "kafkaSecretArn", "kafkaSecretKeyArn" and "kafkaRootCaSecretArn" go with "kafkaAuth"',
      );
    }
    return undefined;
  }
  const allowed: readonly KafkaAuthMethod[] = where.selfManaged
    ? ['SASL_SCRAM_256', 'SASL_SCRAM_512', 'MTLS']
    : where.demo
      ? ['IAM']
      : ['IAM', 'SASL_SCRAM_512', 'MTLS'];
  if (!AUTH_METHODS.includes(method as KafkaAuthMethod) || !allowed.includes(method as KafkaAuthMethod)) {
    const source = where.selfManaged ? 'a self-managed cluster' : where.demo ? 'the demo cluster' : 'MSK';
    throw new TypeError(
      `Context "kafkaAuth" must be one of ${allowed.join(', ')} for ${source}, got ${JSON.stringify(method)}`,
    );
  }
  if ((method === 'IAM') !== (secretArn === undefined)) {
    throw new TypeError(
      method === 'IAM'
        ? 'Context "kafkaSecretArn" must not be given with kafkaAuth=IAM: the execution role is the identity'
        : `Context kafkaAuth=${method} needs "kafkaSecretArn", the complete ARN of the secret with the credentials`,
    );
  }
  for (const [key, value] of [
    ['kafkaSecretArn', secretArn],
    ['kafkaRootCaSecretArn', rootCaSecretArn],
  ] as const) {
    if (value !== undefined && !SECRET_ARN_PATTERN.test(value)) {
      throw new TypeError(
        `Context "${key}" must be a complete secret ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>, got ${JSON.stringify(value)}`,
      );
    }
  }
  if (secretKeyArn !== undefined && !KMS_KEY_ARN_PATTERN.test(secretKeyArn)) {
    throw new TypeError(
      `Context "kafkaSecretKeyArn" must be a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>, got ${JSON.stringify(secretKeyArn)}`,
    );
  }
  if (secretKeyArn !== undefined && secretArn === undefined) {
    throw new TypeError('Context "kafkaSecretKeyArn" is the key of "kafkaSecretArn": give them together');
  }
  if (rootCaSecretArn !== undefined && !where.selfManaged) {
    throw new TypeError(
      'Context "kafkaRootCaSecretArn" is for a self-managed cluster ("bootstrapServers"): MSK brokers use certificates Lambda trusts',
    );
  }
  return {
    method: method as KafkaAuthMethod,
    ...(secretArn ? { secretArn } : {}),
    ...(secretKeyArn ? { secretKeyArn } : {}),
    ...(rootCaSecretArn ? { rootCaSecretArn } : {}),
  };
}

function optionalString(key: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string')
    throw new TypeError(`Context "${key}" must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** A comma-separated list (from `-c`) or a JSON array of strings (cdk.json); the construct checks each item. */
function parseList(key: string, value: unknown): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  const items = typeof value === 'string' ? value.split(',').map((item) => item.trim()) : value;
  if (
    !Array.isArray(items) ||
    items.length === 0 ||
    items.some((item) => typeof item !== 'string' || item === '')
  ) {
    throw new TypeError(`Context "${key}" must be a comma-separated list, got ${JSON.stringify(value)}`);
  }
  return items as string[];
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
 * - `bootstrapServers`: the main stack on that self-managed cluster;
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
      ...(config.onFailureTopic !== undefined ? { onFailureTopic: config.onFailureTopic } : {}),
      removalPolicy,
    });
    // The cross-stack reference to the cluster ARN orders the deployment: demo first.
    return { main, demo };
  }

  const trigger = {
    ...(config.clusterNetwork ? { clusterNetwork: config.clusterNetwork } : {}),
    ...(config.kafkaAuthentication ? { kafkaAuthentication: config.kafkaAuthentication } : {}),
    ...(config.onFailureTopic !== undefined ? { onFailureTopic: config.onFailureTopic } : {}),
  };
  if (config.bootstrapServers) {
    return {
      main: new EffectivelyOnceStack(app, STACK_NAMES.main, {
        description: 'Effectively-once Kafka consumers on AWS Lambda (self-managed Kafka)',
        bootstrapServers: config.bootstrapServers,
        ...trigger,
        removalPolicy,
      }),
    };
  }
  const main = new EffectivelyOnceStack(app, STACK_NAMES.main, {
    description: 'Effectively-once Kafka consumers on AWS Lambda',
    clusterArn: config.clusterArn ?? PLACEHOLDER_CLUSTER_ARN,
    ...trigger,
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
