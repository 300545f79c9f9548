/**
 * What a consumer's Kafka trigger reads from, as data: the cluster's network, how the pollers
 * authenticate, and the event source mapping's schema-registry integration; and their translation
 * into the `AWS::Lambda::EventSourceMapping` settings (`SourceAccessConfigurations`,
 * `SchemaRegistryConfig`). The IAM each needs is in `kafka-trigger-policy.ts`.
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * The network of a Kafka cluster: for MSK, the subnets and security groups of its VPC configuration
 * (MSK Serverless: its `VpcConfigs`; provisioned: its broker subnets and security groups); for a
 * self-managed cluster, subnets and a security group from which the brokers are reachable. The event
 * source mapping creates its network interfaces there, with exactly these.
 *
 * @example
 * ```ts
 * const network: KafkaClusterNetwork = { subnetIds: ['subnet-0a1b2c3d4e5f60718'], securityGroupIds: ['sg-0123456789abcdef0'] };
 * ```
 */
export interface KafkaClusterNetwork {
  /** The subnets. At least one. */
  readonly subnetIds: readonly string[];
  /** The security groups. At least one. */
  readonly securityGroupIds: readonly string[];
}

/**
 * How the event source mapping's pollers authenticate to the brokers. MSK takes `IAM`,
 * `SASL_SCRAM_512` or `MTLS`; a self-managed cluster `SASL_SCRAM_256`, `SASL_SCRAM_512` or `MTLS`.
 *
 * @example
 * ```ts
 * const auth: KafkaAuthentication = { method: KafkaAuthMethod.SASL_SCRAM_512, secret };
 * ```
 */
export const KafkaAuthMethod = {
  /** MSK IAM access control (SASL/IAM over TLS, port 9098): the execution role is the identity. */
  IAM: 'IAM',
  /** SASL/SCRAM-SHA-256 (self-managed only): the secret holds `{"username","password"}`. */
  SASL_SCRAM_256: 'SASL_SCRAM_256',
  /** SASL/SCRAM-SHA-512: the secret holds `{"username","password"}` (MSK: an `AmazonMSK_` secret with a customer-managed key). */
  SASL_SCRAM_512: 'SASL_SCRAM_512',
  /** Mutual TLS: the secret holds `{"certificate","privateKey","privateKeyPassword"?}` (PEM). */
  MTLS: 'MTLS',
} as const;

/**
 * One of {@link KafkaAuthMethod}'s values.
 *
 * @example
 * ```ts
 * const method: KafkaAuthMethod = 'MTLS';
 * ```
 */
export type KafkaAuthMethod = (typeof KafkaAuthMethod)[keyof typeof KafkaAuthMethod];

/**
 * The authentication of a Kafka trigger: the method, and for every method but `IAM` the Secrets
 * Manager secret with the credentials. The execution role may read exactly that secret
 * (`secretsmanager:GetSecretValue`), and decrypt with its `encryptionKey` when the secret has one
 * (import it with `Secret.fromSecretAttributes({ secretCompleteArn, encryptionKey })`).
 *
 * @example
 * ```ts
 * const auth: KafkaAuthentication = { method: 'MTLS', secret: Secret.fromSecretCompleteArn(this, 'Cert', arn) };
 * ```
 */
export interface KafkaAuthentication {
  /** How the pollers authenticate. */
  readonly method: KafkaAuthMethod;
  /**
   * The credentials (SASL/SCRAM: username and password; mTLS: certificate chain and private key).
   *
   * @default - none; required for every method but `IAM`
   */
  readonly secret?: secretsmanager.ISecret;
}

/** The source access type of each method's secret (`IAM` has none). */
const AUTH_ACCESS_TYPE: Readonly<
  Record<Exclude<KafkaAuthMethod, 'IAM'>, lambda.SourceAccessConfigurationType>
> = {
  SASL_SCRAM_256: lambda.SourceAccessConfigurationType.SASL_SCRAM_256_AUTH,
  SASL_SCRAM_512: lambda.SourceAccessConfigurationType.SASL_SCRAM_512_AUTH,
  MTLS: lambda.SourceAccessConfigurationType.CLIENT_CERTIFICATE_TLS_AUTH,
};

