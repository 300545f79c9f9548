/**
 * The IAM of a consumer's Kafka trigger (`EventSourceMappingPolicy`): what the event source
 * mapping's pollers do with the execution role, per source and option, each statement checked
 * against the AWS documentation cited beside it:
 *
 * - MSK: https://docs.aws.amazon.com/lambda/latest/dg/with-msk-permissions.html
 * - self-managed Kafka: https://docs.aws.amazon.com/lambda/latest/dg/with-kafka-permissions.html
 * - a Kafka on-failure destination: https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html
 *   and the MSK action semantics, https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html
 * - schema registries: https://docs.aws.amazon.com/lambda/latest/dg/services-consume-kafka-events.html
 *   (and with-msk-permissions.html, "Optional permissions")
 * - resource types and condition keys of each action: the Service Authorization Reference.
 */
import { Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { kafkaResourceArn } from './kafka-arns';
import type { KafkaAuthMethod, KafkaClusterNetwork } from './kafka-source';

/** Where a trigger reads: an MSK cluster, or a self-managed one (reached in a VPC or over the internet). */
export type KafkaTriggerSource =
  | {
      readonly kind: 'msk';
      /** ARN of the MSK cluster (a token is accepted). */
      readonly clusterArn: string;
      /** The cluster's network, when known. */
      readonly clusterNetwork?: KafkaClusterNetwork;
      readonly authMethod: KafkaAuthMethod;
    }
  | {
      readonly kind: 'self-managed';
      /** The subnets and security groups the brokers are reachable from; none when reached over the internet. */
      readonly network?: KafkaClusterNetwork;
    };

/** Everything the trigger's policy is derived from. */
export interface KafkaTriggerGrants {
  readonly source: KafkaTriggerSource;
  /** Each topic, and the consumer group its mapping joins. */
  readonly subscriptions: readonly { readonly topic: string; readonly groupId: string }[];
  /** The Kafka topic exhausted batches go to, when it replaces the SQS queue. */
  readonly onFailureTopic?: string;
  /** Every Secrets Manager secret the pollers read (authentication, root CA, schema registry). */
  readonly secrets: readonly secretsmanager.ISecret[];
  /** ARN of the AWS Glue schema registry the mappings validate against. */
  readonly glueRegistryArn?: string;
}

/**
 * Actions the event source mapping needs that support no resource-level permissions (no resource
 * type in the Service Authorization Reference): IAM grants them only on `*`.
 */
const UNSCOPABLE_EC2_ACTIONS = [
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
] as const;
const UNSCOPABLE_MSK_ACTIONS = [...UNSCOPABLE_EC2_ACTIONS, 'kafka:GetBootstrapBrokers'] as const;

const usesVpc = (source: KafkaTriggerSource) => source.kind === 'msk' || source.network !== undefined;
const networkOf = (source: KafkaTriggerSource) =>
  source.kind === 'msk' ? source.clusterNetwork : source.network;
const unscopable = (source: KafkaTriggerSource): readonly string[] =>
  source.kind === 'msk' ? UNSCOPABLE_MSK_ACTIONS : UNSCOPABLE_EC2_ACTIONS;

/**
 * The statements of a consumer's `EventSourceMappingPolicy`, in place of the AWS-managed
 * `AWSLambdaMSKExecutionRole` that `ManagedKafkaEventSource` would attach (log writes anywhere,
 * network interfaces and cluster description on `*`), of the `kafka:ListScramSecrets` it adds for
 * every auth method, and of `secret.grantRead` (which adds `DescribeSecret`):
 *
 * - network interfaces in the cluster's subnets (MSK always; self-managed when it is in a VPC);
 * - MSK: `kafka:DescribeClusterV2` on the cluster; with IAM auth the MSK data plane of these topics
 *   and groups (and `WriteData` on a Kafka on-failure topic); with SASL/SCRAM `kafka:ListScramSecrets`;
 * - `secretsmanager:GetSecretValue` on exactly the trigger's secrets, `kms:Decrypt` with their keys
 *   through Secrets Manager only;
 * - Glue: `GetRegistry` on the registry, `GetSchemaVersion` on it and its schemas.
 *
 * @example
 * ```ts
 * new iam.Policy(this, 'EventSourceMappingPolicy', { roles: [role], statements: kafkaTriggerStatements(this, grants) });
 * ```
 */
export function kafkaTriggerStatements(scope: IConstruct, grants: KafkaTriggerGrants): iam.PolicyStatement[] {
  const { source } = grants;
  const statements: iam.PolicyStatement[] = [];
  if (usesVpc(source)) {
    // with-msk-permissions.html / with-kafka-permissions.html, "VPC permissions".
    statements.push(...networkInterfaceStatements(scope, networkOf(source)));
    statements.push(
      new iam.PolicyStatement({
        sid: 'ActionsWithoutResourceLevelPermissions',
        actions: [...unscopable(source)],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': Stack.of(scope).region } },
      }),
    );
  }
  if (source.kind === 'msk') statements.push(...mskStatements(source, grants));
  statements.push(...secretStatements(scope, grants.secrets));
  if (grants.glueRegistryArn !== undefined) statements.push(...glueStatements(grants.glueRegistryArn));
  return statements;
}

function mskStatements(
  source: Extract<KafkaTriggerSource, { kind: 'msk' }>,
  grants: KafkaTriggerGrants,
): iam.PolicyStatement[] {
  const { clusterArn } = source;
  const statements = [
    // with-msk-permissions.html, "Cluster access permissions": DescribeClusterV2 (serverless needs V2).
    new iam.PolicyStatement({
      sid: 'DescribeCluster',
      actions: ['kafka:DescribeClusterV2'],
      resources: [clusterArn],
    }),
  ];
  if (source.authMethod === 'SASL_SCRAM_512') {
    // with-msk-permissions.html, "Optional permissions": ListScramSecrets to find the cluster's SCRAM secret.
    statements.push(
      new iam.PolicyStatement({
        sid: 'ListScramSecrets',
        actions: ['kafka:ListScramSecrets'],
        resources: [clusterArn],
      }),
    );
  }
  if (source.authMethod !== 'IAM') return statements;
  // MSK data plane (IAM access control), scoped to this cluster, these topics and these groups.
  statements.push(
    new iam.PolicyStatement({
      sid: 'KafkaClusterConnect',
      actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
      resources: [clusterArn],
    }),
    new iam.PolicyStatement({
      sid: 'KafkaTopicsRead',
      actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
      resources: grants.subscriptions.map(({ topic }) => kafkaResourceArn(clusterArn, 'topic', topic)),
    }),
    new iam.PolicyStatement({
      sid: 'KafkaConsumerGroups',
      actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
      resources: grants.subscriptions.map(({ groupId }) => kafkaResourceArn(clusterArn, 'group', groupId)),
    }),
  );
  if (grants.onFailureTopic !== undefined) {
    // kafka-on-failure.html: "For a Kafka destination: kafka-cluster:WriteData"; kafka-actions.html:
    // WriteData requires Connect (granted above, on the cluster) and DescribeTopic, on the topic.
    statements.push(
      new iam.PolicyStatement({
        sid: 'KafkaOnFailureTopicWrite',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        resources: [kafkaResourceArn(clusterArn, 'topic', grants.onFailureTopic)],
      }),
    );
  }
  return statements;
}

/**
 * with-kafka-permissions.html and with-msk-permissions.html, "Secrets Manager and AWS KMS
 * permissions": `secretsmanager:GetSecretValue`, and `kms:Decrypt` for a secret encrypted with a
 * customer-managed key; the decrypt is allowed only as Secrets Manager's call (`kms:ViaService`).
 */
function secretStatements(
  scope: IConstruct,
  secrets: readonly secretsmanager.ISecret[],
): iam.PolicyStatement[] {
  if (secrets.length === 0) return [];
  // A secret imported by partial ARN has no full ARN: match its random suffix, as CDK's grants do.
  const arns = [...new Set(secrets.map((s) => s.secretFullArn ?? `${s.secretArn}-??????`))];
  const statements = [
    new iam.PolicyStatement({
      sid: 'ReadKafkaSecrets',
      actions: ['secretsmanager:GetSecretValue'],
      resources: arns,
    }),
  ];
  const keys = [...new Set(secrets.flatMap((s) => (s.encryptionKey ? [s.encryptionKey.keyArn] : [])))];
  if (keys.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'DecryptKafkaSecrets',
        actions: ['kms:Decrypt'],
        resources: keys,
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(scope).region}.amazonaws.com` },
        },
      }),
    );
  }
  return statements;
}

/**
 * The schemas of a Glue registry, `arn:...:schema/<registry>/*`, from the registry's ARN
 * `arn:...:registry/<registry>` (with `Fn::Split` on a token).
 *
 * @example
 * ```ts
 * glueSchemasArn('arn:aws:glue:eu-west-1:123456789012:registry/orders'); // arn:aws:glue:eu-west-1:123456789012:schema/orders/*
 * ```
 */
export function glueSchemasArn(registryArn: string): string {
  if (!Token.isUnresolved(registryArn)) return `${registryArn.replace(':registry/', ':schema/')}/*`;
  const parts = Fn.split(':registry/', registryArn);
  return Fn.join('', [Fn.select(0, parts), ':schema/', Fn.select(1, parts), '/*']);
}

/**
 * with-msk-permissions.html, "Optional permissions": `glue:GetRegistry` and `glue:GetSchemaVersion`.
 * The same resources as aws-cdk-lib's `GlueSchemaRegistry` grants: the registry, and for schema
 * versions the registry and its schemas.
 */
function glueStatements(registryArn: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'GlueRegistryRead',
      actions: ['glue:GetRegistry'],
      resources: [registryArn],
    }),
    new iam.PolicyStatement({
      sid: 'GlueSchemaVersionsRead',
      actions: ['glue:GetSchemaVersion'],
      resources: [registryArn, glueSchemasArn(registryArn)],
    }),
  ];
}

