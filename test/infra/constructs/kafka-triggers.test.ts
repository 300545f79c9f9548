import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ManagedKafkaEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type {
  IdempotentKafkaConsumer,
  IdempotentKafkaConsumerProps,
  MskTriggerProps,
  SelfManagedKafkaTriggerProps,
} from '../../../infra/constructs/idempotent-kafka-consumer';
import type { KafkaSchemaRegistry } from '../../../infra/lib/kafka-source';
import type { CodecSpec, ConsumerManifest } from '../../../shared/internal';
import {
  acknowledgments,
  actionsOf,
  appWithoutBundling,
  CLUSTER,
  ESM_VPC_ACTIONS,
  nagFindings,
  ORDERS,
  ordersConsumer,
  policyStatements,
  projectApp,
  resourcesFor,
  TOPICS,
} from '../support';

const TOPIC_BASE = 'arn:aws:kafka:eu-west-1:123456789012:topic/events/7f9e1c2a-0b1d-4c3e-9f00-1234567890ab-2';
const BROKERS = ['b-1.kafka.internal:9096', 'b-2.kafka.internal:9096'];
const NETWORK = { subnetIds: ['subnet-0a1b2c3d4e5f60718'], securityGroupIds: ['sg-0123456789abcdef0'] };
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-scram-AbCdEf';
const CA_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-ca-GhIjKl';
const REGISTRY_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-MnOpQr';
const GLUE_REGISTRY = 'arn:aws:glue:eu-west-1:123456789012:registry/orders';

/** `ORDERS` with a record format (the manifest's `codec`). */
function ordersWithCodec(codec: CodecSpec): ConsumerManifest {
  return { ...ORDERS, codec };
}

/** Adds a trigger to the consumer; the stack is there for the secrets and keys it needs. */
type AddTrigger = (consumer: IdempotentKafkaConsumer, stack: Stack) => void;

/** A stack with the shared resources and one `ORDERS` consumer with the trigger `add` gives it. */
function build(
  add: AddTrigger,
  overrides: Partial<IdempotentKafkaConsumerProps> = {},
): { stack: Stack; consumer: IdempotentKafkaConsumer; template: Template } {
  const { stack, consumer } = ordersConsumer(overrides);
  add(consumer, stack);
  return { stack, consumer, template: Template.fromStack(stack) };
}

