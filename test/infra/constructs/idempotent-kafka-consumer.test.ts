import { CfnParameter, Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DeadLetterQueue } from '../../../infra/constructs/dead-letter-queue';
import { IdempotencyTable } from '../../../infra/constructs/idempotency-table';
import {
  IdempotentKafkaConsumer,
  type IdempotentKafkaConsumerProps,
  type MskTriggerProps,
} from '../../../infra/constructs/idempotent-kafka-consumer';
import { FUNCTION_ESBUILD_TARGET } from '../../../scripts/lib/local';
import { type ConsumerManifest, ENV, IDEMPOTENCY_TABLE_ACTIONS, MetricName } from '../../../shared/internal';
import {
  acknowledgments,
  actionsOf,
  appWithoutBundling,
  CLUSTER,
  ENTRY,
  ESM_VPC_ACTIONS,
  logicalId,
  nagFindings,
  ORDERS,
  ordersConsumer,
  policyStatements,
  resourcesFor,
  roleStatements,
  type Statement,
  TOPICS,
} from '../support';

/** `ORDERS` with its own tables. */
function ordersWith(tables: ConsumerManifest['tables']): ConsumerManifest {
  return { ...ORDERS, tables };
}
const SUBNETS = ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'];
const SECURITY_GROUPS = ['sg-0123456789abcdef0'];

/** An EC2 ARN in the stack's partition, region and account, as the template spells it. */
function ec2Arn(resource: string): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':ec2:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:${resource}`,
      ],
    ],
  };
}

/** The EC2 and MSK control-plane actions an MSK event source mapping needs (AWSLambdaMSKExecutionRole's, less logs). */
const ESM_CONTROL_PLANE_ACTIONS = [
  ...ESM_VPC_ACTIONS,
  'kafka:DescribeClusterV2',
  'kafka:GetBootstrapBrokers',
];

/** The MSK data-plane actions of IAM access control that the pollers use on topics and groups. */
const KAFKA_DATA_PLANE_ACTIONS = [
  'kafka-cluster:AlterGroup',
  'kafka-cluster:Connect',
  'kafka-cluster:DescribeClusterDynamicConfiguration',
  'kafka-cluster:DescribeGroup',
  'kafka-cluster:DescribeTopic',
  'kafka-cluster:ReadData',
];

/** The statement granting `action`, its resources in a stable order; fails when there is not exactly one. */
function statementFor(statements: readonly Statement[], action: string): Statement {
  const found = statements.filter((s) => s.actions.includes(action));
  if (found.length !== 1) throw new Error(`expected one statement granting ${action}, found ${found.length}`);
  const statement = found[0] as Statement;
  return { ...statement, resources: sortedResources(statement.resources) };
}