/** What the mapping validates against the registry: the record's value, its key, or both. */
export type SchemaValidationAttribute = 'KEY' | 'VALUE';

interface SchemaRegistryBase {
  /**
   * What the mapping delivers to the function: `JSON` (the record decoded by the registry's schema,
   * as JSON; the manifest's codec must have wire `esm-json`) or `SOURCE` (the original encoding with
   * the schema header removed, the schema id in `valueSchemaMetadata`; the codec must have wire
   * `raw`).
   */
  readonly eventRecordFormat: 'JSON' | 'SOURCE';
  /**
   * The parts of each record validated against the registry (with `JSON`, also the parts decoded).
   * A record that fails goes to the on-failure destination, not to the function.
   *
   * @default ['VALUE']
   */
  readonly validate?: readonly SchemaValidationAttribute[];
}

/**
 * An AWS Glue Schema Registry. The execution role may call `glue:GetRegistry` on it and
 * `glue:GetSchemaVersion` on it and its schemas, nothing else.
 *
 * @example
 * ```ts
 * const registry: GlueSchemaRegistryConfig = { type: 'glue', registryArn, eventRecordFormat: 'SOURCE' };
 * ```
 */
export interface GlueSchemaRegistryConfig extends SchemaRegistryBase {
  readonly type: 'glue';
  /**
   * `arn:aws:glue:<region>:<account>:registry/<name>`. Give it as a literal: the policy scopes
   * `glue:GetSchemaVersion` to `schema/<name>/*`, and cdk-nag's acknowledgment of that wildcard
   * names it.
   */
  readonly registryArn: string;
}

/**
 * A Confluent schema registry (Confluent Cloud or self-managed). The execution role may read exactly
 * the secrets given.
 *
 * @example
 * ```ts
 * const registry: ConfluentSchemaRegistryConfig = {
 *   type: 'confluent', url: 'https://psrc-abc.eu-west-1.aws.confluent.cloud', eventRecordFormat: 'JSON',
 *   authentication: { method: 'BASIC_AUTH', secret },
 * };
 * ```
 */
export interface ConfluentSchemaRegistryConfig extends SchemaRegistryBase {
  readonly type: 'confluent';
  /** The registry's URL (`https://...`). */
  readonly url: string;
  /**
   * How Lambda authenticates to the registry: `BASIC_AUTH` (the secret holds `{"username","password"}`,
   * for Confluent Cloud the API key and secret) or `CLIENT_CERTIFICATE_TLS_AUTH` (certificate and key).
   *
   * @default - none: the registry accepts anonymous reads
   */
  readonly authentication?: {
    readonly method: 'BASIC_AUTH' | 'CLIENT_CERTIFICATE_TLS_AUTH';
    readonly secret: secretsmanager.ISecret;
  };
  /**
   * The root CA certificate (PEM) of a registry whose TLS certificate a private CA signed.
   *
   * @default - none: the registry's certificate is publicly trusted
   */
  readonly serverRootCaSecret?: secretsmanager.ISecret;
}

/**
 * The event source mapping's schema-registry integration (provisioned mode only, which every
 * mapping of this template has).
 *
 * @example
 * ```ts
 * consumer.addMskTrigger({ clusterArn, schemaRegistry: { type: 'glue', registryArn, eventRecordFormat: 'SOURCE' } });
 * ```
 */
export type KafkaSchemaRegistry = GlueSchemaRegistryConfig | ConfluentSchemaRegistryConfig;

/**
 * The `SourceAccessConfigurations` of a mapping: the authentication secret, a self-managed cluster's
 * root CA secret, and a self-managed cluster's subnets and security groups (an MSK mapping finds
 * its cluster's network itself).
 *
 * @example
 * ```ts
 * sourceAccessConfigurations({ authentication: { method: 'SASL_SCRAM_512', secret } });
 * ```
 */
