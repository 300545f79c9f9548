import { Match, Template } from 'aws-cdk-lib/assertions';
import { type AppStacks, addAppStacks, parseAppConfig } from '../../../infra/app-stacks';
import { STACK_NAMES } from '../../../infra/stack-outputs';
import { MSK_IAM_PORT } from '../../../infra/stacks/demo-kafka-stack';
import { acknowledgments, appWithoutBundling, nagFindings, resourcesFor, roleStatements } from '../support';

describe('DemoKafkaStack (-c demo=true)', () => {
  let stacks: AppStacks;
  let demo: Template;
  let main: Template;
  beforeAll(() => {
    // GIVEN an app asked for the demo cluster
    const app = appWithoutBundling();
    // WHEN
    stacks = addAppStacks(app, parseAppConfig({ demo: 'true' }));
    if (!stacks.demo) throw new Error('expected a demo stack');
    demo = Template.fromStack(stacks.demo);
    main = Template.fromStack(stacks.main);
  });

  test('creates an MSK Serverless cluster with IAM access control only', () => {
    expect(stacks.demo?.stackName).toBe(STACK_NAMES.demoCluster);
    demo.hasResourceProperties('AWS::MSK::ServerlessCluster', {
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
      VpcConfigs: [{ SubnetIds: [Match.anyValue(), Match.anyValue()], SecurityGroups: [Match.anyValue()] }],
    });
  });

  test('has no NAT gateway: the pollers reach Lambda, STS and the on-failure SQS queue through interface endpoints', () => {
    expect(demo.findResources('AWS::EC2::NatGateway')).toEqual({});
    const services = Object.values(demo.findResources('AWS::EC2::VPCEndpoint')).map((endpoint) => {
      expect(endpoint.Properties).toMatchObject({
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^ClusterSecurityGroup/), 'GroupId'] }],
      });
      return JSON.stringify(endpoint.Properties.ServiceName).match(/\.(\w+)"\]\]\}$/)?.[1];
    });
    expect(services.sort()).toEqual(['lambda', 'sqs', 'sts']);
  });

  test("the consumers' network interfaces may be created only in the demo cluster's subnets and security group", () => {
    const statements = roleStatements(main, 'SpellcheckerRole');
    const create = statements.filter((s) => s.actions.includes('ec2:CreateNetworkInterface'));
    expect(create).toHaveLength(1);
    const resources = JSON.stringify(create[0]?.resources);
    expect(resources).toMatch(/:subnet\/",\{"Fn::ImportValue":"KafkaEffectivelyOnceDemoCluster:.*Subnet/);
    expect(resources).toMatch(
      /:security-group\/",\{"Fn::ImportValue":"KafkaEffectivelyOnceDemoCluster:.*ClusterSecurityGroup/,
    );
    expect(resources).not.toMatch(/:subnet\/\*"/);
    const remove = statements.filter((s) => s.actions.includes('ec2:DeleteNetworkInterface'));
    expect(JSON.stringify(remove[0]?.condition)).toMatch(/"ArnEquals":\{"ec2:Subnet":\[/);
  });

  test('lets members of the cluster security group reach the IAM listener, and nothing from outside', () => {
    demo.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: MSK_IAM_PORT,
      ToPort: MSK_IAM_PORT,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterSecurityGroup'), 'GroupId'] },
    });
    const ingress = Object.values(demo.findResources('AWS::EC2::SecurityGroupIngress'));
    for (const rule of ingress) expect(rule.Properties.CidrIp).toBeUndefined();
  });

  test('the main stack consumes from the demo cluster through a cross-stack reference', () => {
    main.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp(`^${STACK_NAMES.demoCluster}:`) },
    });
    const statements = roleStatements(main, 'SpellcheckerRole');
    const [topicArn] = resourcesFor(statements, 'kafka-cluster:ReadData');
    expect(JSON.stringify(topicArn)).toMatch(
      /"Fn::Split":\[":cluster\/",\{"Fn::ImportValue":.*\]\}.*":topic\/".*\/huleedu\.essay\.spellcheck\.requested\.v1"/,
    );
    expect(stacks.main.dependencies).toContain(stacks.demo);
  });

  test('every AwsSolutions acknowledgment in the app is one of the known few, with a written reason; none is IAM4', () => {
    const all = [stacks.main, ...(stacks.demo ? [stacks.demo] : [])].flatMap((stack) =>
      acknowledgments(stack),
    );
    const nag = all.filter((ack) => ack.id.includes('AwsSolutions-'));
    expect(nag.map((ack) => ack.id.replace(/^Annotation::/, '')).sort()).toEqual([
      // One of each per consumer (three).
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::<DeadLetterQueueSpillBucket457D16C5.Arn>/dead-letters/*]',
      'AwsSolutions-IAM5[Resource::<DeadLetterQueueSpillBucket457D16C5.Arn>/dead-letters/*]',
      'AwsSolutions-IAM5[Resource::<DeadLetterQueueSpillBucket457D16C5.Arn>/dead-letters/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
      'AwsSolutions-S1',
      'AwsSolutions-SQS3',
      'AwsSolutions-VPC7',
    ]);
    for (const ack of all) expect(ack.reason.length).toBeGreaterThan(60);
  });

  test('neither stack has unacknowledged cdk-nag findings (AwsSolutions, Serverless, NIST 800-53 R5)', () => {
    expect(nagFindings(stacks.main)).toEqual([]);
    if (stacks.demo) expect(nagFindings(stacks.demo)).toEqual([]);
  });
});
