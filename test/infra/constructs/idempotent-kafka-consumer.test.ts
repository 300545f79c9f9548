import * as path from 'node:path';
import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DeadLetterQueue } from '../../../infra/constructs/dead-letter-queue';
import { IdempotencyTable } from '../../../infra/constructs/idempotency-table';
import {
  IdempotentKafkaConsumer,
  type IdempotentKafkaConsumerProps,
  type KafkaTriggerProps,
} from '../../../infra/constructs/idempotent-kafka-consumer';
import { FUNCTION_ESBUILD_TARGET } from '../../../scripts/lib/local';
import { ENV, IDEMPOTENCY_TABLE_ACTIONS, MetricName } from '../../../shared';
import {
  acknowledgments,
  appWithoutBundling,
  logicalId,
  nagErrors,
  resourcesFor,
  roleStatements,
} from '../support';

const ENTRY = path.join(__dirname, '..', '..', '..', 'functions', 'spellchecker', 'handler.ts');
const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/events/7f9e1c2a-0b1d-4c3e-9f00-1234567890ab-2';
const TOPICS = ['orders.created.v1', 'orders.cancelled.v1'];

/** A stack with the shared resources and one consumer built from `overrides`. */
function build(
  overrides: Partial<IdempotentKafkaConsumerProps> = {},
  kafka: Partial<KafkaTriggerProps> | null = {},
): { stack: Stack; consumer: IdempotentKafkaConsumer } {
  const stack = new Stack(appWithoutBundling(), 'Test');
  const idempotencyTable = new IdempotencyTable(stack, 'Idempotency');
  const dlq = new DeadLetterQueue(stack, 'DeadLetterQueue');
  const consumer = new IdempotentKafkaConsumer(stack, 'Orders', {
    entry: ENTRY,
    serviceName: 'orders',
    idempotencyTable,
    deadLetterQueue: dlq.queue,
    ...(kafka === null
      ? {}
      : { kafka: { clusterArn: CLUSTER, topics: TOPICS, consumerGroupId: 'orders', ...kafka } }),
    ...overrides,
  });
  return { stack, consumer };
}

