import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { addAppStacks, PLACEHOLDER_CLUSTER_ARN, parseAppConfig } from '../../../infra/app-stacks';
import { SAMPLE_CONSUMERS } from '../../../infra/sample-consumers';
import { functionNameOutputKey, STACK_NAMES, STACK_OUTPUTS } from '../../../infra/stack-outputs';
import { EffectivelyOnceStack } from '../../../infra/stacks/effectively-once-stack';
import { CONSUMER_TABLE_SCHEMA, ENV, MetricName } from '../../../shared';
import { acknowledgments, appWithoutBundling, nagFindings, projectApp, roleStatements } from '../support';

/** The dashboard body with its Fn::Join flattened (tokens rendered as JSON). */
function dashboardBody(template: Template): string {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const parts = (dashboard?.Properties.DashboardBody['Fn::Join'][1] ?? []) as unknown[];
  return parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
}

describe('EffectivelyOnceStack (the app with no context)', () => {
  let stack: EffectivelyOnceStack;
  let template: Template;
  beforeAll(() => {
    // GIVEN the project's cdk.json feature flags, and real esbuild bundling
    const app = projectApp();
    // WHEN the app is built without any context
    stack = addAppStacks(app, parseAppConfig({})).main;
    template = Template.fromStack(stack);
  });

  test('is named as the scripts and the README expect', () => {
    expect(stack.stackName).toBe(STACK_NAMES.main);
  });

  test('synthesizes on a placeholder cluster and warns that it cannot deploy', () => {
    Annotations.fromStack(stack).hasWarning(
      `/${STACK_NAMES.main}`,
      Match.stringLikeRegexp('placeholder cluster ARN'),
    );
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: PLACEHOLDER_CLUSTER_ARN,
    });
  });

  test.each(
    SAMPLE_CONSUMERS.map((c) => [c.name, c] as const),
  )('%s reads each of its topics', (_, consumer) => {
    for (const topic of consumer.topics) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        Topics: [topic],
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: `${consumer.name}.${topic}` },
        FunctionName: { Ref: Match.stringLikeRegexp(`^${consumer.id}Function`) },
      });
    }
  });

  test.each(
    SAMPLE_CONSUMERS.map((c) => [c.name, c] as const),
  )('%s has its own pk/sk table, named in its environment, with exactly its declared actions on it', (_, consumer) => {
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table')).find((id) =>
      id.startsWith(`${consumer.id}Table`),
    );
    expect(tableId).toBeDefined();
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: CONSUMER_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: CONSUMER_TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [consumer.tableEnvironmentVariable]: { Ref: tableId },
          [ENV.SERVICE_NAME]: consumer.name,
        }),
      },
    });
    const statements = roleStatements(template, `${consumer.id}Role`);
    const onTable = statements.filter((s) => JSON.stringify(s.resources).includes(`"${tableId}"`));
    expect(onTable).toEqual([
      {
        effect: 'Allow',
        actions: [...consumer.tableActions].sort(),
        resources: [{ 'Fn::GetAtt': [tableId, 'Arn'] }],
      },
    ]);
  });

  test('the sample consumers are granted only what their handlers call on their tables', () => {
    // The lists are checked against the handlers' real requests by test/integration/functions/table-actions.test.ts.
    expect(Object.fromEntries(SAMPLE_CONSUMERS.map((c) => [c.name, [...c.tableActions].sort()]))).toEqual({
      'essay-lifecycle': ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      spellchecker: ['dynamodb:PutItem'],
    });
  });

  test('the essay-lifecycle consumer cannot touch the spellchecker table', () => {
    const spellTable = Object.keys(template.findResources('AWS::DynamoDB::Table')).find((id) =>
      id.startsWith('SpellcheckerTable'),
    );
    const statements = roleStatements(template, 'EssayLifecycleRole');
    expect(statements.flatMap((s) => s.resources)).not.toContainEqual({ 'Fn::GetAtt': [spellTable, 'Arn'] });
  });

  test('the dashboard shows the layer counters per consumer, table throttles and the DLQ depth', () => {
    const body = dashboardBody(template);
    for (const consumer of SAMPLE_CONSUMERS) {
      for (const metric of [
        MetricName.PROCESSED,
        MetricName.DUPLICATE,
        MetricName.FAILED,
        MetricName.RELEASED,
        MetricName.TAKEOVER,
      ]) {
        expect(body).toContain(`["KafkaIdempotency","${metric}","service","${consumer.name}"`);
      }
    }
    expect(body).toMatch(/"AWS\/DynamoDB","ReadThrottleEvents","TableName","\{"Ref":"IdempotencyTable/);
    expect(body).toMatch(/"AWS\/DynamoDB","WriteThrottleEvents","TableName","\{"Ref":"SpellcheckerTable/);
    expect(body).toMatch(/"AWS\/SQS","ApproximateNumberOfMessagesVisible"/);
    expect(body).toMatch(/"AWS\/Lambda","OffsetLag","FunctionName","\{"Ref":"EssayLifecycleFunction/);
  });

  test('outputs what the LocalStack scripts read', () => {
    const outputs = template.findOutputs('*');
    for (const key of [
      STACK_OUTPUTS.idempotencyTableName,
      STACK_OUTPUTS.deadLetterQueueUrl,
      ...SAMPLE_CONSUMERS.map((c) => functionNameOutputKey(c.name)),
    ]) {
      expect(Object.keys(outputs)).toContain(key);
    }
  });

  test('bundles each handler with esbuild: minified, with a linked source map', () => {
    const assembly = stack.node.root as unknown as { synth(): { directory: string } };
    const outdir = assembly.synth().directory;
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions).length).toBeGreaterThan(0);
    for (const fn of Object.values(functions)) {
      const key = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      const dir = path.join(outdir, `asset.${key}`);
      expect(readdirSync(dir).sort()).toEqual(['index.js', 'index.js.map']);
      const code = readFileSync(path.join(dir, 'index.js'), 'utf8');
      expect(code).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
      // Minified: long lines (only template literals keep their newlines).
      expect(code.length / code.split('\n').length).toBeGreaterThan(500);
    }
  });

  test('has no unacknowledged cdk-nag finding (AwsSolutions, Serverless, NIST 800-53 R5)', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('EffectivelyOnceStack with an alarm action', () => {
  test('routes every alarm to it, so no acknowledgment of a missing alarm action remains', () => {
    // GIVEN
    const app = appWithoutBundling();
    const topics = new Stack(app, 'Topics');
    const topic = new sns.Topic(topics, 'Alarms', { enforceSSL: true });
    // WHEN
    const stack = new EffectivelyOnceStack(app, 'WithAlarms', { alarmAction: new SnsAction(topic) });
    // THEN
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    expect(nagFindings(stack)).toEqual([]);
    expect(acknowledgments(stack).filter((a) => a.id.includes('CloudWatchAlarmAction'))).toEqual([]);
  });
});