export function sourceAccessConfigurations(source: {
  readonly authentication?: KafkaAuthentication;
  readonly serverRootCaSecret?: secretsmanager.ISecret;
  readonly selfManagedNetwork?: KafkaClusterNetwork;
}): lambda.SourceAccessConfiguration[] | undefined {
  const configs: lambda.SourceAccessConfiguration[] = [];
  const { authentication, serverRootCaSecret, selfManagedNetwork } = source;
  if (authentication && authentication.method !== 'IAM' && authentication.secret) {
    configs.push({ type: AUTH_ACCESS_TYPE[authentication.method], uri: authentication.secret.secretArn });
  }
  if (serverRootCaSecret) {
    configs.push({
      type: lambda.SourceAccessConfigurationType.SERVER_ROOT_CA_CERTIFICATE,
      uri: serverRootCaSecret.secretArn,
    });
  }
  for (const id of selfManagedNetwork?.subnetIds ?? []) {
    configs.push({ type: lambda.SourceAccessConfigurationType.VPC_SUBNET, uri: id });
  }
  for (const id of selfManagedNetwork?.securityGroupIds ?? []) {
    configs.push({ type: lambda.SourceAccessConfigurationType.VPC_SECURITY_GROUP, uri: id });
  }
  return configs.length > 0 ? configs : undefined;
}

/**
 * The mapping's `SchemaRegistryConfig`. aws-cdk-lib's `GlueSchemaRegistry` and
 * `ConfluentSchemaRegistry` would also grant, on the function's own policy: Glue's actions, or
 * `secretsmanager:GetSecretValue` and `DescribeSecret` on the secret. The construct grants less, in
 * the mappings' policy, so it binds the configuration itself.
 *
 * @example
 * ```ts
 * this.function.addEventSourceMapping(id, { ..., schemaRegistryConfig: schemaRegistryConfig(registry) });
 * ```
 */
export function schemaRegistryConfig(
  registry: KafkaSchemaRegistry,
  defaultValidate: readonly SchemaValidationAttribute[],
): lambda.ISchemaRegistry {
  const accessConfigs: lambda.KafkaSchemaRegistryAccessConfig[] = [];
  if (registry.type === 'confluent') {
    if (registry.authentication) {
      accessConfigs.push({
        type: lambda.KafkaSchemaRegistryAccessConfigType[registry.authentication.method],
        uri: registry.authentication.secret.secretArn,
      });
    }
    if (registry.serverRootCaSecret) {
      accessConfigs.push({
        type: lambda.KafkaSchemaRegistryAccessConfigType.SERVER_ROOT_CA_CERTIFICATE,
        uri: registry.serverRootCaSecret.secretArn,
      });
    }
  }
  const config: lambda.KafkaSchemaRegistryConfig = {
    schemaRegistryUri: registry.type === 'glue' ? registry.registryArn : registry.url,
    eventRecordFormat: lambda.EventRecordFormat[registry.eventRecordFormat],
    schemaValidationConfigs: (registry.validate ?? defaultValidate).map((attribute) => ({
      attribute: lambda.KafkaSchemaValidationAttribute[attribute],
    })),
    ...(accessConfigs.length > 0 ? { accessConfigs } : {}),
  };
  return { bind: () => config };
}

/**
 * Every Secrets Manager secret a trigger reads: the authentication's, the root CA's, the
 * schema registry's.
 *
 * @example
 * ```ts
 * const secrets = triggerSecrets(trigger); // the role may read exactly these
 * ```
 */
export function triggerSecrets(source: {
  readonly authentication?: KafkaAuthentication;
  readonly serverRootCaSecret?: secretsmanager.ISecret;
  readonly schemaRegistry?: KafkaSchemaRegistry;
}): secretsmanager.ISecret[] {
  const registry = source.schemaRegistry?.type === 'confluent' ? source.schemaRegistry : undefined;
  return [
    source.authentication?.secret,
    source.serverRootCaSecret,
    registry?.authentication?.secret,
    registry?.serverRootCaSecret,
  ].filter((secret): secret is secretsmanager.ISecret => secret !== undefined);
}
