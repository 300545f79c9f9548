import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  functionRows,
  grantRows,
  mappingRows,
  resourceCounts,
  show,
  summarize,
} from '../../../scripts/lib/preflight';
import { assetRows } from '../../../scripts/preflight';

const TEMPLATE = {
  Resources: {
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Other: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    Role: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnly'] } },
    Fn: {
      Type: 'AWS::Lambda::Function',
      Properties: { Runtime: 'nodejs24.x', MemorySize: 512, Role: { 'Fn::GetAtt': ['Role', 'Arn'] } },
    },
    Esm: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Fn' },
        Topics: ['orders'],
        EventSourceArn: 'arn:aws:kafka:eu-north-1:1:cluster/c/x',
        BatchSize: 100,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'svc.orders' },
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Queue', 'Arn'] } } },
      },
    },
    Policy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'Role' }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
              Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/*']] },
            },
          ],
        },
      },
    },
  },
};

describe('preflight summary', () => {
  test('intrinsics are shown by what they point at', () => {
    expect(show({ Ref: 'AWS::Region' })).toBe(['$', '{AWS::Region}'].join(''));
    expect(show({ 'Fn::Join': [':', ['a', { Ref: 'B' }]] })).toBe('a:B');
  });

  test('resources by type, functions with CloudFormation defaults, mappings with their settings', () => {
    expect(resourceCounts(TEMPLATE)[0]).toEqual(['AWS::DynamoDB::Table', 2]);
    expect(functionRows(TEMPLATE)).toEqual([
      {
        id: 'Fn',
        runtime: 'nodejs24.x',
        memoryMb: '512',
        timeoutS: '3 (default)',
        architecture: 'x86_64',
        role: 'Role.Arn',
      },
    ]);
    expect(mappingRows(TEMPLATE)).toEqual([
      {
        function: 'Fn',
        topics: 'orders',
        source: 'arn:aws:kafka:eu-north-1:1:cluster/c/x',
        settings:
          'BatchSize=100 FunctionResponseTypes=ReportBatchItemFailures ConsumerGroupId=svc.orders OnFailure=Queue.Arn',
      },
    ]);
  });

  test('IAM per role: the statements of its policies and its managed policies', () => {
    expect(grantRows(TEMPLATE)).toEqual([
      {
        role: 'Role',
        effect: 'Allow',
        actions: '(managed policy)',
        resources: 'arn:aws:iam::aws:policy/ReadOnly',
      },
      {
        role: 'Role',
        effect: 'Allow',
        actions: 'dynamodb:GetItem, dynamodb:PutItem',
        resources: 'Table.Arn/index/*',
      },
    ]);
    expect(summarize('S', TEMPLATE)).toMatch(/Stack S: 6 resources[\s\S]*IAM granted/);
  });
});

describe('preflight asset rows', () => {
  /** A cloud assembly folder holding one function asset with the given files. */
  function assembly(files: Record<string, string>): string {
    const out = mkdtempSync(join(tmpdir(), 'preflight-'));
    mkdirSync(join(out, 'asset.abc'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(out, 'asset.abc', name), text);
    writeFileSync(
      join(out, 'Stack.assets.json'),
      JSON.stringify({ files: { abc: { displayName: 'Fn/Code', source: { path: 'asset.abc' } } } }),
    );
    return out;
  }

  it('names a bundle that requires the dead-letter chunk it lacks', () => {
    const out = assembly({ 'index.js': 'x=()=>require("./dead-letter-sqs");' });
    expect(assetRows(out)[0]?.problem).toContain(
      'index.js requires dead-letter-sqs.js, which is not beside it',
    );
    writeFileSync(join(out, 'asset.abc', 'dead-letter-sqs.js'), '');
    expect(assetRows(out)[0]?.problem).toBeUndefined();
    rmSync(out, { recursive: true, force: true });
  });

  it('names a folder without index.js', () => {
    const out = assembly({ 'other.js': '' });
    expect(assetRows(out)[0]?.problem).toBe('no index.js in the bundle');
    rmSync(out, { recursive: true, force: true });
  });
});