/** Resources in a stable order (CDK may reorder them when it minimizes policies). */
function sortedResources(resources: readonly unknown[]): unknown[] {
  return [...resources].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/**
 * A stack with the shared resources and one consumer of `ORDERS` built from `overrides`, with its
 * MSK trigger added from `trigger` (none when `null`).
 */
function build(
  overrides: Partial<IdempotentKafkaConsumerProps> = {},
  trigger: Partial<MskTriggerProps> | null = {},
): { stack: Stack; consumer: IdempotentKafkaConsumer } {
  const built = ordersConsumer(overrides);
  if (trigger !== null) built.consumer.addMskTrigger({ clusterArn: CLUSTER, ...trigger });
  return built;
}

/** Builds, expecting the constructor or `addMskTrigger` to throw; returns the message. */
function failure(
  overrides: Partial<IdempotentKafkaConsumerProps>,
  trigger: Partial<MskTriggerProps> = {},
): string {
  try {
    build(overrides, trigger);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the construct to throw');
}

/** A plain pk table in `stack`. */
function ownTable(stack: Stack, id = 'Own'): dynamodb.Table {
  return new dynamodb.Table(stack, id, { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
}

describe('IdempotentKafkaConsumer', () => {
  test('with a spill bucket, sets DEAD_LETTER_SPILL_BUCKET and grants exactly s3:PutObject under dead-letters/', () => {
    // GIVEN a stack whose dead-letter queue has a spill bucket
    const stack = new Stack(appWithoutBundling(), 'Spill');
    const dlq = new DeadLetterQueue(stack, 'DeadLetterQueue', { spillBucket: true });
    const spill = dlq.spillBucket;
    if (!spill) throw new Error('expected a spill bucket');
    // WHEN a consumer is given it
    const consumer = new IdempotentKafkaConsumer(stack, 'Orders', {
      manifest: ORDERS,
      entry: ENTRY,
      idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
      deadLetterQueue: dlq.queue,
      deadLetterSpillBucket: spill,
    });
    const template = Template.fromStack(stack);
    // THEN the variable names the bucket, and the only S3 action is PutObject on the sink's prefix
    const bucketId = logicalId(template, 'AWS::S3::Bucket', 'DeadLetterQueueSpillBucket');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.DEAD_LETTER_SPILL_BUCKET]: { Ref: bucketId } }) },
    });
    const statements = roleStatements(template, 'OrdersRole');
    expect(actionsOf(statements).filter((a) => a.startsWith('s3:'))).toEqual(['s3:PutObject']);
    expect(resourcesFor(statements, 's3:PutObject')).toEqual([
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/dead-letters/*']] },
    ]);
    expect(nagFindings(consumer)).toEqual([]);
  });

  describe('with defaults and two topics', () => {
    let stack: Stack;
    let template: Template;
    beforeAll(() => {
      // GIVEN the shared table and queue; WHEN a consumer of two topics is added with defaults
      ({ stack } = build());
      template = Template.fromStack(stack);
    });

    test('runs Node.js 24 on arm64 without the source-map flag (no source-map cost at init)', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 60,
        Handler: 'index.handler',
        FunctionName: Match.absent(),
        Environment: { Variables: Match.objectLike({ NODE_OPTIONS: Match.absent() }) },
      });
    });

    test("runs the runtime the local bundles target (chaos workers, the benchmark's figures)", () => {
      // The local tools' esbuild target is `node<major>`; NodejsFunction derives the deployed one
      // from this runtime. A default runtime moved without the target (or back) fails here.
      const major = FUNCTION_ESBUILD_TARGET.replace(/^node/, '');
      template.hasResourceProperties('AWS::Lambda::Function', { Runtime: `nodejs${major}.x` });
    });

    test('sets the environment from the shared ENV names', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            [ENV.IDEMPOTENCY_TABLE_NAME]: { Ref: Match.stringLikeRegexp('^IdempotencyTable') },
            [ENV.SERVICE_NAME]: 'orders',
            [ENV.METRICS_NAMESPACE]: 'KafkaIdempotency',
            [ENV.DEAD_LETTER_QUEUE_URL]: { Ref: Match.stringLikeRegexp('^DeadLetterQueue') },
            [ENV.PARTIAL_BATCH_RESPONSE]: 'true',
            [ENV.FAILURE_MODE]: 'fail-closed',
          }),
        },
      });
    });

    test('logs to its own retained log group with a one-month retention', () => {
      const logGroup = logicalId(template, 'AWS::Logs::LogGroup', 'OrdersLogGroup');
      template.hasResource('AWS::Logs::LogGroup', {
        DeletionPolicy: 'Retain',
        Properties: { RetentionInDays: 30 },
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        LoggingConfig: { LogGroup: { Ref: logGroup } },
      });
    });

    test.each(TOPICS)('maps topic %s with deliberate error handling in provisioned mode', (topic) => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: CLUSTER,
        Topics: [topic],
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: `orders.${topic}` },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: Match.absent(),
        MaximumRetryAttempts: 10,
        BisectBatchOnFunctionError: true,
        MaximumRecordAgeInSeconds: Match.absent(),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetterQueue'), 'Arn'] } },
        },
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 2 },
      });
    });

    test('grants the idempotency table exactly the layer actions, on its ARN', () => {
      const statements = roleStatements(template, 'OrdersRole');
      const table = { 'Fn::GetAtt': [expect.stringMatching(/^IdempotencyTable/), 'Arn'] };
      for (const action of IDEMPOTENCY_TABLE_ACTIONS)
        expect(resourcesFor(statements, action)).toEqual([table]);
      expect(resourcesFor(statements, 'dynamodb:Scan')).toEqual([]);
      expect(resourcesFor(statements, 'dynamodb:DescribeTable')).toEqual([]);
    });

    test('may send to the dead-letter queue only', () => {
      const statements = roleStatements(template, 'OrdersRole');
      expect(resourcesFor(statements, 'sqs:SendMessage')).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/^DeadLetterQueue/), 'Arn'] },
      ]);
    });

    test('reads the MSK data plane of its own cluster, topics and groups only', () => {
      const statements = roleStatements(template, 'OrdersRole');
      const base = 'arn:aws:kafka:eu-west-1:123456789012';
      const suffix = 'events/7f9e1c2a-0b1d-4c3e-9f00-1234567890ab-2';
      expect(resourcesFor(statements, 'kafka-cluster:Connect')).toEqual([CLUSTER]);
      expect(resourcesFor(statements, 'kafka-cluster:DescribeClusterDynamicConfiguration')).toEqual([
        CLUSTER,
      ]);
      const topicArns = TOPICS.map((topic) => `${base}:topic/${suffix}/${topic}`).sort();
      expect(resourcesFor(statements, 'kafka-cluster:DescribeTopic').sort()).toEqual(topicArns);
      expect(resourcesFor(statements, 'kafka-cluster:ReadData').sort()).toEqual(topicArns);
      const groupArns = TOPICS.map((topic) => `${base}:group/${suffix}/orders.${topic}`).sort();
      expect(resourcesFor(statements, 'kafka-cluster:DescribeGroup').sort()).toEqual(groupArns);
      expect(resourcesFor(statements, 'kafka-cluster:AlterGroup').sort()).toEqual(groupArns);
      // Never the write side of Kafka.
      expect(resourcesFor(statements, 'kafka-cluster:WriteData')).toEqual([]);
    });

    test('attaches no managed policy: AWSLambdaMSKExecutionRole is replaced by scoped statements', () => {
      template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
      expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).not.toMatch(
        /AWSLambdaMSKExecutionRole/,
      );
    });

    test('grants no kafka:ListScramSecrets and no kafka:DescribeCluster (IAM auth: no SCRAM secret, V2 only)', () => {
      const statements = roleStatements(template, 'OrdersRole');
      expect(resourcesFor(statements, 'kafka:ListScramSecrets')).toEqual([]);
      expect(resourcesFor(statements, 'kafka:DescribeCluster')).toEqual([]);
      expect(actionsOf(statements).filter((action) => action.startsWith('kafka:'))).toEqual([
        'kafka:DescribeClusterV2',
        'kafka:GetBootstrapBrokers',
      ]);
    });

    test('writes logs to its own log group only, and cannot create log groups', () => {
      const statements = roleStatements(template, 'OrdersRole');
      const logGroup = logicalId(template, 'AWS::Logs::LogGroup', 'OrdersLogGroup');
      expect(actionsOf(statements).filter((action) => action.startsWith('logs:'))).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ]);
      expect(statementFor(statements, 'logs:PutLogEvents').resources).toEqual([
        { 'Fn::GetAtt': [logGroup, 'Arn'] },
      ]);
    });

    test("the function's own policy holds what the handler calls, and no wildcard", () => {
      const statements = policyStatements(template, 'OrdersRoleDefaultPolicy');
      expect(actionsOf(statements)).toEqual(
        [
          ...IDEMPOTENCY_TABLE_ACTIONS,
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:SendMessage',
        ].sort(),
      );
      for (const statement of statements) {
        expect(statement.actions.filter((action) => action.includes('*'))).toEqual([]);
        expect(JSON.stringify(statement.resources)).not.toMatch(/\*/);
      }
    });

    test("the mappings' policy holds exactly what the pollers need, and every mapping waits for it", () => {
      const policy = logicalId(template, 'AWS::IAM::Policy', 'OrdersEventSourceMappingPolicy');
      const statements = policyStatements(template, 'OrdersEventSourceMappingPolicy');
      expect(actionsOf(statements)).toEqual(
        [...ESM_CONTROL_PLANE_ACTIONS, ...KAFKA_DATA_PLANE_ACTIONS].sort(),
      );
      const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
      expect(mappings).toHaveLength(TOPICS.length);
      for (const mapping of mappings) expect(mapping.DependsOn).toContain(policy);
    });

    test('describes its own cluster only (kafka:DescribeClusterV2 on the cluster ARN)', () => {
      const statements = roleStatements(template, 'OrdersRole');
      expect(statementFor(statements, 'kafka:DescribeClusterV2')).toMatchObject({
        actions: ['kafka:DescribeClusterV2'],
        resources: [CLUSTER],
      });
    });

    test('grants on * only the actions IAM cannot scope to a resource, and only in this region', () => {
      const statements = roleStatements(template, 'OrdersRole');
      const unscoped = statements.filter((s) => s.resources.includes('*'));
      expect(unscoped).toEqual([
        {
          sid: 'ActionsWithoutResourceLevelPermissions',
          effect: 'Allow',
          actions: [
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSecurityGroups',
            'ec2:DescribeSubnets',
            'ec2:DescribeVpcs',
            'kafka:GetBootstrapBrokers',
          ],
          resources: ['*'],
          condition: { StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } },
        },
      ]);
    });

    test("without the cluster's network, creates network interfaces in this account and region only, and warns", () => {
      const statements = roleStatements(template, 'OrdersRole');
      expect(statementFor(statements, 'ec2:CreateNetworkInterface')).toMatchObject({
        actions: ['ec2:CreateNetworkInterface'],
        resources: sortedResources([
          ec2Arn('subnet/*'),
          ec2Arn('security-group/*'),
          ec2Arn('network-interface/*'),
        ]),
      });
      expect(statementFor(statements, 'ec2:DeleteNetworkInterface')).toMatchObject({
        actions: ['ec2:DeleteNetworkInterface'],
        resources: [ec2Arn('network-interface/*')],
      });
      Annotations.fromStack(stack).hasWarning(
        '/Test/Orders',
        Match.stringLikeRegexp('clusterNetwork is not set.*any subnet and security group'),
      );
    });

    test('alarms on errors, throttles, dead-lettered records and offset lag', () => {
      const fn = { Ref: Match.stringLikeRegexp('^OrdersFunction') };
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: fn }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
        Threshold: 1,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'KafkaIdempotency',
        MetricName: MetricName.DEAD_LETTERED,
        Dimensions: [{ Name: 'service', Value: 'orders' }],
        Statistic: 'Sum',
        Threshold: 1,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'OffsetLag',
        Dimensions: [{ Name: 'FunctionName', Value: fn }],
        Statistic: 'Maximum',
        Period: 300,
        EvaluationPeriods: 3,
        Threshold: 1000,
      });
    });

    test('has no unacknowledged cdk-nag finding (AwsSolutions, Serverless, NIST 800-53 R5)', () => {
      expect(nagFindings(stack)).toEqual([]);
    });

    test('acknowledges no managed policy, and names why each wildcard resource remains', () => {
      const acks = acknowledgments(stack);
      expect(
        acks.filter((a) => a.id.includes('IAM4') || a.reason.includes('AWSLambdaMSKExecutionRole')),
      ).toEqual([]);
      const iam5 = acks.filter((a) => a.id.includes('AwsSolutions-IAM5'));
      expect(iam5.map((a) => a.id.replace(/^Annotation::/, '')).sort()).toEqual([
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:security-group/*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:subnet/*]',
      ]);
      const star = iam5.find((a) => a.id.endsWith('[Resource::*]'));
      expect(star?.reason).toMatch(
        /ec2:DescribeNetworkInterfaces, ec2:DescribeVpcs, ec2:DescribeSubnets, ec2:DescribeSecurityGroups and kafka:GetBootstrapBrokers .*no resource-level permissions/,
      );
      for (const ack of iam5) expect(ack.path).toBe('Test/Orders/EventSourceMappingPolicy');
    });
  });

  describe('on a cluster whose network is given', () => {
    let stack: Stack;
    let template: Template;
    const subnetArns = SUBNETS.map((id) => ec2Arn(`subnet/${id}`));
    beforeAll(() => {
      // GIVEN the cluster's subnets and security groups; WHEN a consumer is added
      ({ stack } = build({}, { clusterNetwork: { subnetIds: SUBNETS, securityGroupIds: SECURITY_GROUPS } }));
      template = Template.fromStack(stack);
    });

    test("creates network interfaces only in the cluster's subnets, with the cluster's security groups", () => {
      const statements = roleStatements(template, 'OrdersRole');
      expect(statementFor(statements, 'ec2:CreateNetworkInterface')).toEqual({
        sid: 'CreateNetworkInterfacesInClusterSubnets',
        effect: 'Allow',
        actions: ['ec2:CreateNetworkInterface'],
        resources: sortedResources([
          ...subnetArns,
          ...SECURITY_GROUPS.map((id) => ec2Arn(`security-group/${id}`)),
          ec2Arn('network-interface/*'),
        ]),
      });
    });

    test("deletes network interfaces only when they are in the cluster's subnets", () => {
      const statements = roleStatements(template, 'OrdersRole');
      expect(statementFor(statements, 'ec2:DeleteNetworkInterface')).toEqual({
        sid: 'DeleteNetworkInterfacesInClusterSubnets',
        effect: 'Allow',
        actions: ['ec2:DeleteNetworkInterface'],
        resources: [ec2Arn('network-interface/*')],
        condition: { ArnEquals: { 'ec2:Subnet': subnetArns } },
      });
    });

    test('does not warn, and acknowledges only the two wildcards IAM forces', () => {
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('clusterNetwork'))).toEqual(
        [],
      );
      expect(nagFindings(stack)).toEqual([]);
      const iam5 = acknowledgments(stack).filter((a) => a.id.includes('AwsSolutions-IAM5'));
      expect(iam5.map((a) => a.id.replace(/^Annotation::/, '')).sort()).toEqual([
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
      ]);
      const eni = iam5.find((a) => a.id.includes('network-interface'));
      expect(eni?.reason).toMatch(/EC2 assigns a network interface's id when it creates it/);
    });
  });

  test('passes its props through to the event source mappings, the environment and the alarms', () => {
    // GIVEN
    const { stack } = build(
      {
        reportBatchItemFailures: false,
        failureMode: 'fail-open',
        metricsNamespace: 'Shop',
        timeout: Duration.minutes(14),
      },
      {
        batchSize: 500,
        maxBatchingWindow: Duration.seconds(5),
        startingPosition: lambda.StartingPosition.LATEST,
        retryAttempts: 3,
        bisectBatchOnError: false,
        maxRecordAge: Duration.hours(6),
        provisionedPollerConfig: { minimumPollers: 2, maximumPollers: 8, pollerGroupName: 'shop' },
        offsetLagAlarmThreshold: 50,
      },
    );
    // WHEN
    const template = Template.fromStack(stack);
    // THEN
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: [TOPICS[0]],
      StartingPosition: 'LATEST',
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 5,
      MaximumRetryAttempts: 3,
      BisectBatchOnFunctionError: false,
      MaximumRecordAgeInSeconds: 6 * 3600,
      FunctionResponseTypes: Match.absent(),
      ProvisionedPollerConfig: { MinimumPollers: 2, MaximumPollers: 8, PollerGroupName: 'shop' },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 14 * 60,
      Environment: {
        Variables: Match.objectLike({
          [ENV.PARTIAL_BATCH_RESPONSE]: 'false',
          [ENV.FAILURE_MODE]: 'fail-open',
          [ENV.METRICS_NAMESPACE]: 'Shop',
        }),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'OffsetLag', Threshold: 50 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: MetricName.DEAD_LETTERED,
      Namespace: 'Shop',
    });
  });

  describe('the compliance options a team may set', () => {
    let stack: Stack;
    let template: Template;
    beforeAll(() => {
      // GIVEN a key for the logs, a topic for the alarms; WHEN the consumer is given them and the rest
      stack = new Stack(appWithoutBundling(), 'Options');
      const key = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
      const topic = new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: key });
      const idempotencyTable = new IdempotencyTable(stack, 'Idempotency');
      const dlq = new DeadLetterQueue(stack, 'DeadLetterQueue');
      new IdempotentKafkaConsumer(stack, 'Orders', {
        manifest: ORDERS,
        entry: ENTRY,
        idempotencyTable,
        deadLetterQueue: dlq.queue,
        reservedConcurrentExecutions: 20,
        tracing: lambda.Tracing.ACTIVE,
        logEncryptionKey: key,
        alarmAction: new SnsAction(topic),
      }).addMskTrigger({ clusterArn: CLUSTER });
      template = Template.fromStack(stack);
    });

    test('reserve concurrency, trace with X-Ray and encrypt the log group with the key given', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        ReservedConcurrentExecutions: 20,
        TracingConfig: { Mode: 'Active' },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogKey'), 'Arn'] },
      });
    });

    test("let CloudWatch Logs use the key for this account's log groups only", () => {
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: {
                Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
              },
              Action: [
                'kms:Decrypt*',
                'kms:Describe*',
                'kms:Encrypt*',
                'kms:GenerateDataKey*',
                'kms:ReEncrypt*',
              ],
              Condition: {
                ArnLike: {
                  'kms:EncryptionContext:aws:logs:arn': {
                    'Fn::Join': [
                      '',
                      [
                        'arn:',
                        { Ref: 'AWS::Partition' },
                        ':logs:',
                        { Ref: 'AWS::Region' },
                        ':',
                        { Ref: 'AWS::AccountId' },
                        ':log-group:*',
                      ],
                    ],
                  },
                },
              },
            }),
          ]),
        },
      });
    });

    test('route every alarm to the action given', () => {
      const alarms = Object.values(
        template.findResources('AWS::CloudWatch::Alarm', {
          Properties: { AlarmDescription: Match.stringLikeRegexp('^orders: ') },
        }),
      );
      expect(alarms).toHaveLength(4);
      for (const alarm of alarms)
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Alarms/) }]);
    });

    test('answer the Serverless and NIST findings they address, so nothing acknowledges those', () => {
      expect(nagFindings(stack)).toEqual([]);
      const ids = acknowledgments(stack)
        .filter((a) => a.path.startsWith('Options/Orders'))
        .map((a) => a.id.replace(/^Annotation::/, ''));
      for (const rule of [
        'Serverless-LambdaTracing',
        'NIST.800.53.R5-LambdaConcurrency',
        'NIST.800.53.R5-CloudWatchLogGroupEncrypted',
        'NIST.800.53.R5-CloudWatchAlarmAction',
      ]) {
        expect(ids).not.toContain(rule);
      }
    });

    test('X-Ray, which takes no resource, is the one extra wildcard, acknowledged as such', () => {
      const statements = policyStatements(template, 'OrdersRoleDefaultPolicy');
      expect(statementFor(statements, 'xray:PutTraceSegments').resources).toEqual(['*']);
      const star = acknowledgments(stack).find(
        (a) => a.path === 'Options/Orders/Role' && a.id.endsWith('AwsSolutions-IAM5[Resource::*]'),
      );
      expect(star?.reason).toMatch(
        /xray:PutTraceSegments and xray:PutTelemetryRecords.*no resource-level permissions/,
      );
    });
  });

  test('without those options, each finding they would answer is acknowledged on the resource with its reason', () => {
    // GIVEN / WHEN the defaults
    const { stack } = build();
    // THEN
    const byRule = new Map(acknowledgments(stack).map((a) => [a.id.replace(/^Annotation::/, ''), a]));
    expect(byRule.get('Serverless-LambdaTracing')?.path).toBe('Test/Orders/Function');
    expect(byRule.get('NIST.800.53.R5-LambdaConcurrency')?.reason).toMatch(/reservedConcurrentExecutions/);
    expect(byRule.get('NIST.800.53.R5-CloudWatchLogGroupEncrypted')?.reason).toMatch(/logEncryptionKey/);
    expect(byRule.get('NIST.800.53.R5-CloudWatchAlarmAction')?.reason).toMatch(/alarmAction/);
    expect(byRule.get('NIST.800.53.R5-LambdaDLQ')?.reason).toMatch(/on-failure destination/);
    expect(byRule.get('Serverless-LambdaDLQ')?.reason).toMatch(/on-failure destination/);
    expect(byRule.get('NIST.800.53.R5-LambdaInsideVPC')?.reason).toMatch(/cluster's own subnets/);
    const inline = acknowledgments(stack).filter((a) => a.id.endsWith('NIST.800.53.R5-IAMNoInlinePolicy'));
    expect(inline.map((a) => a.path).sort()).toEqual([
      'Test/Orders/EventSourceMappingPolicy',
      'Test/Orders/Role',
    ]);
    for (const ack of acknowledgments(stack)) expect(ack.reason.length).toBeGreaterThan(60);
  });

  test("sets each table's variable and grants exactly the manifest's actions on it, from one tables entry", () => {
    // GIVEN a manifest naming one table with two actions
    const stack = new Stack(appWithoutBundling(), 'Tables');
    const own = ownTable(stack);
    // WHEN the table is passed under its variable
    new IdempotentKafkaConsumer(stack, 'Orders', {
      manifest: ordersWith({ ORDERS_TABLE_NAME: { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] } }),
      entry: ENTRY,
      idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
      deadLetterQueue: new DeadLetterQueue(stack, 'DeadLetterQueue').queue,
      tables: { ORDERS_TABLE_NAME: own },
    });
    // THEN
    const template = Template.fromStack(stack);
    const ownId = logicalId(template, 'AWS::DynamoDB::Table', 'Own');
    const statements = roleStatements(template, 'OrdersRole');
    const ownArn = { 'Fn::GetAtt': [ownId, 'Arn'] };
    const onOwn = statements.filter((s) => JSON.stringify(s.resources).includes(`"${ownId}"`));
    expect(onOwn).toEqual([
      { effect: 'Allow', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [ownArn] },
    ]);
    expect(resourcesFor(statements, 'dynamodb:PutItem')).not.toContainEqual(ownArn);
    expect(resourcesFor(statements, 'dynamodb:Scan')).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ORDERS_TABLE_NAME: { Ref: ownId } }) },
    });
  });

  test("grants the use of a table's customer-managed key with its actions: decrypt to read, both ways to write", () => {
    // GIVEN two tables encrypted with their own keys, one only read, one written
    const stack = new Stack(appWithoutBundling(), 'Keys');
    const table = (id: string) =>
      new dynamodb.Table(stack, id, {
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: new kms.Key(stack, `${id}Key`, { enableKeyRotation: true }),
      });
    // WHEN
    new IdempotentKafkaConsumer(stack, 'Orders', {
      manifest: ordersWith({
        REFERENCE_TABLE_NAME: { actions: ['dynamodb:GetItem'] },
        LEDGER_TABLE_NAME: { actions: ['dynamodb:PutItem'] },
      }),
      entry: ENTRY,
      idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
      deadLetterQueue: new DeadLetterQueue(stack, 'DeadLetterQueue').queue,
      tables: { REFERENCE_TABLE_NAME: table('Reference'), LEDGER_TABLE_NAME: table('Ledger') },
    });
    // THEN
    const statements = roleStatements(Template.fromStack(stack), 'OrdersRole');
    const keyArn = (id: string) => ({
      'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${id}Key`)), 'Arn'],
    });
    expect(resourcesFor(statements, 'kms:Decrypt')).toEqual(
      expect.arrayContaining([keyArn('Reference'), keyArn('Ledger')]),
    );
    expect(resourcesFor(statements, 'kms:Encrypt')).toEqual([keyArn('Ledger')]);
  });

  test('without a Kafka trigger, creates no event source mapping, no MSK access and no lag alarm', () => {
    // GIVEN / WHEN a consumer whose addMskTrigger is never called (the LocalStack variant)
    const { stack, consumer } = build({}, null);
    const template = Template.fromStack(stack);
    // THEN
    expect(template.findResources('AWS::Lambda::EventSourceMapping')).toEqual({});
    expect(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'OffsetLag' } }),
    ).toEqual({});
    const statements = roleStatements(template, 'OrdersRole');
    expect(statements.flatMap((s) => s.actions).filter((a) => a.startsWith('kafka'))).toEqual([]);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    expect(consumer.kafkaTrigger).toBeUndefined();
    expect(consumer.alarms.all).toHaveLength(3);
  });

  test('addMskTrigger defaults the topics to the manifest and the groups to its service, and says what it made', () => {
    // GIVEN / WHEN the trigger with no topics and no group id
    const { consumer } = build({}, null);
    const trigger = consumer.addMskTrigger({ clusterArn: CLUSTER });
    // THEN one mapping and one group per manifest topic, and the lag alarm among the consumer's alarms
    expect(trigger.consumerGroupIds).toEqual({
      'orders.created.v1': 'orders.orders.created.v1',
      'orders.cancelled.v1': 'orders.orders.cancelled.v1',
    });
    expect(trigger.eventSourceMappings).toHaveLength(2);
    expect(consumer.kafkaTrigger).toBe(trigger);
    expect(consumer.alarms.all).toContain(trigger.offsetLagAlarm);
  });

  test('addMskTrigger takes other topics and another group id', () => {
    // GIVEN / WHEN
    const { stack } = build({}, { topics: ['payments.v1'], consumerGroupId: 'orders-v2' });
    // THEN
    const template = Template.fromStack(stack);
    expect(Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: ['payments.v1'],
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'orders-v2.payments.v1' },
    });
  });

  test('fails if addMskTrigger is called twice', () => {
    const { consumer } = build();
    expect(() => consumer.addMskTrigger({ clusterArn: CLUSTER })).toThrow(
      /Test\/Orders: addMskTrigger was called already: one trigger per consumer/,
    );
  });

  test('derives topic and group ARNs with Fn::Split when the cluster ARN is a token', () => {
    // GIVEN
    const stack = new Stack(appWithoutBundling(), 'Token');
    const clusterArn = new CfnParameter(stack, 'ClusterArn').valueAsString;
    // WHEN
    new IdempotentKafkaConsumer(stack, 'Orders', {
      manifest: ORDERS,
      entry: ENTRY,
      idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
      deadLetterQueue: new DeadLetterQueue(stack, 'DeadLetterQueue').queue,
    }).addMskTrigger({ clusterArn, topics: ['t1'] });
    // THEN
    const statements = roleStatements(Template.fromStack(stack), 'OrdersRole');
    const split = { 'Fn::Split': [':cluster/', { Ref: 'ClusterArn' }] };
    expect(resourcesFor(statements, 'kafka-cluster:ReadData')).toEqual([
      { 'Fn::Join': ['', [{ 'Fn::Select': [0, split] }, ':topic/', { 'Fn::Select': [1, split] }, '/t1']] },
    ]);
    expect(resourcesFor(statements, 'kafka-cluster:AlterGroup')).toEqual([
      {
        'Fn::Join': [
          '',
          [{ 'Fn::Select': [0, split] }, ':group/', { 'Fn::Select': [1, split] }, '/orders.t1'],
        ],
      },
    ]);
    expect(resourcesFor(statements, 'kafka-cluster:Connect')).toEqual([{ Ref: 'ClusterArn' }]);
  });

  test("each metric helper names the layer's metric, in the consumer's namespace, with the manifest's service", () => {
    // GIVEN / WHEN
    const { consumer } = build({ metricsNamespace: 'Shop' }, null);
    // THEN
    for (const [metric, name] of [
      [consumer.metricProcessed(), MetricName.PROCESSED],
      [consumer.metricDuplicate(), MetricName.DUPLICATE],
      [consumer.metricFailed(), MetricName.FAILED],
      [consumer.metricReleased(), MetricName.RELEASED],
      [consumer.metricTakeover(), MetricName.TAKEOVER],
      [consumer.metricDeadLettered(), MetricName.DEAD_LETTERED],
      [consumer.metricDeadLetterFailed(), MetricName.DEAD_LETTER_FAILED],
    ] as const) {
      expect(metric).toMatchObject({
        namespace: 'Shop',
        metricName: name,
        dimensions: { service: 'orders' },
        statistic: 'Sum',
      });
      expect(metric.period.toSeconds()).toBe(300);
    }
    expect(consumer.metricDuplicate({ period: Duration.minutes(1) }).period.toSeconds()).toBe(60);
  });

  test('takes other NodejsFunction settings through functionProps, over its defaults', () => {
    // GIVEN / WHEN
    const { stack } = build(
      { functionProps: { handler: 'main', ephemeralStorageSize: Size.gibibytes(1), description: 'Orders' } },
      null,
    );
    // THEN the overrides land, and the construct's own settings stay
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.main',
      EphemeralStorage: { Size: 1024 },
      Description: 'Orders',
      Architectures: ['arm64'],
      Environment: { Variables: Match.objectLike({ [ENV.SERVICE_NAME]: 'orders' }) },
    });
  });

  describe('validation', () => {
    test('fails if batchSize is outside 1..10000', () => {
      expect(failure({}, { batchSize: 0 })).toMatch(
        /batchSize must be an integer between 1 and 10000, got 0/,
      );
      expect(failure({}, { batchSize: 10_001 })).toMatch(/got 10001/);
    });

    test('fails if the timeout exceeds the 14 minutes Kafka allows', () => {
      expect(failure({ timeout: Duration.minutes(15) })).toMatch(
        /timeout must be between 1 second and 14 minutes, got 15 minutes/,
      );
    });

    test('fails if memorySize is outside 128..10240', () => {
      expect(failure({ memorySize: 64 })).toMatch(
        /memorySize must be an integer between 128 and 10240, got 64/,
      );
    });

    test('fails if the runtime is older than Node.js 22', () => {
      expect(failure({ runtime: lambda.Runtime.NODEJS_20_X })).toMatch(
        /runtime must be Node\.js 22 or newer, got nodejs20\.x/,
      );
      expect(failure({ runtime: lambda.Runtime.PYTHON_3_13 })).toMatch(/got python3\.13/);
    });

    test('fails if the cluster ARN is not an MSK cluster ARN', () => {
      expect(failure({}, { clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:topic/events/abc/t' })).toMatch(
        /clusterArn must look like arn:aws:kafka:<region>:<account>:cluster\/<name>\/<uuid>, got "arn:aws:kafka:eu-west-1:123456789012:topic\/events\/abc\/t"/,
      );
    });

    test('fails if there is no topic, a repeated topic or an invalid topic name', () => {
      expect(failure({}, { topics: [] })).toMatch(/topics must name at least one topic, got \[\]/);
      expect(failure({}, { topics: ['a', 'a'] })).toMatch(/topics must name each topic once, got "a" twice/);
      expect(failure({}, { topics: ['bad topic'] })).toMatch(
        /topics\[\] must be 1 to 249 letters, digits, .*, got "bad topic"/,
      );
      expect(failure({}, { topics: ['t'.repeat(250)] })).toMatch(
        /topics\[\] must be 1 to 249 .*, got "t{250}"/,
      );
    });

    test('fails if the extra environment overrides a variable the construct owns', () => {
      expect(failure({ environment: { [ENV.PARTIAL_BATCH_RESPONSE]: 'false' } })).toMatch(
        /environment must not set KAFKA_PARTIAL_BATCH_RESPONSE: the construct sets it/,
      );
      expect(failure({ environment: { [ENV.DEAD_LETTER_SPILL_BUCKET]: 'b' } })).toMatch(
        /environment must not set DEAD_LETTER_SPILL_BUCKET/,
      );
    });

    test('fails if an alarm threshold is below 1, naming the prop', () => {
      expect(failure({ errorsAlarmThreshold: 0 })).toMatch(
        /errorsAlarmThreshold must be an integer between 1 and \d+, got 0/,
      );
      expect(failure({}, { offsetLagAlarmThreshold: -5 })).toMatch(
        /offsetLagAlarmThreshold must be an integer between 1 and \d+, got -5/,
      );
    });

    test('lists every rule broken, under the construct path, in one error', () => {
      expect(failure({ memorySize: 64, errorsAlarmThreshold: 0 })).toMatch(
        /^Test\/Orders: invalid props of IdempotentKafkaConsumer:\n- memorySize .* got 64\n- errorsAlarmThreshold .* got 0$/,
      );
    });

    test('fails if a manifest table gets no action, or an action that is not a DynamoDB data action', () => {
      const attempt = (actions: readonly string[]) => {
        const stack = new Stack(appWithoutBundling(), 'Bad');
        return () =>
          new IdempotentKafkaConsumer(stack, 'Orders', {
            manifest: ordersWith({ ORDERS_TABLE_NAME: { actions: actions as never } }),
            entry: ENTRY,
            idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
            deadLetterQueue: new DeadLetterQueue(stack, 'DeadLetterQueue').queue,
            tables: { ORDERS_TABLE_NAME: ownTable(stack) },
          });
      };
      // The manifest's own check (validateManifest, shared with defineConsumer).
      expect(attempt([])).toThrow(/tables\.ORDERS_TABLE_NAME\.actions must be at least one action, got \[\]/);
      expect(attempt(['dynamodb:*'])).toThrow(
        /manifest\.tables\.ORDERS_TABLE_NAME\.actions may contain only DynamoDB data actions \(dynamodb:GetItem, .*\), got "dynamodb:\*"/,
      );
      expect(attempt(['dynamodb:DeleteTable'])).toThrow(/got "dynamodb:DeleteTable"/);
    });

    describe('tables, paired with the manifest', () => {
      const attempt = (
        manifestTables: ConsumerManifest['tables'],
        given: readonly string[],
        environment = {},
      ) => {
        const stack = new Stack(appWithoutBundling(), 'Pairs');
        return () =>
          new IdempotentKafkaConsumer(stack, 'Orders', {
            manifest: ordersWith(manifestTables),
            entry: ENTRY,
            idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
            deadLetterQueue: new DeadLetterQueue(stack, 'DeadLetterQueue').queue,
            tables: Object.fromEntries(given.map((name, index) => [name, ownTable(stack, `Own${index}`)])),
            environment,
          });
      };
      const put = { actions: ['dynamodb:PutItem'] } as const;

      test('fails if a table is given that the manifest does not name', () => {
        expect(attempt({ ORDERS_TABLE_NAME: put }, ['ORDERS_TABLE_NAME', 'AUDIT_TABLE_NAME'])).toThrow(
          /tables must be keyed by the table variables of the manifest of "orders" \(ORDERS_TABLE_NAME\), got AUDIT_TABLE_NAME: add it to the manifest's tables/,
        );
      });

      test('fails if a table of the manifest is not given', () => {
        expect(attempt({ ORDERS_TABLE_NAME: put, AUDIT_TABLE_NAME: put }, ['ORDERS_TABLE_NAME'])).toThrow(
          /tables must give a table for every table variable of the manifest of "orders" \(ORDERS_TABLE_NAME, AUDIT_TABLE_NAME\), got none for AUDIT_TABLE_NAME/,
        );
      });

      test('fails if the extra environment sets a table variable, which only tables may set', () => {
        expect(
          attempt({ ORDERS_TABLE_NAME: put }, ['ORDERS_TABLE_NAME'], { ORDERS_TABLE_NAME: 'x' }),
        ).toThrow(
          /environment must not set ORDERS_TABLE_NAME: it is a table variable of the manifest; pass the table in tables/,
        );
      });

      test('fails if the manifest names a table by a variable the construct sets', () => {
        expect(attempt({ [ENV.IDEMPOTENCY_TABLE_NAME]: put }, [ENV.IDEMPOTENCY_TABLE_NAME])).toThrow(
          /manifest\.tables must not use a variable the construct sets \(IDEMPOTENCY_TABLE_NAME, .*\), got IDEMPOTENCY_TABLE_NAME/,
        );
      });
    });

    test('fails if the manifest is invalid, with the manifest check shared with defineConsumer', () => {
      expect(failure({ manifest: { ...ORDERS, service: 'Orders Service' } })).toMatch(
        /Consumer manifest "Orders Service": service must be 1-64 lowercase letters, digits and "-", got "Orders Service"/,
      );
    });

    test('fails if the default entry, functions/<service>/handler.ts, does not exist', () => {
      const stack = new Stack(appWithoutBundling(), 'NoEntry');
      expect(
        () =>
          new IdempotentKafkaConsumer(stack, 'Orders', {
            manifest: ORDERS,
            idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
            deadLetterQueue: new DeadLetterQueue(stack, 'DeadLetterQueue').queue,
          }),
      ).toThrow(/Cannot find entry file at .*\/functions\/orders\/handler\.ts/);
    });

    test("fails if the cluster's network names no subnet or security group, or something else", () => {
      expect(failure({}, { clusterNetwork: { subnetIds: [], securityGroupIds: SECURITY_GROUPS } })).toMatch(
        /clusterNetwork\.subnetIds must name at least one subnet, got \[\]/,
      );
      expect(failure({}, { clusterNetwork: { subnetIds: SUBNETS, securityGroupIds: [] } })).toMatch(
        /clusterNetwork\.securityGroupIds must name at least one security group, got \[\]/,
      );
      expect(
        failure({}, { clusterNetwork: { subnetIds: ['vpc-0a1b2c3d'], securityGroupIds: SECURITY_GROUPS } }),
      ).toMatch(/clusterNetwork\.subnetIds\[\] must look like subnet-<hex>, got "vpc-0a1b2c3d"/);
      expect(failure({}, { clusterNetwork: { subnetIds: SUBNETS, securityGroupIds: ['default'] } })).toMatch(
        /clusterNetwork\.securityGroupIds\[\] must look like sg-<hex>, got "default"/,
      );
    });

    test('fails if reservedConcurrentExecutions is not a positive integer', () => {
      expect(failure({ reservedConcurrentExecutions: 0 })).toMatch(
        /reservedConcurrentExecutions must be an integer between 1 and \d+, got 0/,
      );
    });

    test('skips unresolved tokens, and passes them through to the template', () => {
      // GIVEN numbers known only at deploy time
      const stack = new Stack(appWithoutBundling(), 'Tokens');
      const parameter = (id: string) => new CfnParameter(stack, id, { type: 'Number' }).valueAsNumber;
      // WHEN
      new IdempotentKafkaConsumer(stack, 'Orders', {
        manifest: ORDERS,
        entry: ENTRY,
        idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
        deadLetterQueue: new DeadLetterQueue(stack, 'DeadLetterQueue').queue,
        memorySize: parameter('Memory'),
        reservedConcurrentExecutions: parameter('Reserved'),
        errorsAlarmThreshold: parameter('ErrorsThreshold'),
      }).addMskTrigger({ clusterArn: CLUSTER, topics: ['t1'], batchSize: parameter('BatchSize') });
      // THEN each reaches its property unjudged
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Lambda::Function', {
        MemorySize: { Ref: 'Memory' },
        ReservedConcurrentExecutions: { Ref: 'Reserved' },
      });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: { Ref: 'BatchSize' } });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Threshold: { Ref: 'ErrorsThreshold' },
      });
    });
  });

  describe('validation left to aws-cdk-lib (the construct no longer repeats it)', () => {
    // aws-cdk-lib 2.276's EventSourceMapping checks these itself; the tests hold it to that.
    test('fails if retryAttempts is neither -1 nor 0..10000', () => {
      expect(failure({}, { retryAttempts: -2 })).toMatch(
        /retryAttempts must be -1 \(for infinite\) or between 0 and 10000 inclusive, got -2/,
      );
      expect(failure({}, { retryAttempts: 10_001 })).toMatch(/got 10001/);
    });

    test('fails if maxBatchingWindow exceeds 300 seconds or is not whole seconds', () => {
      expect(failure({}, { maxBatchingWindow: Duration.seconds(301) })).toMatch(
        /maxBatchingWindow cannot be over 300 seconds, got 301/,
      );
      expect(failure({}, { maxBatchingWindow: Duration.millis(500) })).toMatch(
        /'500 millis' cannot be converted into a whole number of seconds/,
      );
    });

    test('fails if maxRecordAge is outside 60 seconds..7 days, or not whole seconds', () => {
      expect(failure({}, { maxRecordAge: Duration.seconds(59) })).toMatch(
        /maxRecordAge must be between 60 seconds and 7 days inclusive/,
      );
      expect(failure({}, { maxRecordAge: Duration.days(8) })).toMatch(/maxRecordAge must be between/);
      expect(failure({}, { maxRecordAge: Duration.millis(60_500) })).toMatch(
        /'60500 millis' cannot be converted into a whole number of seconds/,
      );
    });

    test('fails if the provisioned pollers are out of range or inverted', () => {
      expect(failure({}, { provisionedPollerConfig: { minimumPollers: 0 } })).toMatch(
        /Minimum provisioned pollers must be between 1 and 200 inclusive/,
      );
      expect(failure({}, { provisionedPollerConfig: { minimumPollers: 5, maximumPollers: 2 } })).toMatch(
        /Minimum provisioned pollers must be less than or equal to maximum provisioned pollers/,
      );
    });

    test('fails if the consumer group id is invalid or too long once suffixed with the topic', () => {
      expect(failure({}, { consumerGroupId: 'has space' })).toMatch(
        /kafkaConsumerGroupId contains invalid characters/,
      );
      // CDK checks the suffixed id, on the topic's mapping: its path (shown by the CLI) names the topic.
      let error: unknown;
      try {
        build({}, { consumerGroupId: 'g'.repeat(190), topics: ['sixteen.chars.xx'] });
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({
        message: 'kafkaConsumerGroupId must be a valid string between 1 and 200 characters',
        constructPath: expect.stringMatching(
          /^Test\/Orders\/Function\/KafkaEventSource:.*sixteen\.chars\.xx$/,
        ),
      });
    });
  });
});
