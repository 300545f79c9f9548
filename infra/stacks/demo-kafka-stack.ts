import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as msk from 'aws-cdk-lib/aws-msk';
import type { Construct } from 'constructs';
import type { KafkaClusterNetwork } from '../lib/kafka-source';

/**
 * Port of MSK's IAM (SASL/IAM over TLS) listener.
 *
 * @example
 * ```ts
 * securityGroup.addIngressRule(clientGroup, ec2.Port.tcp(MSK_IAM_PORT));
 * ```
 */
export const MSK_IAM_PORT = 9098;

/**
 * Properties of a {@link DemoKafkaStack}.
 *
 * @example
 * ```ts
 * new DemoKafkaStack(app, STACK_NAMES.demoCluster, { maxAzs: 3 });
 * ```
 */
export interface DemoKafkaStackProps extends StackProps {
  /**
   * Availability zones to spread the cluster's subnets over (MSK Serverless needs two or more).
   *
   * @default 2
   */
  readonly maxAzs?: number;
}

/**
 * A throwaway Kafka for an empty account (`-c demo=true`): a VPC with isolated subnets only (no
 * NAT gateway), an MSK Serverless cluster with IAM access control, and interface endpoints for
 * Lambda and STS, which the event source mapping's pollers reach from the cluster's subnets in
 * place of a NAT gateway, and for SQS, where the mappings send the metadata of exhausted batches
 * (their on-failure destination, which Lambda reaches from inside the cluster's VPC). Topics are not
 * created here: MSK Serverless has no CloudFormation topic resource, so create them with a Kafka
 * client in the VPC (see the README).
 *
 * It costs money while it exists (cluster-hours, partition-hours, endpoint-hours): destroy it
 * when done.
 *
 * @example
 * ```ts
 * const demo = new DemoKafkaStack(app, STACK_NAMES.demoCluster);
 * new EffectivelyOnceStack(app, STACK_NAMES.main, { clusterArn: demo.clusterArn });
 * ```
 */
export class DemoKafkaStack extends Stack {
  /** The VPC of the cluster. */
  public readonly vpc: ec2.Vpc;
  /** The security group of the cluster, its clients and the endpoints. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The MSK Serverless cluster. */
  public readonly cluster: msk.CfnServerlessCluster;
  /** ARN of the cluster (a token until deploy time). */
  public readonly clusterArn: string;
  /** The cluster's subnets and security group, where the event source mappings' network interfaces go. */
  public readonly clusterNetwork: KafkaClusterNetwork;

  constructor(scope: Construct, id: string, props: DemoKafkaStackProps = {}) {
    super(scope, id, props);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: props.maxAzs ?? 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'cluster', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    });
    const flowLogsReason =
      'Demo VPC for a short-lived MSK Serverless cluster with no internet path; flow logs would add ' +
      'CloudWatch ingestion cost without a consumer of them. Add them if you keep the VPC.';
    Validations.of(this.vpc).acknowledge(
      { id: 'AwsSolutions-VPC7', reason: flowLogsReason },
      { id: 'NIST.800.53.R5-VPCFlowLogsEnabled', reason: flowLogsReason },
      {
        id: 'NIST.800.53.R5-VPCDefaultSecurityGroupClosed',
        reason:
          "Nothing in the demo uses the VPC's default security group (the cluster, the endpoints and the pollers use " +
          "ClusterSecurityGroup); closing it takes CDK's restrictDefaultSecurityGroup custom resource, one more Lambda " +
          'function and role in a throwaway VPC.',
      },
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: this.vpc,
      // Kept as deployed (a new description replaces the group, and the cluster with it); it fronts the SQS endpoint too.
      description: 'MSK Serverless demo cluster, its clients and the Lambda/STS interface endpoints',
    });
    // Members of the group (the ESM pollers, clients you launch with it) reach the brokers and the endpoints.
    // (Ingress only: the group allows all outbound traffic already.)
    this.securityGroup.addIngressRule(this.securityGroup, ec2.Port.tcp(MSK_IAM_PORT), 'Kafka (IAM auth)');
    this.securityGroup.addIngressRule(
      this.securityGroup,
      ec2.Port.tcp(443),
      'Lambda, STS and SQS interface endpoints',
    );

    const subnets = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    for (const [endpointId, service] of [
      ['LambdaEndpoint', ec2.InterfaceVpcEndpointAwsService.LAMBDA],
      ['StsEndpoint', ec2.InterfaceVpcEndpointAwsService.STS],
      // The mappings' on-failure destination (the dead-letter queue), reached from the cluster's VPC.
      ['SqsEndpoint', ec2.InterfaceVpcEndpointAwsService.SQS],
    ] as const) {
      this.vpc.addInterfaceEndpoint(endpointId, {
        service,
        subnets,
        securityGroups: [this.securityGroup],
        // Reachable from members of the group only (ingress rules above), not from the whole VPC CIDR.
        open: false,
        privateDnsEnabled: true,
      });
    }

    this.cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
      // Required by CloudFormation (MSK has no generated names); unique per account and region.
      clusterName: `${this.stackName}`.slice(0, 64),
      clientAuthentication: { sasl: { iam: { enabled: true } } },
      vpcConfigs: [
        {
          subnetIds: this.vpc.selectSubnets(subnets).subnetIds,
          securityGroups: [this.securityGroup.securityGroupId],
        },
      ],
    });
    this.clusterArn = this.cluster.attrArn;
    this.clusterNetwork = {
      subnetIds: this.vpc.selectSubnets(subnets).subnetIds,
      securityGroupIds: [this.securityGroup.securityGroupId],
    };

    new CfnOutput(this, 'ClusterArn', { value: this.clusterArn });
    new CfnOutput(this, 'ClientSecurityGroupId', {
      description: 'Launch Kafka clients (to create topics, to produce) with this security group',
      value: this.securityGroup.securityGroupId,
    });
    new CfnOutput(this, 'ClientSubnetIds', { value: this.vpc.selectSubnets(subnets).subnetIds.join(',') });
  }
}
