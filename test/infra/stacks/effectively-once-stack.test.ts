import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { MANIFESTS } from '../../../functions/manifests';
import { addAppStacks, PLACEHOLDER_CLUSTER_ARN, parseAppConfig } from '../../../infra/app-stacks';
import type { ConsumerTable } from '../../../infra/constructs/consumer-table';
import { functionNameOutputKey, STACK_NAMES, STACK_OUTPUTS } from '../../../infra/stack-outputs';
import { EffectivelyOnceStack } from '../../../infra/stacks/effectively-once-stack';
import { CONSUMER_TABLE_SCHEMA, ENV, MetricName } from '../../../shared/internal';
import { acknowledgments, appWithoutBundling, nagFindings, projectApp, roleStatements } from '../support';

/** The dashboard body with its Fn::Join flattened (tokens rendered as JSON). */
function dashboardBody(template: Template): string {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  const parts = (dashboard?.Properties.DashboardBody['Fn::Join'][1] ?? []) as unknown[];
  return parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
}

/** Every manifest table, as [service, variable] pairs. */
const MANIFEST_TABLES = MANIFESTS.flatMap((m) =>
  Object.keys(m.tables).map((variable) => [m.service, variable] as const),
);

/** The logical id of a consumer's table, from the stack's own record of it (not a prefix search). */
function tableLogicalId(stack: EffectivelyOnceStack, service: string, variable: string): string {
  const table: ConsumerTable | undefined = stack.consumerTables.get(service)?.[variable];
  const resource = table?.table.node.defaultChild;
  if (!(resource instanceof CfnElement)) throw new Error(`no table ${variable} for ${service}`);
  return stack.getLogicalId(resource);
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

  test.each(MANIFESTS.map((m) => [m.service, m] as const))('%s reads each of its topics', (_, manifest) => {
    for (const topic of manifest.topics) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        Topics: [topic],
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: `${manifest.service}.${topic}` },
        FunctionName: { Ref: Match.stringLikeRegexp(`^${manifest.id}Function`) },
      });
    }
  });

  test.each(
    MANIFEST_TABLES,
  )("%s's %s is its own pk/sk table, named in its environment, with exactly its manifest's actions on it", (service, variable) => {
    const manifest = MANIFESTS.find((m) => m.service === service);
    const tableId = tableLogicalId(stack, service, variable);
    // The table the consumer names, and not just any pk/sk table of the stack, has the schema and settings.
    const consumerTables = template.findResources('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        KeySchema: [
          { AttributeName: CONSUMER_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
          { AttributeName: CONSUMER_TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
    });
    expect(Object.keys(consumerTables)).toContain(tableId);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ [variable]: { Ref: tableId }, [ENV.SERVICE_NAME]: service }),
      },
    });
    const statements = roleStatements(template, `${manifest?.id}Role`);
    const onTable = statements.filter((s) => JSON.stringify(s.resources).includes(`"${tableId}"`));
    expect(onTable).toEqual([
      {
        effect: 'Allow',
        actions: [...(manifest?.tables[variable]?.actions ?? ['none declared'])].sort(),
        resources: [{ 'Fn::GetAtt': [tableId, 'Arn'] }],
      },
    ]);
  });

  test("the sample consumers' manifests grant only what their handlers call on their tables", () => {
    // The lists are checked against the handlers' real requests by test/integration/functions/table-actions.test.ts.
    const declared = MANIFESTS.map((m) => [
      m.service,
      Object.fromEntries(Object.entries(m.tables).map(([variable, t]) => [variable, [...t.actions].sort()])),
    ]);
    expect(Object.fromEntries(declared)).toEqual({
      'essay-lifecycle': {
        ESSAY_TABLE_NAME: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      },
      spellchecker: { SPELLCHECK_TABLE_NAME: ['dynamodb:PutItem'] },
      'essay-feedback': { FEEDBACK_TABLE_NAME: ['dynamodb:DeleteItem', 'dynamodb:PutItem'] },
    });
  });

  test('the essay-lifecycle consumer cannot touch the spellchecker table', () => {
    const spellTable = tableLogicalId(stack, 'spellchecker', 'SPELLCHECK_TABLE_NAME');
    const mentions = (role: string) =>
      JSON.stringify(roleStatements(template, role)).includes(`"${spellTable}"`);
    // The table is in the template and its own consumer's role names it, so the check below can see it.
    expect(template.findResources('AWS::DynamoDB::Table')[spellTable]).toBeDefined();
    expect(mentions('SpellcheckerRole')).toBe(true);
    expect(mentions('EssayLifecycleRole')).toBe(false);
  });

  test('keeps the logical ids of its stateful resources: a new id would replace them, and their data', () => {
    // Construct ids never change once deployed (the manifest's `id`, `<id>Table` for its first table).
    const ids = (type: string) => Object.keys(template.findResources(type)).sort();
    expect(ids('AWS::DynamoDB::Table')).toEqual([
      'EssayFeedbackTable5E17773C',
      'EssayLifecycleTable32B6FC86',
      'IdempotencyTable48612DF4',
      'SpellcheckerTable6A49B2B0',
    ]);
    expect(ids('AWS::SQS::Queue')).toEqual(['DeadLetterQueue11C2C8AA']);
    expect(ids('AWS::S3::Bucket')).toEqual(['DeadLetterQueueSpillBucket457D16C5']);
    expect(ids('AWS::Logs::LogGroup')).toEqual([
      'EssayFeedbackLogGroup66BC6D12',
      'EssayLifecycleLogGroupB4D87030',
      'SpellcheckerLogGroup2ED16682',
    ]);
  });

  test('the dashboard shows the layer counters per consumer, table throttles and the DLQ depth', () => {
    const body = dashboardBody(template);
    for (const manifest of MANIFESTS) {
      for (const metric of [
        MetricName.PROCESSED,
        MetricName.DUPLICATE,
        MetricName.FAILED,
        MetricName.RELEASED,
        MetricName.TAKEOVER,
      ]) {
        expect(body).toContain(`["KafkaIdempotency","${metric}","service","${manifest.service}"`);
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
      ...MANIFESTS.map((m) => functionNameOutputKey(m.service)),
    ]) {
      expect(Object.keys(outputs)).toContain(key);
    }
  });

  test('bundles each handler with esbuild: minified, and without a source map (enableSourceMaps is off)', () => {
    const assembly = stack.node.root as unknown as { synth(): { directory: string } };
    const outdir = assembly.synth().directory;
    const functions = template.findResources('AWS::Lambda::Function');
    expect(Object.keys(functions).length).toBeGreaterThan(0);
    for (const fn of Object.values(functions)) {
      const key = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
      const dir = path.join(outdir, `asset.${key}`);
      expect(readdirSync(dir).sort()).toEqual(['dead-letter-sqs.js', 'index.js']);
      const code = readFileSync(path.join(dir, 'index.js'), 'utf8');
      expect(code).not.toMatch(/sourceMappingURL/);
      expect(readFileSync(path.join(dir, 'dead-letter-sqs.js'), 'utf8')).not.toMatch(/sourceMappingURL/);
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
