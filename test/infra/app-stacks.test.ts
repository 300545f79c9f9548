import { RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { MANIFESTS } from '../../functions/manifests';
import { addAppStacks, parseAppConfig } from '../../infra/app-stacks';
import { functionNameOutputKey, STACK_NAMES, STACK_OUTPUTS } from '../../infra/stack-outputs';
import { ENV } from '../../shared/internal';
import { appWithoutBundling, nagFindings, roleStatements } from './support';

const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/events/7f9e1c2a-0b1d-4c3e-9f00-1234567890ab-2';

describe('parseAppConfig', () => {
  test('defaults to AWS, no demo, stateful resources retained', () => {
    expect(parseAppConfig({})).toEqual({ target: 'aws', demo: false, removalPolicy: RemovalPolicy.RETAIN });
  });

  test('reads CLI strings: clusterArn, demo=true, removalPolicy=destroy', () => {
    expect(parseAppConfig({ clusterArn: CLUSTER, removalPolicy: 'destroy' })).toEqual({
      target: 'aws',
      clusterArn: CLUSTER,
      demo: false,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    expect(parseAppConfig({ demo: 'true' }).demo).toBe(true);
  });

  test('the LocalStack target destroys by default', () => {
    expect(parseAppConfig({ target: 'localstack' }).removalPolicy).toBe(RemovalPolicy.DESTROY);
  });

  test('fails if target is unknown, showing the value', () => {
    expect(() => parseAppConfig({ target: 'gcp' })).toThrow(
      /Context "target" must be "aws" or "localstack", got "gcp"/,
    );
  });

  test('fails if demo is not a boolean', () => {
    expect(() => parseAppConfig({ demo: 'yes' })).toThrow(/Context "demo" must be true or false, got "yes"/);
  });

  test('fails if clusterArn is not a cluster ARN', () => {
    expect(() => parseAppConfig({ clusterArn: 'my-cluster' })).toThrow(
      /clusterArn must look like .*got "my-cluster"/,
    );
  });

  test('fails if both clusterArn and demo are given', () => {
    expect(() => parseAppConfig({ clusterArn: CLUSTER, demo: true })).toThrow(/mutually exclusive/);
  });

  test('fails if the LocalStack target is given a cluster', () => {
    expect(() => parseAppConfig({ target: 'localstack', demo: 'true' })).toThrow(
      /target=localstack has no Kafka trigger/,
    );
  });

  test("reads the cluster's network from comma-separated ids or a JSON array", () => {
    const network = { subnetIds: ['subnet-0a1b2c3d', 'subnet-0e1f2a3b'], securityGroupIds: ['sg-0123abcd'] };
    expect(
      parseAppConfig({
        clusterArn: CLUSTER,
        clusterSubnetIds: 'subnet-0a1b2c3d, subnet-0e1f2a3b',
        clusterSecurityGroupIds: 'sg-0123abcd',
      }).clusterNetwork,
    ).toEqual(network);
    expect(
      parseAppConfig({
        clusterArn: CLUSTER,
        clusterSubnetIds: network.subnetIds,
        clusterSecurityGroupIds: ['sg-0123abcd'],
      }).clusterNetwork,
    ).toEqual(network);
  });

  test("fails if the cluster's network comes without clusterArn, half given, or malformed", () => {
    expect(() =>
      parseAppConfig({
        demo: 'true',
        clusterSubnetIds: 'subnet-0a1b2c3d',
        clusterSecurityGroupIds: 'sg-0123abcd',
      }),
    ).toThrow(/describe the network of "clusterArn": give them with it/);
    expect(() => parseAppConfig({ clusterArn: CLUSTER, clusterSubnetIds: 'subnet-0a1b2c3d' })).toThrow(
      /go together/,
    );
    expect(() =>
      parseAppConfig({
        clusterArn: CLUSTER,
        clusterSubnetIds: 'sg-0123abcd',
        clusterSecurityGroupIds: 'sg-0123abcd',
      }),
    ).toThrow(/Context "clusterSubnetIds" must list ids matching .*, got "sg-0123abcd"/);
  });

  test('fails if removalPolicy is unknown', () => {
    expect(() => parseAppConfig({ removalPolicy: 'snapshot' })).toThrow(
      /Context "removalPolicy" must be "retain" or "destroy", got "snapshot"/,
    );
  });
});

describe('addAppStacks', () => {
  test('with clusterArn, consumes from that cluster and does not warn', () => {
    // GIVEN
    const app = appWithoutBundling();
    // WHEN
    const { main, demo } = addAppStacks(app, parseAppConfig({ clusterArn: CLUSTER }));
    // THEN
    expect(demo).toBeUndefined();
    Template.fromStack(main).hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: CLUSTER,
    });
    expect(Annotations.fromStack(main).findWarning('*', Match.stringLikeRegexp('placeholder'))).toEqual([]);
  });

  test("with clusterArn and its network, confines the mappings' network interfaces to it and does not warn", () => {
    // GIVEN
    const app = appWithoutBundling();
    // WHEN
    const { main } = addAppStacks(
      app,
      parseAppConfig({
        clusterArn: CLUSTER,
        clusterSubnetIds: 'subnet-0a1b2c3d',
        clusterSecurityGroupIds: 'sg-0123abcd',
      }),
    );
    // THEN
    const create = roleStatements(Template.fromStack(main), 'SpellcheckerRole').find((s) =>
      s.actions.includes('ec2:CreateNetworkInterface'),
    );
    expect(JSON.stringify(create?.resources)).toMatch(/:subnet\/subnet-0a1b2c3d"/);
    expect(JSON.stringify(create?.resources)).toMatch(/:security-group\/sg-0123abcd"/);
    expect(Annotations.fromStack(main).findWarning('*', Match.stringLikeRegexp('clusterNetwork'))).toEqual(
      [],
    );
  });

  describe('the LocalStack variant (-c target=localstack)', () => {
    let template: Template;
    let stackName: string;
    let errors: string[];
    beforeAll(() => {
      // GIVEN
      const app = appWithoutBundling();
      // WHEN
      const { main } = addAppStacks(app, parseAppConfig({ target: 'localstack' }));
      stackName = main.stackName;
      template = Template.fromStack(main);
      errors = nagFindings(main);
    });

    test('is its own stack, which the scripts deploy by name', () => {
      expect(stackName).toBe(STACK_NAMES.localstack);
    });

    test('has no Kafka trigger and no MSK permissions (LocalStack has no MSK event source)', () => {
      expect(template.findResources('AWS::Lambda::EventSourceMapping')).toEqual({});
      for (const manifest of MANIFESTS) {
        const actions = roleStatements(template, `${manifest.id}Role`).flatMap((s) => s.actions);
        expect(actions.filter((action) => action.startsWith('kafka'))).toEqual([]);
      }
    });

    test('outputs the table name, the queue URL and each function name the scripts read', () => {
      const outputs = template.findOutputs('*');
      expect(outputs[STACK_OUTPUTS.idempotencyTableName]?.Value).toEqual({
        Ref: expect.stringMatching(/^IdempotencyTable/),
      });
      expect(outputs[STACK_OUTPUTS.deadLetterQueueUrl]?.Value).toEqual({
        Ref: expect.stringMatching(/^DeadLetterQueue/),
      });
      for (const manifest of MANIFESTS) {
        expect(outputs[functionNameOutputKey(manifest.service)]?.Value).toEqual({
          Ref: expect.stringMatching(new RegExp(`^${manifest.id}Function`)),
        });
      }
    });

    test('keeps the same functions and environment as the AWS stack', () => {
      for (const manifest of MANIFESTS) {
        template.hasResourceProperties('AWS::Lambda::Function', {
          Runtime: 'nodejs24.x',
          Environment: {
            Variables: Match.objectLike({
              [ENV.SERVICE_NAME]: manifest.service,
              [ENV.IDEMPOTENCY_TABLE_NAME]: { Ref: Match.stringLikeRegexp('^IdempotencyTable') },
              ...Object.fromEntries(
                Object.keys(manifest.tables).map((variable) => [
                  variable,
                  { Ref: Match.stringLikeRegexp(`^${manifest.id}Table`) },
                ]),
              ),
            }),
          },
        });
      }
    });

    test('lets cdklocal destroy the tables: no deletion protection, Delete policy', () => {
      template.allResources('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Delete',
        Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      });
    });

    test('has no unacknowledged cdk-nag finding (AwsSolutions, Serverless, NIST 800-53 R5)', () => {
      expect(errors).toEqual([]);
    });
  });
});
