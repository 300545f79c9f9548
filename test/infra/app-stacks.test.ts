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
    ).toThrow(/describe the network of "clusterArn" or "bootstrapServers": give them with one/);
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

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-scram-AbCdEf';
const CA_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-ca-GhIjKl';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('parseAppConfig: Kafka sources and auth', () => {
  test('reads a self-managed cluster: brokers, auth, secrets, network and the dead-letter topic', () => {
    expect(
      parseAppConfig({
        bootstrapServers: 'b-1.kafka.internal:9096, b-2.kafka.internal:9096',
        kafkaAuth: 'SASL_SCRAM_256',
        kafkaSecretArn: SECRET,
        kafkaSecretKeyArn: KEY,
        kafkaRootCaSecretArn: CA_SECRET,
        clusterSubnetIds: 'subnet-0a1b2c3d',
        clusterSecurityGroupIds: 'sg-0123abcd',
        onFailureTopic: 'orders.dlt',
      }),
    ).toEqual({
      target: 'aws',
      demo: false,
      removalPolicy: RemovalPolicy.RETAIN,
      bootstrapServers: ['b-1.kafka.internal:9096', 'b-2.kafka.internal:9096'],
      clusterNetwork: { subnetIds: ['subnet-0a1b2c3d'], securityGroupIds: ['sg-0123abcd'] },
      kafkaAuthentication: {
        method: 'SASL_SCRAM_256',
        secretArn: SECRET,
        secretKeyArn: KEY,
        rootCaSecretArn: CA_SECRET,
      },
      onFailureTopic: 'orders.dlt',
    });
  });

  test('reads MSK with SASL/SCRAM or mTLS', () => {
    expect(
      parseAppConfig({ clusterArn: CLUSTER, kafkaAuth: 'MTLS', kafkaSecretArn: SECRET }).kafkaAuthentication,
    ).toEqual({ method: 'MTLS', secretArn: SECRET });
  });

  test('fails if a self-managed cluster has no auth, or an auth MSK does not take, or the demo anything but IAM', () => {
    expect(() => parseAppConfig({ bootstrapServers: 'b:9096' })).toThrow(
      /Context "bootstrapServers" needs "kafkaAuth" \(SASL_SCRAM_256, SASL_SCRAM_512 or MTLS\) and "kafkaSecretArn"/,
    );
    expect(() => parseAppConfig({ bootstrapServers: 'b:9096', kafkaAuth: 'IAM' })).toThrow(
      /Context "kafkaAuth" must be one of SASL_SCRAM_256, SASL_SCRAM_512, MTLS for a self-managed cluster, got "IAM"/,
    );
    expect(() =>
      parseAppConfig({ clusterArn: CLUSTER, kafkaAuth: 'SASL_SCRAM_256', kafkaSecretArn: SECRET }),
    ).toThrow(/must be one of IAM, SASL_SCRAM_512, MTLS for MSK, got "SASL_SCRAM_256"/);
    expect(() => parseAppConfig({ demo: 'true', kafkaAuth: 'MTLS', kafkaSecretArn: SECRET })).toThrow(
      /must be one of IAM for the demo cluster/,
    );
  });

  test('fails if the secret is missing, partial, or given with IAM; if the key or root CA comes alone or misplaced', () => {
    expect(() => parseAppConfig({ clusterArn: CLUSTER, kafkaAuth: 'SASL_SCRAM_512' })).toThrow(
      /kafkaAuth=SASL_SCRAM_512 needs "kafkaSecretArn"/,
    );
    expect(() =>
      parseAppConfig({
        clusterArn: CLUSTER,
        kafkaAuth: 'SASL_SCRAM_512',
        kafkaSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-scram',
      }),
    ).toThrow(/Context "kafkaSecretArn" must be a complete secret ARN/);
    expect(() => parseAppConfig({ clusterArn: CLUSTER, kafkaAuth: 'IAM', kafkaSecretArn: SECRET })).toThrow(
      /must not be given with kafkaAuth=IAM/,
    );
    expect(() => parseAppConfig({ clusterArn: CLUSTER, kafkaSecretArn: SECRET })).toThrow(
      /go with "kafkaAuth"/,
    );
    expect(() =>
      parseAppConfig({
        clusterArn: CLUSTER,
        kafkaAuth: 'MTLS',
        kafkaSecretArn: SECRET,
        kafkaRootCaSecretArn: CA_SECRET,
      }),
    ).toThrow(/"kafkaRootCaSecretArn" is for a self-managed cluster/);
    expect(() =>
      parseAppConfig({
        clusterArn: CLUSTER,
        kafkaAuth: 'MTLS',
        kafkaSecretArn: SECRET,
        kafkaSecretKeyArn: 'key-1',
      }),
    ).toThrow(/Context "kafkaSecretKeyArn" must be a KMS key ARN/);
  });

  test('fails if bootstrapServers comes with clusterArn or demo, or anything Kafka with the LocalStack target', () => {
    expect(() => parseAppConfig({ bootstrapServers: 'b:9096', clusterArn: CLUSTER })).toThrow(
      /"bootstrapServers" \(a self-managed cluster\) excludes "clusterArn" and "demo=true"/,
    );
    expect(() => parseAppConfig({ target: 'localstack', onFailureTopic: 'orders.dlt' })).toThrow(
      /target=localstack has no Kafka trigger/,
    );
  });
});