/** Builds, expecting the constructor to throw; returns the message. */
function failure(
  overrides: Partial<IdempotentKafkaConsumerProps>,
  kafka: Partial<KafkaTriggerProps> = {},
): string {
  try {
    build(overrides, kafka);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the construct to throw');
}

describe('IdempotentKafkaConsumer', () => {
  describe('with defaults and two topics', () => {
    let stack: Stack;
    let template: Template;
    beforeAll(() => {
      // GIVEN the shared table and queue; WHEN a consumer of two topics is added with defaults
      ({ stack } = build());
      template = Template.fromStack(stack);
    });

    test('runs Node.js 24 on arm64 with source maps enabled', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 512,
        Timeout: 60,
        Handler: 'index.handler',
        FunctionName: Match.absent(),
        Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
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

    test('has no wildcard action and no wildcard resource in its inline policy', () => {
      const statements = roleStatements(template, 'OrdersRole');
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect(statement.actions.filter((action) => action.includes('*'))).toEqual([]);
        expect(
          statement.resources.filter((resource) => typeof resource === 'string' && resource.includes('*')),
        ).toEqual([]);
      }
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

    test('has no unacknowledged cdk-nag errors; its acknowledgment names the managed policy and why', () => {
      expect(nagErrors(stack)).toEqual([]);
      const iam4 = acknowledgments(stack).filter((a) => a.id.includes('AwsSolutions-IAM4'));
      expect(iam4).toEqual([
        expect.objectContaining({
          id: expect.stringContaining('AWSLambdaMSKExecutionRole'),
          reason: expect.stringMatching(/event source mapping/),
        }),
      ]);
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

  test('grants read/write data on its own tables and passes their names through the environment', () => {
    // GIVEN
    const stack = new Stack(appWithoutBundling(), 'Tables');
    const own = new dynamodb.Table(stack, 'Own', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    // WHEN
    new IdempotentKafkaConsumer(stack, 'Orders', {
      entry: ENTRY,
      serviceName: 'orders',
      idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
      deadLetterQueue: new DeadLetterQueue(stack, 'DeadLetterQueue').queue,
      tables: [own],
      environment: { [ENV.ESSAY_TABLE_NAME]: own.tableName },
    });
    // THEN
    const template = Template.fromStack(stack);
    const statements = roleStatements(template, 'OrdersRole');
    const ownArn = { 'Fn::GetAtt': [expect.stringMatching(/^Own/), 'Arn'] };
    // TransactWriteItems is authorized per item: Put/Update/Delete/ConditionCheck on the table.
    for (const action of [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
    ]) {
      expect(resourcesFor(statements, action)).toContainEqual(ownArn);
    }
    expect(resourcesFor(statements, 'dynamodb:DeleteTable')).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ [ENV.ESSAY_TABLE_NAME]: { Ref: Match.stringLikeRegexp('^Own') } }),
      },
    });
  });

  test('without a Kafka trigger, creates no event source mapping, no MSK access and no lag alarm', () => {
    // GIVEN
    const { stack } = build({}, null);
    // WHEN
    const template = Template.fromStack(stack);
    // THEN
    expect(template.findResources('AWS::Lambda::EventSourceMapping')).toEqual({});
    expect(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'OffsetLag' } }),
    ).toEqual({});
    const statements = roleStatements(template, 'OrdersRole');
    expect(statements.flatMap((s) => s.actions).filter((a) => a.startsWith('kafka'))).toEqual([]);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('derives topic and group ARNs with Fn::Split when the cluster ARN is a token', () => {
    // GIVEN
    const stack = new Stack(appWithoutBundling(), 'Token');
    const clusterArn = new CfnParameter(stack, 'ClusterArn').valueAsString;
    // WHEN
    new IdempotentKafkaConsumer(stack, 'Orders', {
      entry: ENTRY,
      serviceName: 'orders',
      idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
      deadLetterQueue: new DeadLetterQueue(stack, 'DeadLetterQueue').queue,
      kafka: { clusterArn, topics: ['t1'], consumerGroupId: 'orders' },
    });
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

  describe('validation', () => {
    test('fails if batchSize is outside 1..10000', () => {
      expect(failure({}, { batchSize: 0 })).toMatch(
        /kafka\.batchSize must be an integer between 1 and 10000, got 0/,
      );
      expect(failure({}, { batchSize: 10_001 })).toMatch(/got 10001/);
    });

    test('fails if maxBatchingWindow exceeds 300 seconds or is not whole seconds', () => {
      expect(failure({}, { maxBatchingWindow: Duration.seconds(301) })).toMatch(
        /kafka\.maxBatchingWindow must be between 0 seconds and 5 minutes, got 5 minutes 1 second/,
      );
      expect(failure({}, { maxBatchingWindow: Duration.millis(500) })).toMatch(
        /maxBatchingWindow must be a whole number of seconds, got 500 millis/,
      );
    });

    test('fails if retryAttempts is neither -1 nor 0..10000', () => {
      expect(failure({}, { retryAttempts: -2 })).toMatch(
        /kafka\.retryAttempts must be -1 \(unlimited\) or an integer between 0 and 10000, got -2/,
      );
      expect(failure({}, { retryAttempts: 10_001 })).toMatch(/got 10001/);
    });

    test('fails if maxRecordAge is outside 60 seconds..7 days', () => {
      expect(failure({}, { maxRecordAge: Duration.seconds(59) })).toMatch(
        /kafka\.maxRecordAge must be between 1 minute and 7 days, got 59 seconds/,
      );
      expect(failure({}, { maxRecordAge: Duration.days(8) })).toMatch(/got 8 days/);
    });

    test('fails if the timeout exceeds the 14 minutes Kafka allows', () => {
      expect(failure({ timeout: Duration.minutes(15) })).toMatch(
        /timeout must be between 1 second and 14 minutes, got 15 minutes/,
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
      expect(failure({}, { topics: [] })).toMatch(/kafka\.topics must name at least one topic, got \[\]/);
      expect(failure({}, { topics: ['a', 'a'] })).toMatch(/must not repeat a topic, got "a" twice/);
      expect(failure({}, { topics: ['bad topic'] })).toMatch(
        /kafka\.topics\[\] may contain only .*, got "bad topic"/,
      );
    });

    test('fails if the consumer group id is invalid or too long once suffixed with the topic', () => {
      expect(failure({}, { consumerGroupId: 'has space' })).toMatch(
        /kafka\.consumerGroupId may contain only .*, got "has space"/,
      );
      expect(failure({}, { consumerGroupId: 'g'.repeat(190), topics: ['sixteen.chars.xx'] })).toMatch(
        /consumer group id of topic "sixteen\.chars\.xx" must be 1 to 200 characters long, got 207/,
      );
    });

    test('fails if the provisioned pollers are out of range or inverted', () => {
      expect(failure({}, { provisionedPollerConfig: { minimumPollers: 0 } })).toMatch(
        /minimumPollers must be an integer between 1 and 200, got 0/,
      );
      expect(failure({}, { provisionedPollerConfig: { minimumPollers: 5, maximumPollers: 2 } })).toMatch(
        /minimumPollers \(5\) must not exceed maximumPollers \(2\)/,
      );
    });

    test('fails if the extra environment overrides a variable the construct owns', () => {
      expect(failure({ environment: { [ENV.PARTIAL_BATCH_RESPONSE]: 'false' } })).toMatch(
        /environment must not set KAFKA_PARTIAL_BATCH_RESPONSE/,
      );
    });

    test('fails if an alarm threshold is below 1, naming the prop', () => {
      expect(failure({ errorsAlarmThreshold: 0 })).toMatch(
        /errorsAlarmThreshold must be an integer between 1 and \d+, got 0/,
      );
      expect(failure({}, { offsetLagAlarmThreshold: -5 })).toMatch(
        /kafka\.offsetLagAlarmThreshold .* got -5/,
      );
    });

    test('skips unresolved tokens', () => {
      const stack = new Stack(appWithoutBundling(), 'Tokens');
      const batchSize = new CfnParameter(stack, 'BatchSize', { type: 'Number' }).valueAsNumber;
      expect(
        () =>
          new IdempotentKafkaConsumer(stack, 'Orders', {
            entry: ENTRY,
            serviceName: 'orders',
            idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
            deadLetterQueue: new DeadLetterQueue(stack, 'DeadLetterQueue').queue,
            kafka: { clusterArn: CLUSTER, topics: ['t1'], consumerGroupId: 'orders', batchSize },
          }),
      ).not.toThrow();
    });
  });
});