/** Builds, expecting the constructor or the trigger to throw; returns the message. */
function failure(add: AddTrigger, overrides: Partial<IdempotentKafkaConsumerProps> = {}): string {
  try {
    build(add, overrides);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the construct to throw');
}

/** An MSK trigger (IAM auth unless `props` say otherwise). */
const msk =
  (props: (stack: Stack) => Partial<MskTriggerProps> = () => ({})): AddTrigger =>
  (consumer, stack) =>
    consumer.addMskTrigger({ clusterArn: CLUSTER, ...props(stack) });

/** A self-managed trigger with SASL/SCRAM-512 unless `props` say otherwise. */
const selfManaged =
  (props: (stack: Stack) => Partial<SelfManagedKafkaTriggerProps> = () => ({})): AddTrigger =>
  (consumer, stack) =>
    consumer.addSelfManagedKafkaTrigger({
      bootstrapServers: BROKERS,
      authentication: { method: 'SASL_SCRAM_512', secret: secret(stack, 'Scram', SECRET_ARN) },
      ...props(stack),
    });

const secret = (stack: Stack, id: string, arn: string, encryptionKey?: kms.IKey) =>
  secretsmanager.Secret.fromSecretAttributes(stack, id, {
    secretCompleteArn: arn,
    ...(encryptionKey ? { encryptionKey } : {}),
  });

/** The statements of the trigger's own policy. */
const mappingStatements = (template: Template) =>
  policyStatements(template, 'OrdersEventSourceMappingPolicy');

describe('addSelfManagedKafkaTrigger', () => {
  describe('SASL/SCRAM-512 in a VPC, with a private root CA', () => {
    let stack: Stack;
    let template: Template;
    beforeAll(() => {
      // GIVEN brokers reachable from one subnet, a SCRAM secret and a root CA secret
      // WHEN the self-managed trigger is added
      ({ stack, template } = build(
        selfManaged((s) => ({ serverRootCaSecret: secret(s, 'Ca', CA_ARN), network: NETWORK })),
      ));
    });

    test.each(
      TOPICS,
    )('maps topic %s to the brokers with the secrets and network, and the same error handling', (topic) => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: Match.absent(),
        SelfManagedEventSource: { Endpoints: { KafkaBootstrapServers: BROKERS } },
        SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: `orders.${topic}` },
        AmazonManagedKafkaEventSourceConfig: Match.absent(),
        Topics: [topic],
        SourceAccessConfigurations: [
          { Type: 'SASL_SCRAM_512_AUTH', URI: SECRET_ARN },
          { Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: CA_ARN },
          { Type: 'VPC_SUBNET', URI: NETWORK.subnetIds[0] },
          { Type: 'VPC_SECURITY_GROUP', URI: NETWORK.securityGroupIds[0] },
        ],
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        MaximumRetryAttempts: 10,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetterQueue'), 'Arn'] } },
        },
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 2 },
      });
    });

    test('reads exactly its two secrets, with GetSecretValue only', () => {
      const statements = mappingStatements(template);
      expect(resourcesFor(statements, 'secretsmanager:GetSecretValue').sort()).toEqual(
        [SECRET_ARN, CA_ARN].sort(),
      );
      expect(actionsOf(statements).filter((a) => a.startsWith('secretsmanager:'))).toEqual([
        'secretsmanager:GetSecretValue',
      ]);
      expect(actionsOf(statements).filter((a) => a.startsWith('kms:'))).toEqual([]);
    });

    test("manages network interfaces only in the brokers' subnet, and has no kafka or kafka-cluster action", () => {
      const statements = mappingStatements(template);
      expect(actionsOf(statements)).toEqual([...ESM_VPC_ACTIONS, 'secretsmanager:GetSecretValue']);
      const create = JSON.stringify(resourcesFor(statements, 'ec2:CreateNetworkInterface'));
      expect(create).toContain(`:subnet/${NETWORK.subnetIds[0]}"`);
      expect(create).toContain(`:security-group/${NETWORK.securityGroupIds[0]}"`);
      expect(create).not.toMatch(/:subnet\/\*"/);
      const remove = statements.find((s) => s.actions.includes('ec2:DeleteNetworkInterface'));
      expect(JSON.stringify(remove?.condition)).toContain(`:subnet/${NETWORK.subnetIds[0]}"`);
    });

    test('has no unacknowledged cdk-nag finding', () => {
      expect(nagFindings(stack)).toEqual([]);
    });
  });

  test('over the internet (no network), grants no EC2 action and no wildcard at all', () => {
    // GIVEN / WHEN brokers reached over the internet with mTLS
    const { stack, template: t } = build(
      selfManaged((s) => ({
        bootstrapServers: ['pkc-abc.eu-west-1.aws.confluent.cloud:9092'],
        authentication: { method: 'MTLS', secret: secret(s, 'Cert', SECRET_ARN) },
      })),
    );
    // THEN
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SourceAccessConfigurations: [{ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: SECRET_ARN }],
    });
    expect(actionsOf(mappingStatements(t))).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(mappingStatements(t))).not.toContain('*');
    expect(nagFindings(stack)).toEqual([]);
    expect(acknowledgments(stack).filter((a) => a.id.includes('AwsSolutions-IAM5'))).toEqual([]);
  });

  test('SASL/SCRAM-256 maps to SASL_SCRAM_256_AUTH; a secret under a customer-managed key may be decrypted only through Secrets Manager', () => {
    // GIVEN a secret encrypted with a key of this app
    const { template: t } = build(
      selfManaged((s) => ({
        authentication: {
          method: 'SASL_SCRAM_256',
          secret: secret(s, 'Scram256', SECRET_ARN, new kms.Key(s, 'SecretKey', { enableKeyRotation: true })),
        },
      })),
    );
    // THEN
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SourceAccessConfigurations: [{ Type: 'SASL_SCRAM_256_AUTH', URI: SECRET_ARN }],
    });
    const decrypt = mappingStatements(t).find((s) => s.actions.includes('kms:Decrypt'));
    expect(decrypt).toEqual({
      sid: 'DecryptKafkaSecrets',
      effect: 'Allow',
      actions: ['kms:Decrypt'],
      resources: [{ 'Fn::GetAtt': [expect.stringMatching(/^SecretKey/), 'Arn'] }],
      condition: {
        StringEquals: {
          'kms:ViaService': {
            'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
          },
        },
      },
    });
  });

  describe('validation', () => {
    test('fails if a bootstrap server is not host:port, or repeated, or none is given', () => {
      expect(failure(selfManaged(() => ({ bootstrapServers: ['b-1.kafka.internal'] })))).toMatch(
        /bootstrapServers\[\] must be host:port .*, got "b-1\.kafka\.internal"/,
      );
      expect(
        failure(selfManaged(() => ({ bootstrapServers: [BROKERS[0] as string, BROKERS[0] as string] }))),
      ).toMatch(/bootstrapServers must name each broker once/);
      expect(failure(selfManaged(() => ({ bootstrapServers: [] })))).toMatch(
        /bootstrapServers must name at least one broker/,
      );
    });

    test('fails if the method is IAM (MSK only), or a secret is missing', () => {
      expect(failure(selfManaged(() => ({ authentication: { method: 'IAM' } })))).toMatch(
        /authentication\.method must be one of SASL_SCRAM_256, SASL_SCRAM_512, MTLS for a self-managed cluster .*, got "IAM"/,
      );
      expect(failure(selfManaged(() => ({ authentication: { method: 'MTLS' } })))).toMatch(
        /authentication\.secret is required with method MTLS/,
      );
    });

    test('fails if the network names something else than subnets and security groups', () => {
      expect(
        failure(
          selfManaged(() => ({
            network: { subnetIds: ['vpc-0a1b2c3d'], securityGroupIds: ['sg-0123abcd'] },
          })),
        ),
      ).toMatch(/network\.subnetIds\[\] must look like subnet-<hex>, got "vpc-0a1b2c3d"/);
    });
  });
});

