import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { kafkaResourceArn } from './kafka-arns';

/**
 * The network of an MSK cluster: the subnets and security groups of its VPC configuration (for MSK
 * Serverless, its `VpcConfigs`; for a provisioned cluster, its broker subnets and security groups).
 * The event source mapping creates its network interfaces there, with exactly these.
 *
 * @example
 * ```ts
 * const network: KafkaClusterNetwork = { subnetIds: ['subnet-0a1b2c3d4e5f60718'], securityGroupIds: ['sg-0123456789abcdef0'] };
 * ```
 */
export interface KafkaClusterNetwork {
  /** The cluster's subnets. At least one. */
  readonly subnetIds: readonly string[];
  /** The cluster's security groups. At least one. */
  readonly securityGroupIds: readonly string[];
}

/** What the event source mappings of one consumer read: the cluster, and each topic with its group. */
export interface MskSubscriptions {
  /** ARN of the MSK cluster (a token is accepted). */
  readonly clusterArn: string;
  /** The cluster's network, when known. */
  readonly clusterNetwork?: KafkaClusterNetwork;
  /** Each topic, and the consumer group its mapping joins. */
  readonly subscriptions: readonly { readonly topic: string; readonly groupId: string }[];
}

/**
 * Actions the event source mapping needs that support no resource-level permissions (no resource
 * type in the Service Authorization Reference): IAM grants them only on `*`.
 */
const UNSCOPABLE_ACTIONS = [
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
  'kafka:GetBootstrapBrokers',
] as const;

/**
 * The statements of a consumer's `EventSourceMappingPolicy`, in place of the AWS-managed
 * `AWSLambdaMSKExecutionRole` that `ManagedKafkaEventSource` would attach (log writes anywhere,
 * network interfaces and cluster description on `*`) and of the `kafka:ListScramSecrets` it adds,
 * which IAM auth does not use: network interfaces in the cluster's subnets, `kafka:DescribeClusterV2`
 * on the cluster, the describes IAM cannot scope (in this region only), and the MSK data plane of
 * these topics and groups.
 *
 * @example
 * ```ts
 * new iam.Policy(this, 'EventSourceMappingPolicy', { roles: [role], statements: mskTriggerStatements(this, msk) });
 * ```
 */
export function mskTriggerStatements(scope: IConstruct, msk: MskSubscriptions): iam.PolicyStatement[] {
  const { clusterArn, subscriptions } = msk;
  return [
    ...networkInterfaceStatements(scope, msk.clusterNetwork),
    new iam.PolicyStatement({
      sid: 'DescribeCluster',
      actions: ['kafka:DescribeClusterV2'],
      resources: [clusterArn],
    }),
    new iam.PolicyStatement({
      sid: 'ActionsWithoutResourceLevelPermissions',
      actions: [...UNSCOPABLE_ACTIONS],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:RequestedRegion': Stack.of(scope).region } },
    }),
    // MSK data plane (IAM access control), scoped to this cluster, these topics and these groups.
    new iam.PolicyStatement({
      sid: 'KafkaClusterConnect',
      actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
      resources: [clusterArn],
    }),
    new iam.PolicyStatement({
      sid: 'KafkaTopicsRead',
      actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
      resources: subscriptions.map(({ topic }) => kafkaResourceArn(clusterArn, 'topic', topic)),
    }),
    new iam.PolicyStatement({
      sid: 'KafkaConsumerGroups',
      actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
      resources: subscriptions.map(({ groupId }) => kafkaResourceArn(clusterArn, 'group', groupId)),
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

/**
 * Acknowledges the cdk-nag findings (AwsSolutions-IAM5, NIST inline policy) of the mappings'
 * policy: each wildcard left is one IAM gives no way around.
 *
 * @example
 * ```ts
 * acknowledgeMskTriggerPolicy(policy, trigger.clusterNetwork);
 * ```
 */
export function acknowledgeMskTriggerPolicy(
  policy: iam.Policy,
  network: KafkaClusterNetwork | undefined,
): void {
  const ec2 = 'arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>';
  Validations.of(policy).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        `${UNSCOPABLE_ACTIONS.join(', ').replace(/, (?=[^,]*$)/, ' and ')} support no resource-level permissions ` +
        '(the Service Authorization Reference lists no resource type for them), so IAM grants them only on "*". ' +
        "They are read-only, limited to this region (aws:RequestedRegion), and the event source mapping needs them to find the cluster's network and brokers.",
    },
    {
      id: `AwsSolutions-IAM5[Resource::${ec2}:network-interface/*]`,
      reason:
        "EC2 assigns a network interface's id when it creates it, so the interfaces of the event source mapping cannot be named in advance. " +
        (network
          ? "Creation is confined by the cluster's subnet and security-group ARNs in the same statement (both are authorized with the interface); deletion by the ec2:Subnet condition."
          : 'Without clusterNetwork, creation and deletion are confined to this account and region only.'),
    },
    {
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason: INLINE_POLICY_REASON,
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
