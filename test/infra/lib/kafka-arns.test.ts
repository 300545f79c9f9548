import { CfnParameter, Stack } from 'aws-cdk-lib';
import { assertClusterArn, kafkaResourceArn } from '../../../infra/lib/kafka-arns';

const CLUSTER =
  'arn:aws:kafka:eu-north-1:123456789012:cluster/huleedu/0c1d2e3f-aaaa-bbbb-cccc-1234567890ab-s3';

describe('kafkaResourceArn', () => {
  test('turns a literal cluster ARN into the topic ARN of the same cluster', () => {
    expect(kafkaResourceArn(CLUSTER, 'topic', 'huleedu.essay.spellcheck.requested.v1')).toBe(
      'arn:aws:kafka:eu-north-1:123456789012:topic/huleedu/0c1d2e3f-aaaa-bbbb-cccc-1234567890ab-s3/huleedu.essay.spellcheck.requested.v1',
    );
  });

  test('turns a literal cluster ARN into the group ARN of the same cluster', () => {
    expect(kafkaResourceArn(CLUSTER, 'group', 'spellchecker.t')).toBe(
      'arn:aws:kafka:eu-north-1:123456789012:group/huleedu/0c1d2e3f-aaaa-bbbb-cccc-1234567890ab-s3/spellchecker.t',
    );
  });

  test('keeps other partitions', () => {
    const china = 'arn:aws-cn:kafka:cn-north-1:123456789012:cluster/c/uuid-1';
    expect(kafkaResourceArn(china, 'topic', 't')).toBe(
      'arn:aws-cn:kafka:cn-north-1:123456789012:topic/c/uuid-1/t',
    );
  });

  test('builds a deploy-time expression for a token', () => {
    const stack = new Stack();
    const token = new CfnParameter(stack, 'Arn').valueAsString;
    const split = { 'Fn::Split': [':cluster/', { Ref: 'Arn' }] };
    expect(stack.resolve(kafkaResourceArn(token, 'topic', 't'))).toEqual({
      'Fn::Join': ['', [{ 'Fn::Select': [0, split] }, ':topic/', { 'Fn::Select': [1, split] }, '/t']],
    });
  });
});

describe('assertClusterArn', () => {
  test.each([
    ['a topic ARN', 'arn:aws:kafka:eu-north-1:123456789012:topic/c/u/t'],
    ['a cluster ARN without its uuid', 'arn:aws:kafka:eu-north-1:123456789012:cluster/c'],
    ['another service', 'arn:aws:sqs:eu-north-1:123456789012:cluster/c/u'],
    ['a short account', 'arn:aws:kafka:eu-north-1:1234:cluster/c/u'],
    ['a name', 'my-cluster'],
  ])('fails if given %s, showing the value', (_, arn) => {
    expect(() => assertClusterArn(arn)).toThrow(
      new RegExp(`got "${arn.replace(/[/.*+?^${}()|[\]\\]/g, '\\$&')}"`),
    );
  });

  test('accepts provisioned and serverless cluster ARNs, and tokens', () => {
    expect(() => assertClusterArn(CLUSTER)).not.toThrow();
    const stack = new Stack();
    expect(() => assertClusterArn(new CfnParameter(stack, 'Arn').valueAsString)).not.toThrow();
  });
});