describe('addMskTrigger authentication', () => {
  test('SASL/SCRAM-512: the secret, kafka:ListScramSecrets on the cluster, and no kafka-cluster action (ACLs authorize)', () => {
    // GIVEN / WHEN
    const { stack, template } = build(
      msk((s) => ({ authentication: { method: 'SASL_SCRAM_512', secret: secret(s, 'Scram', SECRET_ARN) } })),
    );
    // THEN
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: CLUSTER,
      SourceAccessConfigurations: [{ Type: 'SASL_SCRAM_512_AUTH', URI: SECRET_ARN }],
    });
    const statements = mappingStatements(template);
    expect(resourcesFor(statements, 'kafka:ListScramSecrets')).toEqual([CLUSTER]);
    expect(resourcesFor(statements, 'secretsmanager:GetSecretValue')).toEqual([SECRET_ARN]);
    expect(actionsOf(statements).filter((a) => a.startsWith('kafka-cluster:'))).toEqual([]);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('mTLS: the certificate secret, no ListScramSecrets, no kafka-cluster action', () => {
    const { template } = build(
      msk((s) => ({ authentication: { method: 'MTLS', secret: secret(s, 'Cert', SECRET_ARN) } })),
    );
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SourceAccessConfigurations: [{ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: SECRET_ARN }],
    });
    const actions = actionsOf(mappingStatements(template));
    expect(actions).toContain('secretsmanager:GetSecretValue');
    expect(actions.filter((a) => a === 'kafka:ListScramSecrets' || a.startsWith('kafka-cluster:'))).toEqual(
      [],
    );
  });

  test('IAM (the default): no source access configuration and no secret read', () => {
    const { template } = build(msk());
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SourceAccessConfigurations: Match.absent(),
    });
    expect(actionsOf(mappingStatements(template)).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
  });

  test('fails if the method is SCRAM-256 (self-managed only), or IAM comes with a secret', () => {
    expect(
      failure(
        msk((s) => ({ authentication: { method: 'SASL_SCRAM_256', secret: secret(s, 'S', SECRET_ARN) } })),
      ),
    ).toMatch(
      /authentication\.method must be one of IAM, SASL_SCRAM_512, MTLS for Amazon MSK .*, got "SASL_SCRAM_256"/,
    );
    expect(
      failure(msk((s) => ({ authentication: { method: 'IAM', secret: secret(s, 'S', SECRET_ARN) } }))),
    ).toMatch(/authentication\.secret must not be set with method IAM/);
  });

  test('keeps the logical ids ManagedKafkaEventSource gives its mappings (deployed mappings are not replaced)', () => {
    // GIVEN the construct's mappings, and CDK's own event source on a function at the same path
    const { template } = build(msk(() => ({ topics: ['t1'] })));
    const reference = new Stack(appWithoutBundling(), 'Test');
    const cdkFunction = new lambda.Function(new Construct(reference, 'Orders'), 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    cdkFunction.addEventSource(
      new ManagedKafkaEventSource({
        clusterArn: CLUSTER,
        topic: 't1',
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      }),
    );
    // THEN the ids agree
    const ids = (t: Template) => Object.keys(t.findResources('AWS::Lambda::EventSourceMapping'));
    expect(ids(template)).toEqual(ids(Template.fromStack(reference)));
  });
});