/**
 * Network interfaces of the event source mapping. `ec2:CreateNetworkInterface` authorizes the
 * subnet (required), the security groups and the new interface, so naming the cluster's subnets
 * and groups confines creation to them; the interface's own id is not known before EC2 creates
 * it. `ec2:DeleteNetworkInterface` authorizes the interface only, so it is conditioned on the
 * interface's subnet (`ec2:Subnet`). Without the network, both are confined to the account and region.
 */
function networkInterfaceStatements(
  scope: IConstruct,
  network: KafkaClusterNetwork | undefined,
): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const ec2Arn = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'ec2', resource, resourceName });
  const networkInterfaces = ec2Arn('network-interface', '*');
  if (network === undefined) {
    return [
      new iam.PolicyStatement({
        sid: 'CreateNetworkInterfacesInAccount',
        actions: ['ec2:CreateNetworkInterface'],
        resources: [ec2Arn('subnet', '*'), ec2Arn('security-group', '*'), networkInterfaces],
      }),
      new iam.PolicyStatement({
        sid: 'DeleteNetworkInterfacesInAccount',
        actions: ['ec2:DeleteNetworkInterface'],
        resources: [networkInterfaces],
      }),
    ];
  }
  const subnets = network.subnetIds.map((id) => ec2Arn('subnet', id));
  return [
    new iam.PolicyStatement({
      sid: 'CreateNetworkInterfacesInClusterSubnets',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [
        ...subnets,
        ...network.securityGroupIds.map((id) => ec2Arn('security-group', id)),
        networkInterfaces,
      ],
    }),
    new iam.PolicyStatement({
      sid: 'DeleteNetworkInterfacesInClusterSubnets',
      actions: ['ec2:DeleteNetworkInterface'],
      resources: [networkInterfaces],
      conditions: { ArnEquals: { 'ec2:Subnet': subnets } },
    }),
  ];
}