describe('addAppStacks: the self-managed variant (-c bootstrapServers=...)', () => {
  let template: Template;
  let errors: string[];
  beforeAll(() => {
    // GIVEN brokers in a VPC, SASL/SCRAM-512 with a secret under a customer-managed key, a dead-letter topic
    const app = appWithoutBundling();
    // WHEN
    const { main, demo } = addAppStacks(
      app,
      parseAppConfig({
        bootstrapServers: 'b-1.kafka.internal:9096,b-2.kafka.internal:9096',
        kafkaAuth: 'SASL_SCRAM_512',
        kafkaSecretArn: SECRET,
        kafkaSecretKeyArn: KEY,
        clusterSubnetIds: 'subnet-0a1b2c3d',
        clusterSecurityGroupIds: 'sg-0123abcd',
        onFailureTopic: 'huleedu.dlt',
      }),
    );
    expect(demo).toBeUndefined();
    template = Template.fromStack(main);
    errors = nagFindings(main);
  });

  test('maps every manifest topic to the brokers, with the secret, the network and the dead-letter topic', () => {
    for (const manifest of MANIFESTS) {
      for (const topic of manifest.topics) {
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          Topics: [topic],
          EventSourceArn: Match.absent(),
          SelfManagedEventSource: {
            Endpoints: { KafkaBootstrapServers: ['b-1.kafka.internal:9096', 'b-2.kafka.internal:9096'] },
          },
          SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: `${manifest.service}.${topic}` },
          SourceAccessConfigurations: Match.arrayWith([{ Type: 'SASL_SCRAM_512_AUTH', URI: SECRET }]),
          DestinationConfig: { OnFailure: { Destination: 'kafka://huleedu.dlt' } },
        });
      }
    }
  });

  test('lets each consumer read the secret and decrypt it with its key through Secrets Manager, and nothing of MSK', () => {
    for (const manifest of MANIFESTS) {
      const statements = roleStatements(template, `${manifest.id}Role`);
      expect(statements.filter((s) => s.actions.includes('secretsmanager:GetSecretValue'))).toEqual([
        {
          sid: 'ReadKafkaSecrets',
          effect: 'Allow',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [SECRET],
        },
      ]);
      expect(statements.find((s) => s.actions.includes('kms:Decrypt'))?.resources).toEqual([KEY]);
      expect(statements.flatMap((s) => s.actions).filter((a) => a.startsWith('kafka'))).toEqual([]);
    }
  });

  test('has no unacknowledged cdk-nag finding (AwsSolutions, Serverless, NIST 800-53 R5)', () => {
    expect(errors).toEqual([]);
  });
});