describe('onFailureTopic (a Kafka topic as on-failure destination)', () => {
  test('sends exhausted batches to kafka://<topic>, and lets the role write to that topic only', () => {
    // GIVEN / WHEN an MSK trigger with IAM auth and a dead-letter topic
    const { stack, template } = build(msk(() => ({ onFailureTopic: 'orders.dlt' })));
    // THEN
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      DestinationConfig: { OnFailure: { Destination: 'kafka://orders.dlt' } },
    });
    const statements = mappingStatements(template);
    expect(resourcesFor(statements, 'kafka-cluster:WriteData')).toEqual([`${TOPIC_BASE}/orders.dlt`]);
    expect(statements.find((s) => s.actions.includes('kafka-cluster:WriteData'))?.actions).toEqual([
      'kafka-cluster:DescribeTopic',
      'kafka-cluster:WriteData',
    ]);
    expect(resourcesFor(statements, 'kafka-cluster:ReadData')).not.toContain(`${TOPIC_BASE}/orders.dlt`);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('on a self-managed cluster, sets the destination and grants nothing (the Kafka ACLs authorize)', () => {
    const { template } = build(selfManaged(() => ({ onFailureTopic: 'orders.dlt' })));
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      DestinationConfig: { OnFailure: { Destination: 'kafka://orders.dlt' } },
    });
    expect(actionsOf(mappingStatements(template))).toEqual(['secretsmanager:GetSecretValue']);
  });

  test('fails if the topic is one the trigger reads, or not a topic name', () => {
    expect(failure(msk(() => ({ onFailureTopic: TOPICS[0] })))).toMatch(
      /onFailureTopic must not be one of the topics the trigger reads .*, got "orders\.created\.v1"/,
    );
    expect(failure(msk(() => ({ onFailureTopic: 'kafka://orders.dlt' })))).toMatch(
      /onFailureTopic must be a topic name .*, got "kafka:\/\/orders\.dlt"/,
    );
  });
});