const andList = (items: readonly string[]) => items.join(', ').replace(/, (?=[^,]*$)/, ' and ');

/**
 * Acknowledges the cdk-nag findings (AwsSolutions-IAM5, NIST inline policy) of the mappings'
 * policy: each wildcard left is one IAM gives no way around, and only those the policy has.
 *
 * @example
 * ```ts
 * acknowledgeKafkaTriggerPolicy(policy, grants);
 * ```
 */
export function acknowledgeKafkaTriggerPolicy(policy: iam.Policy, grants: KafkaTriggerGrants): void {
  const { source } = grants;
  const network = networkOf(source);
  const ec2 = 'arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>';
  Validations.of(policy).acknowledge({
    id: 'NIST.800.53.R5-IAMNoInlinePolicy',
    reason: INLINE_POLICY_REASON,
  });
  if (grants.glueRegistryArn !== undefined && !Token.isUnresolved(grants.glueRegistryArn)) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${glueSchemasArn(grants.glueRegistryArn)}]`,
      reason:
        'The event source mapping looks up the schema version each record names (any schema of the registry, chosen by the producer), ' +
        "so glue:GetSchemaVersion is granted on the schemas of this one registry (schema/<registry>/*), as aws-cdk-lib's GlueSchemaRegistry grants it; read-only.",
    });
  }
  if (!usesVpc(source)) return;
  Validations.of(policy).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        `${andList(unscopable(source))} support no resource-level permissions ` +
        '(the Service Authorization Reference lists no resource type for them), so IAM grants them only on "*". ' +
        "They are read-only, limited to this region (aws:RequestedRegion), and the event source mapping needs them to find the cluster's network" +
        (source.kind === 'msk' ? ' and brokers.' : '.'),
    },
    {
      id: `AwsSolutions-IAM5[Resource::${ec2}:network-interface/*]`,
      reason:
        "EC2 assigns a network interface's id when it creates it, so the interfaces of the event source mapping cannot be named in advance. " +
        (network
          ? "Creation is confined by the cluster's subnet and security-group ARNs in the same statement (both are authorized with the interface); deletion by the ec2:Subnet condition."
          : 'Without clusterNetwork, creation and deletion are confined to this account and region only.'),
    },
  );
  if (network) return;
  for (const resource of ['subnet', 'security-group']) {
    Validations.of(policy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${ec2}:${resource}/*]`,
      reason:
        `clusterNetwork is not set, so the cluster's ${resource === 'subnet' ? 'subnets' : 'security groups'} are unknown at synth time ` +
        "and ec2:CreateNetworkInterface is confined to this account and region only (the construct warns). Pass the cluster's " +
        'subnets and security groups to confine it to them.',
    });
  }
}

/**
 * Why a consumer's role keeps its policies inline (NIST.800.53.R5-IAMNoInlinePolicy).
 *
 * @example
 * ```ts
 * Validations.of(role).acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON });
 * ```
 */
export const INLINE_POLICY_REASON =
  "The role's policies are inline on purpose: each holds only this consumer's grants (its tables, its cluster's network, its topics and groups) " +
  'and lives and dies with the role, whereas a customer-managed policy could be attached to other identities and outlive the consumer.';