describe('filters', () => {
  test('pass to every mapping as FilterCriteria', () => {
    // GIVEN a filter built with CDK's FilterCriteria
    const filter = lambda.FilterCriteria.filter({
      value: { type: lambda.FilterRule.isEqual('order.created') },
    });
    // WHEN
    const { template } = build(msk(() => ({ filters: [filter] })));
    // THEN
    for (const topic of TOPICS) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        Topics: [topic],
        FilterCriteria: { Filters: [{ Pattern: '{"value":{"type":["order.created"]}}' }] },
      });
    }
  });

  test('fails if there are more than 5, or one is not { pattern: <JSON object text> }', () => {
    const filter = lambda.FilterCriteria.filter({ key: { region: ['eu'] } });
    expect(failure(msk(() => ({ filters: Array.from({ length: 6 }, () => filter) })))).toMatch(
      /filters must hold at most 5 patterns .*, got 6/,
    );
    expect(failure(msk(() => ({ filters: [filter, { value: { type: ['x'] } }] })))).toMatch(
      /filters\[1\] must be \{ pattern: <JSON object text> \}, as lambda\.FilterCriteria\.filter/,
    );
    expect(failure(msk(() => ({ filters: [{ pattern: '["not an object"]' }] })))).toMatch(
      /filters\[0\] must be/,
    );
  });
});

describe('schemaRegistry', () => {
  const glue: KafkaSchemaRegistry = { type: 'glue', registryArn: GLUE_REGISTRY, eventRecordFormat: 'SOURCE' };

  test('Glue with SOURCE: the registry config on each mapping, and Glue reads of that registry and its schemas only', () => {
    // GIVEN a manifest whose Avro codec reads what SOURCE delivers (wire raw)
    const { stack, template } = build(
      msk(() => ({ schemaRegistry: glue })),
      {
        manifest: ordersWithCodec({ kind: 'avro', wire: 'raw' }),
      },
    );
    // THEN
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      AmazonManagedKafkaEventSourceConfig: {
        ConsumerGroupId: `orders.${TOPICS[0]}`,
        SchemaRegistryConfig: {
          SchemaRegistryURI: GLUE_REGISTRY,
          EventRecordFormat: 'SOURCE',
          SchemaValidationConfigs: [{ Attribute: 'VALUE' }],
          AccessConfigs: Match.absent(),
        },
      },
    });
    const statements = mappingStatements(template);
    expect(resourcesFor(statements, 'glue:GetRegistry')).toEqual([GLUE_REGISTRY]);
    expect(resourcesFor(statements, 'glue:GetSchemaVersion')).toEqual([
      GLUE_REGISTRY,
      'arn:aws:glue:eu-west-1:123456789012:schema/orders/*',
    ]);
    expect(actionsOf(statements).filter((a) => a.startsWith('glue:'))).toEqual([
      'glue:GetRegistry',
      'glue:GetSchemaVersion',
    ]);
    // The function's own policy gets nothing of it (CDK's GlueSchemaRegistry would grant there).
    expect(
      actionsOf(policyStatements(template, 'OrdersRoleDefaultPolicy')).filter((a) => a.startsWith('glue:')),
    ).toEqual([]);
    expect(nagFindings(stack)).toEqual([]);
  });

  test('Confluent with JSON: basic auth and root CA access configs, exactly those secrets read', () => {
    // GIVEN
    const { template } = build(
      selfManaged((s) => ({
        schemaRegistry: {
          type: 'confluent',
          url: 'https://psrc-abc.eu-west-1.aws.confluent.cloud',
          eventRecordFormat: 'JSON',
          validate: ['KEY', 'VALUE'],
          authentication: { method: 'BASIC_AUTH', secret: secret(s, 'Registry', REGISTRY_SECRET_ARN) },
          serverRootCaSecret: secret(s, 'RegistryCa', CA_ARN),
        },
      })),
      { manifest: ordersWithCodec({ kind: 'protobuf', wire: 'esm-json' }) },
    );
    // THEN
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SelfManagedKafkaEventSourceConfig: {
        SchemaRegistryConfig: {
          SchemaRegistryURI: 'https://psrc-abc.eu-west-1.aws.confluent.cloud',
          EventRecordFormat: 'JSON',
          SchemaValidationConfigs: [{ Attribute: 'KEY' }, { Attribute: 'VALUE' }],
          AccessConfigs: [
            { Type: 'BASIC_AUTH', URI: REGISTRY_SECRET_ARN },
            { Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: CA_ARN },
          ],
        },
      },
    });
    expect(resourcesFor(mappingStatements(template), 'secretsmanager:GetSecretValue').sort()).toEqual(
      [SECRET_ARN, REGISTRY_SECRET_ARN, CA_ARN].sort(),
    );
  });

  test("fails if the manifest's codec cannot read what the record format delivers, saying what to set", () => {
    expect(
      failure(
        msk(() => ({ schemaRegistry: { ...glue, eventRecordFormat: 'JSON' } })),
        {
          manifest: ordersWithCodec({ kind: 'avro', wire: 'glue' }),
        },
      ),
    ).toMatch(
      /schemaRegistry\.eventRecordFormat "JSON" delivers each record decoded to JSON, so the manifest's codec must be avro or protobuf with wire "esm-json", got avro with wire "glue": set codec: \{ kind: 'avro' \| 'protobuf', wire: 'esm-json' \}/,
    );
    expect(failure(msk(() => ({ schemaRegistry: glue })))).toMatch(
      /"SOURCE" delivers each record in its source encoding with the schema header removed .* wire "raw", got none \(the envelope\)/,
    );
    expect(failure(msk(), { manifest: ordersWithCodec({ kind: 'avro', wire: 'esm-json' }) })).toMatch(
      /codec has wire "esm-json", which only the event source mapping's schema-registry integration produces, but the trigger has no schemaRegistry/,
    );
  });

  test('fails if the Glue ARN, the Confluent URL or the validated attributes are malformed', () => {
    const manifest = ordersWithCodec({ kind: 'avro', wire: 'raw' });
    expect(
      failure(
        msk(() => ({
          schemaRegistry: { ...glue, registryArn: 'arn:aws:glue:eu-west-1:123456789012:schema/a/b' },
        })),
        {
          manifest,
        },
      ),
    ).toMatch(/schemaRegistry\.registryArn must look like arn:aws:glue:<region>:<account>:registry\/<name>/);
    expect(
      failure(
        msk(() => ({
          schemaRegistry: { type: 'confluent', url: 'psrc-abc.confluent.cloud', eventRecordFormat: 'SOURCE' },
        })),
        { manifest },
      ),
    ).toMatch(/schemaRegistry\.url must be the registry's http\(s\) URL, got "psrc-abc\.confluent\.cloud"/);
    expect(
      failure(
        msk(() => ({ schemaRegistry: { ...glue, validate: ['VALUE', 'VALUE'] } })),
        { manifest },
      ),
    ).toMatch(/schemaRegistry\.validate must name each attribute once, got "VALUE" twice/);
    expect(
      failure(
        msk(() => ({ schemaRegistry: { ...glue, validate: [] } })),
        { manifest },
      ),
    ).toMatch(/schemaRegistry\.validate must name at least one attribute/);
  });
});

describe('enableSourceMaps', () => {
  test('when true, sets NODE_OPTIONS=--enable-source-maps and ships a linked source map', () => {
    // GIVEN an app that bundles for real
    // WHEN
    const { stack, consumer } = ordersConsumer({ enableSourceMaps: true }, projectApp());
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
    const outdir = (stack.node.root as unknown as { synth(): { directory: string } }).synth().directory;
    const fn = template.findResources('AWS::Lambda::Function');
    const key = String(Object.values(fn)[0]?.Properties.Code.S3Key).replace(/\.zip$/, '');
    expect(readdirSync(path.join(outdir, `asset.${key}`)).sort()).toEqual([
      'dead-letter-sqs.js',
      'dead-letter-sqs.js.map',
      'index.js',
      'index.js.map',
    ]);
    expect(consumer.function.node.id).toBe('Function');
  });
});
